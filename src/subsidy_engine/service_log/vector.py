"""The vectorised check: every application of a log in one Polars pass, no Python per row.

Means exactly what `scalar.check_application` means (a differential test holds them equal):
the deadline is the limit's N-th working day after applied_on (`backends.polars.dates`), an
open application is judged at `period_end`, a year the calendar lacks leaves the answer
undetermined, naming the calendar, and so does a budget kind past its back-to-back date, naming
what would decide it.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from subsidy_engine.backends.polars.dates import add_working_days
from subsidy_engine.service_log.shape import LogShape
from subsidy_engine.service_log.status import (
    LATE,
    NOT_IN_FORCE,
    ON_TIME,
    PAUSED,
    PENDING,
    UNDETERMINED,
)

_LIMIT, _KNOWN, _END = "__limit", "__known", "__end"


def check_frame(
    shape: LogShape, log: pl.LazyFrame | pl.DataFrame, period_end: date
) -> pl.LazyFrame:
    """`log` (columns kind: String, applied_on: Date, completed_on: Date, optionally
    paused_working_days: Int64, and any others) with the columns `status.CHECK_COLUMNS`
    added. Every kind must be one of the shape's."""
    calendar = shape.calendar
    days = pl.Series("working_days", calendar.working_days(), dtype=pl.Date)
    years = sorted(calendar.known_years)
    budget = pl.col("kind").is_in([kind.name for kind in shape.kinds if kind.budget])
    paused = pl.col(PAUSED) if PAUSED in log.lazy().collect_schema() else pl.lit(None, pl.Int64)
    allowed = pl.col(_LIMIT) + pl.when(budget).then(paused.fill_null(0)).otherwise(0)
    deadline, known = add_working_days(pl.col("applied_on"), allowed, calendar)
    end = pl.col(_END)
    late_days = pl.lit(days).search_sorted(end, side="right").cast(pl.Int64) - pl.lit(
        days
    ).search_sorted(pl.col("deadline"), side="right").cast(pl.Int64)
    end_known = end.dt.year().is_in(years)
    no_limit = pl.col(_LIMIT).is_null()
    gap = no_limit.not_() & pl.col(_KNOWN).not_()
    done = pl.col("completed_on").is_not_null()
    in_time = end <= pl.col("deadline")
    status = (
        pl.when(no_limit)
        .then(pl.lit(NOT_IN_FORCE))
        .when(gap)
        .then(pl.lit(UNDETERMINED))
        .when(in_time & done)
        .then(pl.lit(ON_TIME))
        .when(in_time)
        .then(pl.lit(PENDING))
        .when(budget & paused.is_null())
        .then(pl.lit(UNDETERMINED))
        .otherwise(pl.lit(LATE))
    )
    is_late = pl.col("status") == LATE
    return (
        log.lazy()
        .with_columns(_limit(shape).alias(_LIMIT))
        .with_columns(
            deadline.alias("deadline"),
            known.fill_null(False).alias(_KNOWN),
            pl.coalesce(pl.col("completed_on"), pl.lit(period_end, dtype=pl.Date)).alias(_END),
        )
        .with_columns(
            pl.when(gap | no_limit).then(None).otherwise(pl.col("deadline")).alias("deadline")
        )
        .with_columns(status.alias("status"))
        .with_columns(
            pl.when(pl.col("status") == ON_TIME)
            .then(pl.lit(0, dtype=pl.Int64))
            .when(is_late & end_known)
            .then(late_days)
            .alias("working_days_late"),
            pl.when(gap | (is_late & end_known.not_()))
            .then(pl.lit(shape.calendar_gap))
            .when(pl.col("status") == UNDETERMINED)
            .then(pl.lit(PAUSED))
            .otherwise(pl.lit(None, dtype=pl.String))
            .alias("unknown"),
        )
        .drop(_LIMIT, _KNOWN, _END)
    )


def _limit(shape: LogShape) -> pl.Expr:
    """The working days allowed to each row's kind on its applied_on; null where none is."""
    kind, applied = pl.col("kind"), pl.col("applied_on")
    chain: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for application_kind in reversed(shape.kinds):
        for span in reversed(application_kind.spans):
            test = kind == application_kind.name
            if span.start is not None:
                test = test & (applied >= span.start)
            if span.end is not None:
                test = test & (applied <= span.end)
            chain = pl.when(test).then(pl.lit(span.working_days, dtype=pl.Int64)).otherwise(chain)
    return chain
