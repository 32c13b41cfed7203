"""A registry's roll-up: per group (a profile field such as county) × measure × payer, how many
enterprises are eligible, the eligible cash, the eligible cash entitlements without a figure, and
the undetermined entitlements — numbers an office can add up.

Each batch gives a part (`rollup_part`); parts add up (`merge_rollups`), since an enterprise
lives in one batch only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from subsidy_engine.backends.polars.dtypes import decimal
from subsidy_engine.backends.polars.plan import Plan, code
from subsidy_engine.batch.columns import POSITION
from subsidy_engine.results import AmountStatus, Status

ROLLUP_SOURCES = frozenset({POSITION, "__rule", "__status", "amount", "__as"})
COUNTS = ("enterprises_eligible", "cash", "eligible_without_figure", "undetermined")


def rollup_part(rows: pl.DataFrame, base: pl.DataFrame, plan: Plan, by: str) -> pl.DataFrame:
    """The roll-up of one batch: `rows` are its internal result rows (eligible and undetermined
    at least), `base` its scored profiles at the positions `__pos` names."""
    rules = plan.rules

    def per_rule(values: list[object], dtype: pl.DataType) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("__rule"))

    group = base[by].cast(pl.String) if by in base.columns else pl.Series(by, [None] * base.height)
    eligible = pl.col("__status") == code(Status.ELIGIBLE)
    cash = pl.col("__cash") & eligible
    determined = pl.col("__as") == code(AmountStatus.DETERMINED)
    counted = pl.col("__status").is_in([code(Status.ELIGIBLE), code(Status.UNDETERMINED)])
    return (
        rows.lazy()
        .filter(counted)
        .select(
            pl.lit(group.cast(pl.String)).gather(pl.col(POSITION)).alias(by),
            per_rule([r.rule.measure.number for r in rules], pl.Int64()).alias("measure"),
            per_rule([r.payer for r in rules], pl.String()).alias("payer"),
            per_rule([r.is_cash for r in rules], pl.Boolean()).alias("__cash"),
            POSITION,
            "__status",
            "__as",
            "amount",
        )
        .group_by(by, "measure", "payer")
        .agg(
            pl.col(POSITION).filter(eligible).n_unique().cast(pl.Int64).alias(COUNTS[0]),
            pl.col("amount").filter(cash & determined).sum().alias(COUNTS[1]),
            (cash & ~determined).sum().cast(pl.Int64).alias(COUNTS[2]),
            (pl.col("__status") == code(Status.UNDETERMINED)).sum().cast(pl.Int64).alias(COUNTS[3]),
        )
        .collect()
    )


def merge_rollups(parts: Sequence[pl.DataFrame], by: str) -> pl.DataFrame:
    """The parts added up, in (group, measure, payer) order."""
    if not parts:
        return pl.DataFrame(
            schema={
                by: pl.String(),
                "measure": pl.Int64(),
                "payer": pl.String(),
                COUNTS[0]: pl.Int64(),
                COUNTS[1]: decimal(2),
                COUNTS[2]: pl.Int64(),
                COUNTS[3]: pl.Int64(),
            }
        )
    zero = pl.lit(Decimal(0), dtype=decimal(2))
    return (
        pl.concat(parts)
        .group_by(by, "measure", "payer")
        .agg(pl.col(COUNTS).sum())
        .with_columns(pl.col(COUNTS[1]).fill_null(zero).cast(decimal(2)))
        .sort(by, "measure", "payer", nulls_last=True)
    )


def by_measure(rollup: pl.DataFrame, by: str) -> pl.DataFrame:
    """The roll-up summed over the groups: one row per measure × payer (groups are disjoint,
    so enterprises add up)."""
    return rollup.group_by("measure", "payer").agg(pl.col(COUNTS).sum()).sort("measure", "payer")
