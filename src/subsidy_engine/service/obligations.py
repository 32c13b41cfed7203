"""`POST /obligations`: the obligations of government bodies for a period, as JSON.

The body lists the subjects (`kind`, `name`, `facts`) and the period, and may give a service
hall's `applications` (the rows of an application log); the answer is the report
`subsidy-engine obligations --format json [--log LOG]` prints: each subject's obligations with
status, figures, missing facts, readings and citation, the log's deadline duties per department
and kind, the city roll-up, and what became of the log's rows.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoint's annotations as objects.

from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from subsidy_engine.engine import Engine
from subsidy_engine.service.limits import Limits, within
from subsidy_engine.service.models import CitationOut, ProvenanceOut, ReadingOut, _Out

if TYPE_CHECKING:
    import polars as pl

Decimal = str
MAX_SUBJECTS = 1000
MAX_APPLICATIONS = 100_000


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=64, description="A subject kind the rulebook declares.")
    name: str = Field(min_length=1, max_length=200, description="Which body: its name.")
    facts: dict[str, Any] = Field(
        default_factory=dict, description="Its facts for the period (see the kind's facts file)."
    )


class ApplicationIn(BaseModel):
    """One row of a service hall's application log, dates as YYYY-MM-DD; a bad row is
    refused in the answer's `log.rejected`, by its place in the list (from 1)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(max_length=200, description="The application's identifier.")
    kind: str | None = Field(max_length=64, description="An application kind of the rulebook.")
    applied_on: str | None = Field(max_length=32, description="The day it was accepted.")
    completed_on: str | None = Field(
        default=None, max_length=32, description="The day it was completed; empty while open."
    )
    department: str | None = Field(max_length=200, description="The department accepting it.")
    paused_working_days: int | None = Field(
        default=None, description="Working days not counted, for a budget kind only."
    )


class ObligationsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(
        pattern=r"^[0-9]{4}([Qq][1-4])?$", description="A quarter (2020Q1) or a year (2020)."
    )
    subjects: list[SubjectIn] = Field(max_length=MAX_SUBJECTS)
    applications: list[ApplicationIn] | None = Field(
        default=None,
        max_length=MAX_APPLICATIONS,
        description="A service hall's application log, checked against the deadline rules.",
    )


class ReportPeriodOut(_Out):
    label: str = Field(description="The period as given: 2020Q1 or 2020.")
    start: date = Field(description="Its first day.")
    end: date = Field(description="Its last day: parameters and force are read on it.")


class ObligationResultOut(_Out):
    rule_id: str = Field(description="The obligation's id.")
    title: str = Field(description="Its title in Chinese.")
    subject_kind: str = Field(description="The kind of body it binds.")
    subject: str = Field(description="The body, as named in the request.")
    period: dict[str, date | None] = Field(description="The period checked (`start`, `end`).")
    status: str = Field(description="met, not_met, undetermined or not_in_force.")
    unit: str = Field(description="What the figures count: yuan, share, count, working_days.")
    required: Decimal | None = Field(description="The figure the text requires.")
    achieved: Decimal | None = Field(description="The figure achieved.")
    shortfall: Decimal | None = Field(description="How far achieved falls short; 0 when met.")
    citation: CitationOut
    missing_facts: list[str] = Field(description="Facts that would decide it.")
    readings: list[ReadingOut] = Field(description="The readings its figures used.")
    missing_parameters: list[str] = Field(description="Parameters with no value for the period.")
    arithmetic: list[str] = Field(
        description="The arithmetic faults that left a figure undetermined, each "
        "`overflow: <expression>` or `division_by_zero: <expression>`."
    )
    direction: str = Field(description="at_least or at_most.")
    interpretation: str | None = Field(description="How the text is read.")
    interpretation_zh: str | None = Field(description="The same reading in Chinese.")


class ObligationRollupOut(_Out):
    rule_id: str = Field(description="The obligation's id.")
    title: str = Field(description="Its title in Chinese.")
    subject_kind: str = Field(description="The kind of body it binds.")
    unit: str = Field(description="What the figures count.")
    citation: CitationOut
    subjects: int = Field(description="Subjects it was checked for.")
    met: int = Field(description="Of them, met.")
    not_met: int = Field(description="Not met.")
    undetermined: int = Field(description="Undetermined (facts missing).")
    not_in_force: int = Field(description="Not in force in the period.")
    required: Decimal | None = Field(description="Sum over the subjects decided.")
    achieved: Decimal | None = Field(description="Sum over the subjects decided.")
    shortfall: Decimal | None = Field(description="Sum over the subjects decided.")


class RejectedRowOut(_Out):
    row: int = Field(description="The application's place in the list, from 1.")
    id: str | None = Field(description="Its id, when given.")
    reason: str = Field(description="Every problem of the row.")


class LogOut(_Out):
    source: str = Field(description="Where the log came from.")
    rows_read: int = Field(description="Rows given: in the period + outside it + rejected.")
    in_period: int = Field(description="Applications accepted within the period.")
    rejected: list[RejectedRowOut] = Field(description="Every row refused, with why.")
    rows_rejected: int = Field(description="How many rows were refused.")


class ObligationReportOut(_Out):
    period: ReportPeriodOut
    provenance: ProvenanceOut
    results: list[ObligationResultOut] = Field(description="Subject by subject.")
    rollup: list[ObligationRollupOut] = Field(description="The city: one row per obligation.")
    log: LogOut | None = Field(default=None, description="When applications were given.")


def add_obligations_route(
    app: FastAPI, engine: Engine, limits: Limits, responses: dict[int | str, dict[str, Any]]
) -> None:
    """Add `POST /obligations` to `app`."""
    from fastapi.responses import JSONResponse

    from subsidy_engine.obligations.views import report_json

    @app.post(
        "/obligations",
        tags=["obligations"],
        response_model=ObligationReportOut,
        responses=responses,
    )
    async def obligations(body: ObligationsBody) -> JSONResponse:
        """Every obligation of each subject for the period, and the city roll-up."""

        def work() -> dict[str, Any]:
            subjects = [subject.model_dump() for subject in body.subjects]
            log = None if body.applications is None else _log_frame(body.applications)
            return report_json(engine.obligations(subjects, body.period, log))

        return JSONResponse(await within(limits.seconds, work))


def _log_frame(applications: list[ApplicationIn]) -> "pl.DataFrame":
    """The rows as a log's frame, every cell text, for `service_log.parse_log` to check."""
    import polars as pl

    columns = list(ApplicationIn.model_fields)
    rows = [
        [None if value is None else str(value) for value in application.model_dump().values()]
        for application in applications
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
