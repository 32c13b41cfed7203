"""Measure 6 as a duty: per department and kind, over a period, met, not met or undetermined.

A department meets a kind's deadline over a period when none of its applications of that kind
accepted in the period is late. Figures count applications: `required` those with a limit in
force, `achieved` those on time, `shortfall` those late. Open applications whose deadline has
not passed at the period's end, deadlines the calendar cannot give, and budget kinds past their
back-to-back date leave it undetermined when nothing is late; `missing_facts` says what would
decide it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from subsidy_engine.obligations.results import ObligationResult, ObligationStatus
from subsidy_engine.results import Period
from subsidy_engine.service_log.shape import LogShape
from subsidy_engine.service_log.status import (
    LATE,
    NOT_IN_FORCE,
    ON_TIME,
    PENDING,
    STATUSES,
    UNDETERMINED,
)


def obligation_results(
    shape: LogShape, checked: pl.LazyFrame | pl.DataFrame, period: Period
) -> list[ObligationResult]:
    """One result per department and kind present in `checked` (applications of `period`,
    checked at its end), sorted by department then kind."""
    counts = (
        checked.lazy()
        .group_by("department", "kind")
        .agg(
            *((pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES),
            pl.col("unknown").drop_nulls().unique().sort().alias("unknown"),
        )
        .sort("department", "kind")
        .collect()
    )
    return [_result(shape, row, period) for row in counts.iter_rows(named=True)]


def _result(shape: LogShape, row: dict[str, Any], period: Period) -> ObligationResult:
    kind = shape.kind(str(row["kind"]))
    on_time, late = int(row[ON_TIME]), int(row[LATE])
    open_, unknown = int(row[PENDING]), int(row[UNDETERMINED])
    required = on_time + late + open_ + unknown
    missing: tuple[str, ...] = ()
    shortfall: Decimal | None = Decimal(late)
    if required == 0 and int(row[NOT_IN_FORCE]):
        status, shortfall = ObligationStatus.NOT_IN_FORCE, None
    elif late:
        status = ObligationStatus.NOT_MET
    elif open_ or unknown:
        status, shortfall = ObligationStatus.UNDETERMINED, None
        missing = (("completed_on",) if open_ else ()) + tuple(row["unknown"])
    else:
        status = ObligationStatus.MET
    return ObligationResult(
        rule_id=kind.rule.id,
        title=kind.rule.spec.title,
        subject_kind=shape.subject_kind,
        subject=str(row["department"]),
        period=period,
        status=status,
        unit="count",
        required=Decimal(required),
        achieved=Decimal(on_time),
        shortfall=shortfall,
        citation=kind.rule.citation,
        missing_facts=missing,
    )
