"""The HTTP service: `create_app()` loads a rulebook once and serves evaluations over JSON.

Run it with `subsidy-engine serve` (uvicorn); each worker process builds one app, so the rulebook
is loaded once per worker. The OpenAPI document is generated from the request and response
models; `/docs` and `/redoc` are served from packaged assets, `/` is the policy self-test page.
"""

# No `from __future__ import annotations`: the request models are built at run time from the
# rulebook's profile, and FastAPI reads the endpoints' annotations as objects.

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from pydantic_core import to_json
from starlette.exceptions import HTTPException

from subsidy_engine.__about__ import __version__
from subsidy_engine.catalogue import coverage_rows, rule_rows
from subsidy_engine.engine import Engine
from subsidy_engine.errors import DiagnosticsError, ProfileError, SubsidyEngineError
from subsidy_engine.i18n import pick_language
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.service import models as out
from subsidy_engine.service.catalog import field_rows, parameter_rows, rule_detail
from subsidy_engine.service.limits import BodyLimit, Limits, TimeLimitError, within
from subsidy_engine.service.obligations import add_obligations_route
from subsidy_engine.service.problems import (
    error_body,
    on_diagnostics,
    on_http,
    on_input,
    on_profile,
    on_unexpected,
    on_validation,
    profile_error_body,
)
from subsidy_engine.service.reforms import ReformedEngines
from subsidy_engine.service.requests import (
    SCORE_LIMIT,
    EvaluateBody,
    GapsBody,
    NoticeBody,
    ScoreBody,
    WhatIfBody,
    request_models,
)
from subsidy_engine.views import comparison_view, evaluation_view, gaps_view

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
STATIC = Path(__file__).parent / "static"
RULEBOOK_ENV = "SUBSIDY_ENGINE_RULEBOOK"
"""The rulebook folder a worker loads (`subsidy-engine serve --rulebook` sets it)."""

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": out.ErrorOut, "description": "The body could not be read (not UTF-8 JSON)."},
    413: {"model": out.ErrorOut, "description": "The body is larger than the service accepts."},
    422: {"model": out.ErrorOut, "description": "The profile, reform or options were refused."},
    503: {"model": out.ErrorOut, "description": "The request took longer than its limit."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": out.ErrorOut, "description": "No such rule."},
    422: ERRORS[422],
}


class _JSONResponse(JSONResponse):
    """JSON written by pydantic's serializer: several times faster than the standard module
    on an evaluation, and UTF-8 Chinese is not escaped."""

    def render(self, content: Any) -> bytes:
        return to_json(content)


def create_app(engine: Engine | None = None, limits: Limits | None = None) -> FastAPI:
    """The service for `engine` (default: the rulebook in $SUBSIDY_ENGINE_RULEBOOK, or the
    bundled one)."""
    if engine is None:
        folder = os.environ.get(RULEBOOK_ENV)
        engine = Engine(folder) if folder else Engine()
    limits = limits or Limits()
    rulebook = engine.rulebook
    app = FastAPIOffline(
        title="subsidy-engine",
        version=__version__,
        description=(
            f"Which measures of {rulebook.manifest.title} an enterprise qualifies for, how "
            "much, and where the text says so. Errors are JSON (`code`, `field`, `location`, "
            "`message`), in Chinese or English by Accept-Language. Amounts are exact decimal "
            f"strings of yuan. `/score` takes at most {SCORE_LIMIT} profiles."
        ),
    )
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ProfileError, on_profile)
    app.add_exception_handler(DiagnosticsError, on_diagnostics)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(SubsidyEngineError, on_input)
    app.add_exception_handler(Exception, on_unexpected)

    @app.exception_handler(TimeLimitError)
    async def on_time(request: Request, error: Exception) -> JSONResponse:
        language = pick_language(request.headers.get("accept-language"))
        body = error_body(language, "timeout", "The request took too long.")
        return JSONResponse(body, status_code=503)

    _evaluation_routes(app, engine, limits)
    add_obligations_route(app, engine, limits, ERRORS)
    _rulebook_routes(app, rulebook)
    _page_routes(app)
    return app


