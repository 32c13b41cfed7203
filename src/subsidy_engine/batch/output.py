"""The public shape of results: codes to names, masks to sorted lists of names, totals.

Missing sets are decoded once per distinct mask (a handful per rulebook), then joined back; the
dynamic names computed per rule are merged in. Names are sorted and unique, as the scalar
backend's `tuple(sorted(...))`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from subsidy_engine.backends.polars.dtypes import decimal
from subsidy_engine.backends.polars.missing import Leaves
from subsidy_engine.backends.polars.plan import (
    AMOUNT_STATUSES,
    STATUSES,
    Plan,
    RulePlan,
    code,
    mask_column,
)
from subsidy_engine.backends.polars.rules import NAMES
from subsidy_engine.batch.columns import FIXED_MISSING, FIXED_UNSPECIFIED, POSITION
from subsidy_engine.batch.possible import possible_values
from subsidy_engine.batch.sparse import spread
from subsidy_engine.results import AmountStatus, Status
from subsidy_engine.rulebook.models import Unit

STATUS = pl.Enum(list(STATUSES))
AMOUNT_STATUS = pl.Enum(list(AMOUNT_STATUSES))
UNIT = pl.Enum([u.value for u in Unit])
_NAME_SOURCES = {
    "missing_facts": (FIXED_MISSING, 0, "__f"),
    "missing_parameters": (FIXED_MISSING, 1, "__p"),
    "unspecified_parameters": (FIXED_UNSPECIFIED, 1, "__up"),
    "arithmetic": (FIXED_MISSING, 2, None),
}
"""Each list of names: the mask words it decodes, which of their (facts, params, faults), and
the column of dynamic names merged in (None: an arithmetic fault's name is always fixed)."""


def finish(
    frame: pl.DataFrame,
    plan: Plan,
    profiles: pl.DataFrame,
    key: str | None,
    columns: Sequence[str],
) -> pl.DataFrame:
    """Internal result rows, in any order -> the public result table, by row, rule and item,
    with `columns` in that order. `profiles` holds the scored enterprises' `row` (and key), at
    the positions `__pos` names; `frame` holds the internal columns `columns` read."""
    order = _order(frame)
    names = _names(frame, order, plan, [c for c in columns if c in _NAME_SOURCES])
    decoded = _name_columns(plan.words)
    ordered = frame.select(c for c in frame.columns if c not in decoded).rechunk()[order]
    rules = plan.rules
    assert [r.index for r in rules] == list(range(len(rules)))
    ids = pl.Enum([r.rule.id for r in rules])
    readings = [_readings(r, plan) for r in rules]

    def per_rule(values: Sequence[object], dtype: pl.DataType) -> pl.Expr:
        return _lookup(pl.Series(values, dtype=dtype), "__rule")

    made = {
        "row": _lookup(profiles["row"], POSITION),
        "rule_id": per_rule([r.rule.id for r in rules], ids),
        "measure": per_rule([r.rule.measure.number for r in rules], pl.Int64()),
        "item": pl.col("item"),
        "item_label": pl.col("item_label"),
        "status": _lookup(pl.Series(STATUSES, dtype=STATUS), "__status"),
        "unit": per_rule([r.amount.unit.value for r in rules], UNIT),
        "amount": pl.when(_status_is(Status.ELIGIBLE)).then(pl.col("amount")),
        "potential_amount": pl.when(_status_is(Status.UNDETERMINED)).then(pl.col("amount")),
        "title": per_rule([r.rule.spec.title for r in rules], pl.String()),
        "amount_date": pl.col("amount_date"),
        "amount_status": _lookup(pl.Series(AMOUNT_STATUSES, dtype=AMOUNT_STATUS), "__as"),
        "payer": per_rule([r.payer for r in rules], pl.String()),
        "excluded_by": _lookup(pl.Series([r.rule.id for r in rules], dtype=ids), "__x"),
        "readings": per_rule(readings, pl.Enum(sorted(set(readings)))),
        **{name: pl.lit(values) for name, values in names.items()},
    }
    if key:
        made[key] = _lookup(profiles[key], POSITION)
    if "possible_values" in columns:
        made["possible_values"] = pl.lit(possible_values(ordered, profiles, plan))
    if "name" in columns:
        names_given = profiles["name"] if "name" in profiles.columns else None
        made["name"] = _lookup(names_given, POSITION) if names_given is not None else pl.lit(None)
    return ordered.select(made[c].alias(c) for c in columns)


def _status_is(status: Status) -> pl.Expr:
    return pl.col("__status") == code(status)


def _order(frame: pl.DataFrame) -> pl.Series:
    """The positions of `frame`'s rows in (row, rule, item) order. The parts of `frame` come in
    rule order, each in position (then item) order, and positions follow row numbers: a stable
    sort by position is enough. Sorting the positions alone, then taking the rows, spares
    taking every mask word and list of names of every row."""
    positions = frame.get_column(POSITION).rechunk()
    return pl.select(
        pl.int_range(positions.len(), dtype=pl.UInt32).sort_by(positions, maintain_order=True)
    ).to_series()


def _lookup(values: pl.Series, codes: str) -> pl.Expr:
    """`values[code]` for each code of column `codes` (null stays null)."""
    return pl.lit(values).gather(pl.col(codes))


def _names(
    frame: pl.DataFrame, order: pl.Series, plan: Plan, wanted: Sequence[str]
) -> dict[str, pl.Series]:
    """For each row of `frame` taken in `order`: the `wanted` lists of names (missing facts,
    missing parameters, unspecified parameters) — the names of its mask words merged with its
    dynamic names. Only the rows naming something are decoded (few: a decided row names
    nothing); the others get []."""
    if not wanted:
        return {}
    masks = {
        prefix: [mask_column(prefix, w) for w in range(plan.words)]
        for prefix in dict.fromkeys(_NAME_SOURCES[c][0] for c in wanted)
    }
    dynamic = [
        column
        for column in dict.fromkeys(_NAME_SOURCES[c][2] for c in wanted)
        if column is not None and (frame[column].list.len() > 0).any()
    ]
    # in one chunk: a frame of many parts searches the parts for every row taken
    read = frame.select(*(m for words in masks.values() for m in words), *dynamic).rechunk()
    flags = [pl.col(m) != 0 for words in masks.values() for m in words]
    flags += [pl.col(c).list.len().fill_null(0) > 0 for c in dynamic]
    naming = read.select(pl.any_horizontal(flags)).to_series().gather(order)
    chosen = read[order.filter(naming)]
    if not chosen.height:  # the same lists of nothing for every column
        nothing = spread(pl.Series([], dtype=NAMES), naming)
        return dict.fromkeys(wanted, nothing)
    kinds = {
        prefix: {_NAME_SOURCES[c][1] for c in wanted if _NAME_SOURCES[c][0] == prefix}
        for prefix in masks
    }
    decoded = {
        prefix: _decoded(chosen.select(words), plan.leaves, kinds[prefix])
        for prefix, words in masks.items()
    }
    out = {}
    for name in wanted:
        prefix, which, column = _NAME_SOURCES[name]
        names = decoded[prefix][which]
        merged = _merged(names, chosen[column]) if column in dynamic else names
        out[name] = spread(merged, naming)
    return out


def _name_columns(words: int) -> set[str]:
    """The internal columns only lists of names are read from: `_names` reads them on the rows
    naming something only."""
    dynamic = {column for _, _, column in _NAME_SOURCES.values() if column is not None}
    prefixes = {prefix for prefix, _, _ in _NAME_SOURCES.values()}
    return dynamic | {mask_column(prefix, w) for prefix in prefixes for w in range(words)}


def _decoded(masks: pl.DataFrame, leaves: Leaves, kinds: set[int]) -> dict[int, pl.Series]:
    """The fixed names of each row's mask words, decoded once per distinct mask: of each kind
    in `kinds` (0 facts, 1 params, 2 faults)."""
    distinct = masks.unique(maintain_order=True)
    decoded = [leaves.decode(words) for words in distinct.iter_rows()]
    position = _positions(masks, distinct)
    return {
        kind: pl.Series([names[kind] for names in decoded], dtype=NAMES).gather(position)
        for kind in kinds
    }


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
        rows.filter(pl.col("__status") == code(Status.ELIGIBLE))
        .group_by(POSITION)
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
        .with_row_index(POSITION)
        .join(totals, on=POSITION, how="left", maintain_order="left")
        .select(*columns, *fills)
    )


def _readings(rule: RulePlan, plan: Plan) -> str:
    """The readings of the text a rule's results used, `parameter=reading` joined by commas
    (empty when none), as `evaluate`'s results name them. One text per rule, so the column is
    an enum: a code per row, not a list."""
    parameters = plan.rulebook.parameters
    return ",".join(str(parameters[name].reading_at(plan.as_of)) for name in rule.rule.readings)
