"""Every rule's results as rows: one per enterprise × rule (× item for a per-item rule).

Each rule gives a LazyFrame with the same internal columns (`long_schema`), read from the frame
it is judged in: the enterprise frame, or the item frame of its list field — a
per-item rule also gives one row for each enterprise whose list is missing (undetermined) or
empty (ineligible), as the scalar backend does. Status and amount status are codes; missing
sets are still bit masks (decoded in `output`); the enterprise is its position in the base
frame (`POSITION`), its row number and key are looked up in `output`. Only the columns the
chosen result columns read (`columns.sources`) are computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import polars as pl

from subsidy_engine.backends.polars.compiler import ITEM_INDEX
from subsidy_engine.backends.polars.dtypes import decimal
from subsidy_engine.backends.polars.missing import ZERO, Missing
from subsidy_engine.backends.polars.plan import (
    Plan,
    QuantityPlan,
    RulePlan,
    code_lit,
    mask_column,
    materialised,
    store,
    store_missing,
)
from subsidy_engine.backends.polars.rules import NAMES, Excluder, Outcome, fixed_outcome, judge
from subsidy_engine.backends.polars.vec import Vec
from subsidy_engine.batch.columns import FIXED_MISSING, FIXED_UNSPECIFIED, POSITION
from subsidy_engine.batch.frames import item_frame
from subsidy_engine.lang.types import BOOL
from subsidy_engine.memo import Memo
from subsidy_engine.results import AmountStatus, Status


def long_schema(words: int, sources: frozenset[str]) -> dict[str, pl.DataType]:
    """The internal columns of the parts, those of `sources` only."""
    schema: dict[str, pl.DataType] = {
        POSITION: pl.UInt32(),
        "__rule": pl.UInt16(),
        "item": pl.Int64(),
        "item_label": pl.String(),
        "__status": pl.UInt8(),
        "__f": NAMES,
        "__p": NAMES,
        "amount": decimal(2),
        "amount_date": pl.Date(),
        "__as": pl.UInt8(),
        "__up": NAMES,
        "__x": pl.UInt16(),
    }
    for prefix in (FIXED_MISSING, FIXED_UNSPECIFIED):
        schema |= {mask_column(prefix, w): pl.UInt64() for w in range(words)}
    return {name: dtype for name, dtype in schema.items() if _source(name) in sources}


def _source(column: str) -> str:
    """The name `sources` gives an internal column: a mask word by its prefix."""
    return column.split("#", 1)[0]


def rule_rows(
    plan: Plan,
    base: pl.DataFrame,
    excluders: Mapping[int, Excluder],
    kept: Sequence[int],
    sources: frozenset[str],
) -> list[pl.LazyFrame]:
    """The results of every rule whose status code is in `kept`, one LazyFrame per part (rule,
    or rule and its no-item rows), parts in rule order, rows of a part in (position, item)
    order, with the internal columns `sources` names. The parts' expressions are built once per
    plan, statuses and sources: the excluders read columns the plan names, the same for every
    batch."""
    chosen = tuple(kept)
    parts = _PARTS.get(plan, (chosen, sources), lambda: _parts(plan, excluders, chosen, sources))
    base = base.with_row_index(POSITION)
    frames: dict[str | None, pl.DataFrame] = {None: base}
    for field in dict.fromkeys(p.list_field for p in parts if p.list_field is not None):
        exprs = [e for p in parts if p.list_field == field for e in p.reads()]
        frames[field] = item_frame(base, field, exprs)
    return [p.rows(frames[p.list_field]) for p in parts]


@dataclass(frozen=True, slots=True)
class _Part:
    """One part of the results as expressions, read from the enterprise frame, or from the
    item frame of `list_field`: the conditions' values and the status are computed on every
    row, the other columns (missing sets and names above all) only on the rows kept."""

    list_field: str | None
    every_row: list[pl.Expr]
    status: pl.Expr
    kept: tuple[int, ...]
    kept_rows: list[pl.Expr]
    columns: list[pl.Expr]

    def reads(self) -> list[pl.Expr]:
        return [*self.every_row, self.status, *self.kept_rows, *self.columns]

    def rows(self, frame: pl.DataFrame) -> pl.LazyFrame:
        return (
            frame.lazy()
            .with_columns(self.every_row)
            .with_columns(self.status.alias("__status"))
            .filter(pl.col("__status").is_in(self.kept))
            .with_columns(self.kept_rows)
            .select(self.columns)
        )


_PARTS: Memo[tuple[_Part, ...]] = Memo()


@dataclass(frozen=True, slots=True)
class _Shape:
    """What every part gives: the rows of which statuses, which internal columns."""

    words: int
    kept: tuple[int, ...]
    sources: frozenset[str]


def _parts(
    plan: Plan, excluders: Mapping[int, Excluder], kept: tuple[int, ...], sources: frozenset[str]
) -> tuple[_Part, ...]:
    shape = _Shape(plan.words, kept, sources)
    out: list[tuple[int, _Part]] = []
    for rule in plan.rules:
        if not rule.in_force:
            outcome = fixed_outcome(rule, code_lit(Status.NOT_IN_FORCE))
            out.append((rule.index, _part(None, rule, outcome, shape, per_item=False)))
            continue
        chosen = [excluders[i] for i in rule.excluders if i in excluders]
        stored = _stored(rule)
        outcome = judge(stored.rule, plan.leaves, chosen)
        field = rule.for_each.list_field if rule.for_each is not None else None
        if field is not None:
            out.append((rule.index, _no_items(rule, plan, shape, chosen)))
        out.append((rule.index, _part(field, rule, outcome, shape, stored)))
    return tuple(part for _, part in sorted(out, key=lambda indexed: indexed[0]))


@dataclass(frozen=True, slots=True)
class _Stored:
    """A rule's conditions and amount as columns, and the rule reading them back. Status,
    missing set, exclusion and names all read them, and Polars computes an expression once per
    reader (a division or a working-day count dozens of times) unless it is a column."""

    every_row: list[pl.Expr]
    """The conditions' values: the status reads them on every row."""
    kept_rows: list[pl.Expr]
    """The conditions' missing sets and the amount: only the rows kept read them."""
    rule: RulePlan