def worker_app() -> FastAPI:
    """`create_app()` for a worker process of `subsidy-engine serve`: everything loaded so far
    lives as long as the worker, so it is kept out of the collector's sweeps, where it stalled
    a request now and then (p99 fell from about 55 ms to 15 ms at 8 requests in flight,
    `python -m benchmarks service`). A program that mounts `create_app()` itself keeps its own
    collector settings."""
    app = create_app()
    gc.freeze()
    return app


def _evaluation_routes(app: FastAPI, engine: Engine, limits: Limits) -> None:
    """The POST endpoints: evaluate, gaps, what-if, score, notice."""
    rulebook = engine.rulebook
    titles = {name: spec.title for name, spec in rulebook.profile.spec.fields.items()}
    bodies = request_models(engine.profile_model)
    reformed = ReformedEngines(engine)

    def facts(profile: BaseModel) -> dict[str, Any]:
        return profile.model_dump(exclude_none=True)

    def post(path: str, body: type[BaseModel], **options: Any) -> Callable[[Endpoint], Endpoint]:
        """`app.post`, with the endpoint's `body` read as `body` (a model made at run time)."""

        def register(endpoint: Endpoint) -> Endpoint:
            endpoint.__annotations__["body"] = body
            return app.post(path, tags=["evaluate"], **options)(endpoint)

        return register

    @post("/evaluate", bodies.evaluate, response_model=out.EvaluationOut, responses=ERRORS)
    async def evaluate(body: EvaluateBody) -> JSONResponse:
        """Every rule's result for one profile on `as_of`, optionally under a reform."""

        def work() -> dict[str, Any]:
            # The body's profile is already an instance of the engine's profile model: passing
            # it whole spares a second validation.
            evaluation = reformed.get(body.reform).evaluate(body.profile, body.as_of)
            return _shaped(evaluation, body.options)

        return _JSONResponse(await within(limits.seconds, work))

    @post("/gaps", bodies.gaps, response_model=out.GapsOut, responses=ERRORS)
    async def gaps(body: GapsBody) -> JSONResponse:
        """For each rule not qualified for, the smallest change that would qualify, closest
        first; and the facts to ask for next, the one deciding most open rules first."""

        def work() -> dict[str, Any]:
            view = gaps_view(engine.gaps(facts(body.profile), as_of=body.as_of))
            for question in view["questions"]:
                question["title"] = titles.get(question["fact"].split("[")[0])
            return view

        return _JSONResponse(await within(limits.seconds, work))

    @post("/what-if", bodies.what_if, response_model=out.WhatIfOut, responses=ERRORS)
    async def what_if(body: WhatIfBody) -> JSONResponse:
        """What changes, rule by rule, when some facts change (and under a reform if given)."""

        def work() -> dict[str, Any]:
            comparison = reformed.what_if(
                facts(body.profile), body.changes, body.as_of, body.reform
            )
            return comparison_view(comparison)

        return _JSONResponse(await within(limits.seconds, work))

    @post("/score", bodies.score, response_model=out.ScoreOut, responses=ERRORS)
    async def score(body: ScoreBody, request: Request) -> JSONResponse:
        """Evaluate a small batch of profiles (at most 100; larger jobs: `subsidy-engine score`
        on a file). A bad profile refuses only itself."""
        language = pick_language(request.headers.get("accept-language"))

        def work() -> dict[str, Any]:
            scoring = reformed.get(body.reform)
            items: list[dict[str, Any]] = []
            for index, profile in enumerate(body.profiles):
                try:
                    evaluation = scoring.evaluate(profile, body.as_of)
                except ProfileError as error:
                    where = f"body.profiles[{index}]"
                    items.append(
                        {
                            "index": index,
                            "evaluation": None,
                            "error": profile_error_body(language, error, where),
                        }
                    )
                    continue
                view = _shaped(evaluation, body.options)
                items.append({"index": index, "evaluation": view, "error": None})
            refused = sum(1 for item in items if item["error"] is not None)
            return {"items": items, "evaluated": len(items) - refused, "refused": refused}

        return _JSONResponse(await within(limits.seconds, work))

    html = {"text/html": {"schema": {"type": "string"}}}
    page = {"description": "The notice, one HTML page with print CSS.", "content": html}

    @post("/notice", bodies.notice, response_model=None, responses={**ERRORS, 200: page})
    async def notice(body: NoticeBody, request: Request) -> HTMLResponse:
        """The printable notice (HTML, print CSS) for one profile, in Chinese or English."""
        from subsidy_engine.notice import notice_html

        language = pick_language(request.headers.get("accept-language"))

        def work() -> str:
            evaluation = engine.evaluate(facts(body.profile), body.as_of)
            return notice_html(evaluation, rulebook, facts(body.profile), language)

        return HTMLResponse(await within(limits.seconds, work))


