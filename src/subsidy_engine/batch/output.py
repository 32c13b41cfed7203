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


def finish(
    frame: pl.DataFrame, plan: Plan, profiles: pl.DataFrame, key: str | None
) -> pl.DataFrame:
    """Internal result rows, in any order -> the public result table, by row, rule and item.
    `profiles` holds the scored enterprises' `row` (and key), at the positions `__pos` names."""
    frame = frame.rechunk()  # a gather from a frame of many parts searches the parts per row
    order = _order(frame)
    names = _names(frame, plan, order)
    scalars = ["__pos", "__rule", "item", "item_label", "__status", "amount", "amount_date"]
    ordered = frame.select(pl.col([*scalars, "__as", "__x"]).gather(order))
    rules = plan.rules
    assert [r.index for r in rules] == list(range(len(rules)))
    ids = pl.Enum([r.rule.id for r in rules])

    def per_rule(values: list[object], dtype: pl.DataType) -> pl.Expr:
        return _lookup(pl.Series(values, dtype=dtype), "__rule")

    return ordered.select(
        _lookup(profiles["row"], "__pos").alias("row"),
        *([_lookup(profiles[key], "__pos").alias(key)] if key else []),
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
        pl.lit(names[0]).alias("missing_facts"),
        pl.lit(names[1]).alias("missing_parameters"),
        pl.lit(names[2]).alias("unspecified_parameters"),
        _lookup(pl.Series([r.rule.id for r in rules], dtype=ids), "__x").alias("excluded_by"),
    )


def _order(frame: pl.DataFrame) -> pl.Series:
    """The positions of `frame`'s rows in (row, rule, item) order. The parts of `frame` come
    in rule order, each in position (then item) order, and positions follow row numbers: a
    stable sort by position is enough."""
    positions = pl.int_range(pl.len(), dtype=pl.UInt32).sort_by("__pos", maintain_order=True)
    return frame.select(positions).to_series()


def _lookup(values: pl.Series, codes: str) -> pl.Expr:
    """`values[code]` for each code of column `codes` (null stays null)."""
    return pl.lit(values).gather(pl.col(codes))


def _names(frame: pl.DataFrame, plan: Plan, order: pl.Series) -> list[pl.Series]:
    """For each row, in `order`: its missing facts, missing parameters and unspecified
    parameters — the names of its mask words merged with its dynamic names. Only the rows
    naming something are decoded (few: a decided row names nothing); the others get []."""
    fixed = [mask_column("__m", w) for w in range(plan.words)]
    unspecified = [mask_column("__u", w) for w in range(plan.words)]
    dynamic = [c for c in ("__f", "__p", "__up") if (frame[c].list.len() > 0).any()]
    flags = [pl.col(m) != 0 for m in (*fixed, *unspecified)]
    flags += [pl.col(c).list.len().fill_null(0) > 0 for c in dynamic]
    naming = frame.select(pl.any_horizontal(flags)).to_series().cast(pl.UInt32)
    chosen = frame.filter(naming.cast(pl.Boolean))
    # 0 for a row naming nothing, else 1 + its place among the rows that do
    index = (naming.cum_sum() * naming).gather(order)
    facts, params = _decoded(chosen.select(fixed), plan.leaves)
    _, unspecified_params = _decoded(chosen.select(unspecified), plan.leaves)
    nothing = pl.Series([[]], dtype=NAMES)
    out = []
    for names, column in ((facts, "__f"), (params, "__p"), (unspecified_params, "__up")):
        merged = _merged(names, chosen[column]) if column in dynamic else names
        out.append(pl.concat([nothing, merged], rechunk=True).gather(index))
    return out


def _decoded(masks: pl.DataFrame, leaves: Leaves) -> tuple[pl.Series, pl.Series]:
    """The fixed names (facts, params) of each row's mask words, decoded once per distinct
    mask."""
    distinct = masks.unique(maintain_order=True)
    decoded = [leaves.decode(words) for words in distinct.iter_rows()]
    position = _positions(masks, distinct)
    facts = pl.Series([f for f, _ in decoded], dtype=NAMES).gather(position)
    params = pl.Series([p for _, p in decoded], dtype=NAMES).gather(position)
    return facts, params


def _positions(keys: pl.DataFrame, distinct: pl.DataFrame) -> pl.Series:
    """For each row of `keys`, the position of its value among the `distinct` rows."""
    if distinct.height <= 1:
        return pl.zeros(keys.height, dtype=pl.UInt32, eager=True)
    if keys.width == 1:
        (mask,) = keys.columns
        numbers = pl.int_range(distinct.height, eager=True)
        return keys.select(
            pl.col(mask).replace_strict(distinct[mask], numbers, return_dtype=pl.UInt32)
        ).to_series()
    numbered = distinct.with_row_index("__position")
    found = keys.join(numbered, on=keys.columns, how="left", maintain_order="left")
    return found["__position"]


def _merged(fixed: pl.Series, dynamic: pl.Series) -> pl.Series:
    """The fixed names and the dynamic ones, sorted and unique (the fixed ones already are, so
    only the rows with dynamic names are sorted)."""
    frame = pl.DataFrame({"fixed": fixed, "dynamic": dynamic})
    has = pl.col("dynamic").list.len().fill_null(0) > 0
    # list.eval: `.list.sort()` of strings costs some ten microseconds a row
    both = pl.concat_list("fixed", "dynamic").list.eval(pl.element().unique().sort())
    merged = frame.filter(has).select(both).to_series()
    # a row with dynamic names reads its merged list, after the fixed ones; any other its own
    after = has.cum_sum().cast(pl.Int64) + (frame.height - 1)
    index = frame.select(pl.when(has).then(after).otherwise(pl.int_range(pl.len()))).to_series()
    return pl.concat([fixed, merged], rechunk=True).gather(index)


def summary(rows: pl.DataFrame, scored: pl.DataFrame, plan: Plan, key: str | None) -> pl.DataFrame:
    """One row per scored enterprise (`scored`: `row` and key, at the positions `__pos` of
    `rows` names; `rows` holds every rule's eligible rows, at least): for each payer, the sum
    of its eligible cash amounts that
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
        rows.filter(pl.col("__status") == code(Status.ELIGIBLE)).group_by("__pos").agg(aggregations)
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
        .with_row_index("__pos")
        .join(totals, on="__pos", how="left", maintain_order="left")
        .select(*columns, *fills)
    )