def _stored(rule: RulePlan) -> _Stored:
    named = [(f"__c{i}", c) for i, c in enumerate(rule.conditions)]
    values = [c.value.alias(n) for n, c in named]
    masks = [e for n, c in named for e in store_missing(n, c.missing)]
    reading = replace(rule, conditions=tuple(materialised(n, c) for n, c in named))
    vec = rule.amount.vec
    if vec is None:
        return _Stored(values, masks, reading)
    quantity = replace(rule.amount, vec=materialised("__a", vec))
    reading = replace(reading, amount=quantity)
    if rule.ended_before is not None:  # whether the period has ended is part of the status
        return _Stored([*values, *store("__a", vec)], masks, reading)
    return _Stored(values, [*masks, *store("__a", vec)], reading)


def _no_items(rule: RulePlan, plan: Plan, shape: _Shape, excluders: Sequence[Excluder]) -> _Part:
    """The rows without items: ineligible for an empty list, undetermined for one not given
    (unless an exclusion decides), the amount not computed. Other rows give no result here."""
    assert rule.for_each is not None
    items = pl.col(rule.for_each.list_field)
    bit = plan.leaves.static(rule.for_each.list_field, fact=True)
    has_items = Vec(
        pl.when(items.list.len() == 0).then(False), Missing.of([bit], items.is_null()), BOOL
    )
    amount = rule.amount
    if amount.fixed_status is None:
        amount = QuantityPlan(amount.unit, AmountStatus.UNKNOWN, None, None)
    judged = judge(replace(rule, conditions=(has_items,), amount=amount), plan.leaves, excluders)
    without = items.is_null() | (items.list.len() == 0)
    status = pl.when(without).then(judged.status).otherwise(None)
    return _part(None, rule, replace(judged, status=status), shape, per_item=False)


def _part(
    list_field: str | None,
    rule: RulePlan,
    outcome: Outcome,
    shape: _Shape,
    stored: _Stored | None = None,
    *,
    per_item: bool | None = None,
) -> _Part:
    status = pl.col("__status")
    every = _columns(rule, replace(outcome, status=status), shape.words, per_item=per_item)
    columns = [c for c in every if _source(c.meta.output_name()) in shape.sources]
    read = {name for c in columns for name in c.meta.root_names()}
    every_row = stored.every_row if stored else []
    # a condition's mask or the amount is stored only when a chosen column reads it
    kept_rows = [c for c in stored.kept_rows if c.meta.output_name() in read] if stored else []
    return _Part(list_field, every_row, outcome.status, shape.kept, kept_rows, columns)


def _columns(
    rule: RulePlan, outcome: Outcome, words: int, *, per_item: bool | None = None
) -> list[pl.Expr]:
    on_items = rule.for_each is not None if per_item is None else per_item
    none_names = pl.lit(None, dtype=NAMES)
    if on_items and rule.for_each is not None:
        item = pl.col(ITEM_INDEX)
        label_field = rule.for_each.label_field
        label = (
            _label(pl.col(rule.for_each.list_field).struct.field(label_field), rule)
            if label_field
            else pl.lit(None, dtype=pl.String)
        )
    else:
        item, label = pl.lit(None, dtype=pl.Int64), pl.lit(None, dtype=pl.String)
    columns = [
        pl.col(POSITION),
        pl.lit(rule.index, dtype=pl.UInt16).alias("__rule"),
        item.cast(pl.Int64).alias("item"),
        label.alias("item_label"),
        outcome.status.alias("__status"),
        (outcome.facts if outcome.facts is not None else none_names).alias("__f"),
        (outcome.params if outcome.params is not None else none_names).alias("__p"),
        outcome.amount.alias("amount"),
        outcome.amount_date.alias("amount_date"),
        outcome.amount_status.alias("__as"),
        (
            outcome.unspecified_params if outcome.unspecified_params is not None else none_names
        ).alias("__up"),
        outcome.excluded_by.alias("__x"),
    ]
    columns += _words(FIXED_MISSING, outcome.missing, words)
    columns += _words(FIXED_UNSPECIFIED, outcome.unspecified, words)
    return columns


def _words(prefix: str, missing: Missing, words: int) -> list[pl.Expr]:
    return [missing.words.get(w, ZERO).alias(mask_column(prefix, w)) for w in range(words)]


def _label(value: pl.Expr, rule: RulePlan) -> pl.Expr:
    """`str(label)` as Python writes it (a true/false label as True/False)."""
    if rule.label_is_bool:
        return pl.when(value).then(pl.lit("True")).otherwise(pl.lit("False"))
    return value.cast(pl.String)
