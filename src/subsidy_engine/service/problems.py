"""Errors as JSON: a stable code, the field and where it is, a message in the caller's language.

Every exception a request can raise ends here, so no caller ever sees a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from subsidy_engine.errors import Diagnostic, DiagnosticsError, ProfileError
from subsidy_engine.i18n import pick_language, translator
from subsidy_engine.profile import format_loc

LOG = logging.getLogger("subsidy_engine.service")

_PYDANTIC_TYPES = {
    "missing": "a value is required",
    "extra_forbidden": "unknown field",
    "int_parsing": "not a whole number",
    "int_type": "not a whole number",
    "int_from_float": "not a whole number",
    "decimal_parsing": "not a number",
    "decimal_type": "not a number",
    "float_parsing": "not a number",
    "bool_parsing": "not true or false",
    "bool_type": "not true or false",
    "date_parsing": "not a date YYYY-MM-DD",
    "date_from_datetime_parsing": "not a date YYYY-MM-DD",
    "date_type": "not a date YYYY-MM-DD",
    "literal_error": "not one of the allowed values",
    "enum": "not one of the allowed values",
    "greater_than_equal": "below the minimum",
    "greater_than": "below the minimum",
    "less_than_equal": "above the maximum",
    "less_than": "above the maximum",
    "too_long": "too many items",
    "json_invalid": "not valid JSON",
    "string_type": "not text",
}

_STATUS_CODES = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "too-large"}
_STATUS_MESSAGES = {
    404: "No such page.",
    405: "Method not allowed.",
    413: "The request body is too large.",
}


def error_body(
    language: str, code: str, message: str, problems: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """An error document (schema `ErrorOut`): the first problem's field and location on top."""
    first = problems[0] if problems else {}
    return {
        "code": code,
        "message": translator(language).gettext(message),
        "field": first.get("field"),
        "location": first.get("location"),
        "problems": list(problems),
    }


def diagnostics_problems(
    language: str, diagnostics: Iterable[Diagnostic], where: str
) -> list[dict[str, Any]]:
    """Problems from the engine's diagnostics; `where` (e.g. body.profile) prefixes each
    location."""
    gettext = translator(language).gettext
    out = []
    for d in diagnostics:
        field = d.yaml_path
        location = where + (f".{field}" if field and not field.startswith("[") else field or "")
        out.append(
            {
                "code": d.code,
                "field": field,
                "location": location,
                "message": gettext(d.message),
                "hint": d.hint,
            }
        )
    return out


def profile_error_body(language: str, error: ProfileError, where: str) -> dict[str, Any]:
    problems = diagnostics_problems(language, error.diagnostics, where)
    return error_body(language, "bad-profile", "The profile was refused.", problems)


def _language(request: Request) -> str:
    return pick_language(request.headers.get("accept-language"))


def _validation_problems(language: str, error: RequestValidationError) -> list[dict[str, Any]]:
    gettext = translator(language).gettext
    out = []
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        inner = loc[2:] if len(loc) > 2 and loc[:2] == ("body", "profile") else loc[1:]
        phrase = _PYDANTIC_TYPES.get(str(item.get("type")), "not valid")
        detail = str(item.get("msg", "")).removeprefix("Value error, ")
        out.append(
            {
                "code": "bad-profile" if loc[:2] == ("body", "profile") else "bad-request",
                "field": format_loc(inner) or None,
                "location": format_loc(loc) or None,
                "message": gettext(phrase) if language == "zh" else detail,
                "hint": detail if language == "zh" else None,
            }
        )
    return out


async def on_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    language = _language(request)
    problems = _validation_problems(language, error)
    profile = any(p["code"] == "bad-profile" for p in problems)
    code, message = (
        ("bad-profile", "The profile was refused.")
        if profile
        else ("bad-request", "The request was refused.")
    )
    return JSONResponse(error_body(language, code, message, problems), status_code=422)


async def on_profile(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProfileError)
    body = profile_error_body(_language(request), error, "body.profile")
    return JSONResponse(body, status_code=422)


async def on_diagnostics(request: Request, error: Exception) -> JSONResponse:
    """A reform that does not check (the only rulebook text a request can carry)."""
    assert isinstance(error, DiagnosticsError)
    language = _language(request)
    problems = diagnostics_problems(language, error.diagnostics, "body.reform")
    body = error_body(language, "bad-reform", "The reform was refused.", problems)
    return JSONResponse(body, status_code=422)


async def on_input(request: Request, error: Exception) -> JSONResponse:
    """An input the engine refused after validation (e.g. a what-if change naming no field)."""
    language = _language(request)
    problem = {"code": "bad-input", "field": None, "location": "body", "message": str(error)}
    body = error_body(language, "bad-input", "The request was refused.", [problem])
    return JSONResponse(body, status_code=422)


async def on_http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    language = _language(request)
    code = _STATUS_CODES.get(error.status_code, "http-error")
    message = _STATUS_MESSAGES.get(error.status_code, "The request was refused.")
    return JSONResponse(
        error_body(language, code, message), status_code=error.status_code, headers=error.headers
    )


async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
    LOG.exception("request failed: %s %s", request.method, request.url.path)
    body = error_body(_language(request), "internal", "The service failed; the error was logged.")
    return JSONResponse(body, status_code=500)