def _rulebook_routes(app: FastAPI, rulebook: Rulebook) -> None:
    """The GET endpoints describing the rulebook."""

    @app.get("/rules", response_model=list[out.RuleRowOut], tags=["rulebook"])
    def rules() -> list[dict[str, Any]]:
        """Every rule: id, measure, titles, kind, unit and figure."""
        return rule_rows(rulebook)

    @app.get(
        "/rules/{rule_id}", response_model=out.RuleDetailOut, responses=NOT_FOUND, tags=["rulebook"]
    )
    def rule(rule_id: str, request: Request) -> Any:
        """One rule: citation, conditions, figure, readings taken, fields that decide it."""
        if any(r.id == rule_id for r in rulebook.rules):
            return rule_detail(rulebook, rule_id)
        else:
            language = pick_language(request.headers.get("accept-language"))
            problem = {
                "code": "unknown-rule",
                "field": "rule_id",
                "location": "path.rule_id",
                "message": rule_id,
                "hint": None,
            }
            body = error_body(language, "unknown-rule", "No such rule.", [problem])
            return JSONResponse(body, status_code=404)

    @app.get("/parameters", response_model=list[out.ParameterOut], tags=["rulebook"])
    def parameters() -> list[dict[str, Any]]:
        """Every parameter of the rulebook with its dated values and references."""
        return parameter_rows(rulebook)

    @app.get("/coverage", response_model=list[out.CoverageOut], tags=["rulebook"])
    def coverage() -> list[dict[str, Any]]:
        """Every measure of the text with its rules, or why it has none."""
        return coverage_rows(rulebook)

    @app.get(
        "/fields",
        response_model=list[out.FieldUseOut],
        responses={422: ERRORS[422]},
        tags=["rulebook"],
    )
    def fields(
        rule: str | None = Query(default=None, description="Only the fields of this rule."),
    ) -> list[dict[str, Any]]:
        """Each profile field with the rules it feeds, directly or through derived facts."""
        return field_rows(rulebook, rule)

    @app.get("/health", response_model=out.HealthOut, tags=["service"])
    def health() -> dict[str, Any]:
        """The service is up and its rulebook loaded."""
        return {
            "status": "ok",
            "rulebook_id": rulebook.id,
            "rulebook_sha256": rulebook.sha256,
            "engine_version": __version__,
        }


def _page_routes(app: FastAPI) -> None:
    """The self-test page and its assets."""

    @app.get("/", include_in_schema=False)
    def self_test() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _shaped(evaluation: Any, options: out.EvaluateOptions) -> dict[str, Any]:
    statuses = None if options.statuses is None else [s.value for s in options.statuses]
    return evaluation_view(
        evaluation, statuses=statuses, citations=options.citations, traces=options.traces
    )
