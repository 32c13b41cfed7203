"""Ctrl-C that is never lost.

Polars runs queries on its own threads and may consume a KeyboardInterrupt raised while it
waits, ending a stream of batches as if the input had ended. Inside `trapped()`, SIGINT also
sets a flag; long loops call `check()` after each step and once at their end, so an interrupt
swallowed anywhere still stops the run instead of passing for a short input.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_requested = threading.Event()
_deferring = threading.Event()


def _on_sigint(number: int, frame: FrameType | None) -> None:
    _requested.set()
    if not _deferring.is_set():
        raise KeyboardInterrupt


@contextmanager
def trapped() -> Iterator[None]:
    """Within the block, SIGINT raises KeyboardInterrupt and is remembered for `check()`.
    Outside the main thread this does nothing (signals are handled only there); inside another
    `trapped()` block it leaves that block in charge."""
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is _on_sigint  # already trapped by a caller
    ):
        yield
        return
    _requested.clear()
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _requested.clear()


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block (renaming finished outputs into place), SIGINT does not stop it; one
    that arrives there comes too late to stop the run, whose outputs are then complete."""
    _deferring.set()
    try:
        yield
    finally:
        _deferring.clear()
        _requested.clear()


def requested() -> bool:
    """Whether SIGINT arrived inside the current `trapped()` block."""
    return _requested.is_set()


def check() -> None:
    """KeyboardInterrupt when SIGINT arrived, even if something swallowed the first one."""
    if _requested.is_set():
        raise KeyboardInterrupt
