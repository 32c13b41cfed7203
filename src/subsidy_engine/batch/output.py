"""The public shape of results: codes to names, masks to sorted lists of names, totals.

Missing sets are decoded once per distinct mask (a handful per rulebook), then joined back; the
dynamic names computed per rule are merged in. Names are sorted and unique, as the scalar
backend's `tuple(sorted(...))`.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from subsidy_engine.batch.dtypes import decimal
from subsidy_engine.batch.missing import Leaves
from subsidy_engine.batch.plan import AMOUNT_STATUSES, STATUSES, Plan, code, mask_column
from subsidy_engine.batch.rules import NAMES
from subsidy_engine.results import AmountStatus, Status
from subsidy_engine.rulebook.models import Unit

STATUS = pl.Enum(list(STATUSES))
AMOUNT_STATUS = pl.Enum(list(AMOUNT_STATUSES))
UNIT = pl.Enum([u.value for u in Unit])
COLUMNS = (
    "row",
    "rule_id",
    "measure",
    "item",
    "item_label",
    "status",
    "unit",
    "amount",
    "amount_date",
    "amount_status",
    "payer",
    "missing_facts",
    "missing_parameters",
    "unspecified_parameters",
    "excluded_by",
)
"""The result columns, in order; the profile key comes second when the profile has one."""


def finish(frame: pl.DataFrame, plan: Plan, key: str | None) -> pl.DataFrame:
    """Internal result rows -> the public result table."""
    words = plan.words
    masks = [mask_column("__m", w) for w in range(words)]
    unspecified = [mask_column("__u", w) for w in range(words)]
    frame = _decoded(frame, masks, plan.leaves, ("__sf", "__sp"))
    frame = _decoded(frame, unspecified, plan.leaves, ("__uf", "__usp"))
    rules = plan.rules
    assert [r.index for r in rules] == list(range(len(rules)))
    ids = pl.Enum([r.rule.id for r in rules])

    def per_rule(values: list[object], dtype: pl.DataType) -> pl.Expr:
        return _lookup(pl.Series(values, dtype=dtype), "__rule")

    return frame.select(
        "row",
        *([key] if key else []),
        per_rule([r.rule.id for r in rules], ids).alias("rule_id"),
        per_rule([r.rule.measure.number for r in rules], pl.Int64()).alias("measure"),
        "item",
        "item_label",
        _lookup(pl.Series(STATUSES, dtype=STATUS), "__status").alias("status"),
        per_rule([r.amount.unit.value for r in rules], UNIT).alias("unit"),
        "amount",
        "amount_date",
        _lookup(pl.Series(AMOUNT_STATUSES, dtype=AMOUNT_STATUS), "__as").alias("amount_status"),
        per_rule([r.payer for r in rules], pl.String()).alias("payer"),
        _merged(frame, "__sf", "__f").alias("missing_facts"),
        _merged(frame, "__sp", "__p").alias("missing_parameters"),
        _merged(frame, "__usp", "__up").alias("unspecified_parameters"),
        _lookup(pl.Series([r.rule.id for r in rules], dtype=ids), "__x").alias("excluded_by"),
    )


def _lookup(values: pl.Series, codes: str) -> pl.Expr:
    """`values[code]` for each code of column `codes` (null stays null)."""
    return pl.lit(values).gather(pl.col(codes))


def _decoded(
    frame: pl.DataFrame, masks: list[str], leaves: Leaves, names: tuple[str, str]
) -> pl.DataFrame:
    """`frame` with the fixed names (facts, params) of its mask words, decoded once per
    distinct mask."""
    keys = frame.select(masks)
    distinct = keys.unique(maintain_order=True)
    facts, params = [], []
    for words in distinct.iter_rows():
        f, p = leaves.decode(words)
        facts.append(f)
        params.append(p)
    if distinct.height <= 1:  # one missing set for every row (often: none)
        empty = distinct.height == 0
        return frame.with_columns(
            pl.lit([] if empty else facts[0], dtype=NAMES).alias(names[0]),
            pl.lit([] if empty else params[0], dtype=NAMES).alias(names[1]),
        )
    if len(masks) == 1:
        (mask,) = masks
        position = keys.select(
            pl.col(mask).replace_strict(
                distinct[mask], pl.int_range(distinct.height, eager=True), return_dtype=pl.UInt32
            )
        ).to_series()
    else:
        numbered = distinct.with_row_index("__position")
        position = keys.join(numbered, on=masks, how="left", maintain_order="left")["__position"]
    return frame.with_columns(
        pl.Series(names[0], facts, dtype=NAMES).gather(position),
        pl.Series(names[1], params, dtype=NAMES).gather(position),
    )


def _merged(frame: pl.DataFrame, fixed: str, dynamic: str) -> pl.Expr:
    """The fixed names and the dynamic ones, sorted and unique (the fixed ones already are)."""
    if frame[dynamic].null_count() == frame.height:
        return pl.col(fixed)
    both = pl.concat_list(pl.col(fixed), pl.col(dynamic).fill_null(pl.lit([], dtype=NAMES)))
    return (
        pl.when(pl.col(dynamic).list.len().fill_null(0) == 0)
        .then(pl.col(fixed))
        .otherwise(both.list.unique().list.sort())
    )


def summary(
    eligible: pl.DataFrame, scored: pl.DataFrame, plan: Plan, key: str | None
) -> pl.DataFrame:
    """One row per scored enterprise: for each payer, the sum of its eligible cash amounts that
    are determined, how many those are, and how many eligible ones have no figure (unspecified
    or unknown) — `evaluate`'s totals, payers in sorted order, zero where none."""
    payers = sorted({r.payer for r in plan.rules if r.is_cash})
    determined = pl.col("__as") == code(AmountStatus.DETERMINED)
    aggregations: list[pl.Expr] = []
    for payer in payers:
        of_payer = pl.col("__rule").is_in(
            [r.index for r in plan.rules if r.is_cash and r.payer == payer]
        )
        aggregations += [
            pl.col("amount").filter(of_payer & determined).sum().alias(f"amount_{payer}"),
            (of_payer & determined).sum().cast(pl.Int64).alias(f"counted_{payer}"),
            (of_payer & ~determined).sum().cast(pl.Int64).alias(f"unspecified_{payer}"),
        ]
    columns = ["row", *([key] if key else [])]
    if not aggregations:
        return scored.select(columns)
    totals = (
        eligible.filter(pl.col("__status") == code(Status.ELIGIBLE))
        .group_by("row")
        .agg(aggregations)
    )
    zero = pl.lit(Decimal(0), dtype=decimal(2))
    fills = []
    for payer in payers:
        fills += [
            pl.col(f"amount_{payer}").fill_null(zero),
            pl.col(f"counted_{payer}").fill_null(0),
            pl.col(f"unspecified_{payer}").fill_null(0),
        ]
    return (
        scored.select(columns)
        .join(totals, on="row", how="left", maintain_order="left")
        .with_columns(fills)
    )
