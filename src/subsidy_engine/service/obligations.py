"""`POST /obligations`: the obligations of government bodies for a period, as JSON.

The body lists the subjects (`kind`, `name`, `facts`) and the period; the answer is the report
`subsidy-engine obligations --format json` prints: each subject's obligations with status,
figures, missing facts, readings and citation, and the city roll-up.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoint's annotations as objects.

from datetime import date
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from subsidy_engine.engine import Engine
from subsidy_engine.service.limits import Limits, within
from subsidy_engine.service.models import CitationOut, ProvenanceOut, ReadingOut, _Out

Decimal = str
MAX_SUBJECTS = 1000


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=64, description="A subject kind the rulebook declares.")
    name: str = Field(min_length=1, max_length=200, description="Which body: its name.")
    facts: dict[str, Any] = Field(
        default_factory=dict, description="Its facts for the period (see the kind's facts file)."
    )


class ObligationsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(
        pattern=r"^[0-9]{4}([Qq][1-4])?$", description="A quarter (2020Q1) or a year (2020)."
    )
    subjects: list[SubjectIn] = Field(max_length=MAX_SUBJECTS)


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


class ObligationReportOut(_Out):
    period: ReportPeriodOut
    provenance: ProvenanceOut
    results: list[ObligationResultOut] = Field(description="Subject by subject.")
    rollup: list[ObligationRollupOut] = Field(description="The city: one row per obligation.")


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
            return report_json(engine.obligations(subjects, body.period))

        return JSONResponse(await within(limits.seconds, work))
