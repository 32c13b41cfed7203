"""Bounds on a request: its body's size (checked as it streams in) and its handling time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subsidy_engine.i18n import pick_language
from subsidy_engine.service.problems import error_body

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Limits:
    max_body_bytes: int = 1 << 20
    """A request body larger than this is refused with 413 (a `/score` of 100 profiles fits)."""
    seconds: float = 10.0
    """A request still being worked on after this is answered with 503."""


class TimeLimitError(Exception):
    """A request's work took longer than its limit."""


async def within(seconds: float, work: Callable[[], T]) -> T:
    """`work()` in a worker thread, or TimeLimitError when it takes longer than `seconds`."""
    try:
        return await asyncio.wait_for(run_in_threadpool(work), seconds)
    except TimeoutError:
        raise TimeLimitError from None


class BodyLimit:
    """ASGI middleware: refuse a body over `limit` bytes, by its Content-Length or as it
    arrives (never holding more than `limit` bytes), before the application sees it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        language = pick_language(headers.get(b"accept-language", b"").decode("latin-1"))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, language)
            return
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await _too_large(send, language)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _too_large(send: Send, language: str) -> None:
    body = json.dumps(
        error_body(language, "too-large", "The request body is too large."), ensure_ascii=False
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
