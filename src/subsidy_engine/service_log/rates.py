"""Compliance rates of checked applications, by department, kind and month of application.

`on_time_rate` is on time / (on time + late): pending, undetermined and not-in-force
applications decide nothing and are counted apart. The mean and max working days late are over
the late applications whose count the calendar gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from subsidy_engine.errors import InputError
from subsidy_engine.service_log.status import LATE, ON_TIME, STATUSES

GROUPS = ("department", "kind", "month")


def compliance_rates(
    checked: pl.LazyFrame | pl.DataFrame, by: Sequence[str] = GROUPS
) -> pl.DataFrame:
    """One row per group of `by` (any of `GROUPS`, in that order of columns), sorted."""
    unknown = [name for name in by if name not in GROUPS]
    if unknown:
        raise InputError(f"cannot group by {', '.join(unknown)}; groups are {', '.join(GROUPS)}")
    keys = list(dict.fromkeys(by))
    late = pl.col("working_days_late").filter(pl.col("status") == LATE)
    counts = [(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in STATUSES]
    frame = checked.lazy().with_columns(pl.col("applied_on").dt.strftime("%Y-%m").alias("month"))
    aggregates = [
        pl.len().cast(pl.Int64).alias("applications"),
        *counts,
        late.mean().round(2).alias("mean_working_days_late"),
        late.max().alias("max_working_days_late"),
    ]
    aggregated = (
        frame.group_by(keys).agg(aggregates).sort(keys) if keys else frame.select(aggregates)
    )
    decided = pl.col(ON_TIME) + pl.col(LATE)
    rate = pl.when(decided > 0).then((pl.col(ON_TIME) / decided).round(4))
    result = aggregated.with_columns(rate.alias("on_time_rate"))
    ordered = [*keys, "applications", *STATUSES, "on_time_rate"]
    ordered += ["mean_working_days_late", "max_working_days_late"]
    return result.select(ordered).collect()
