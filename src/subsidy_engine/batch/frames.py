"""The frames rules are judged in: one row per enterprise, or one row per list item.

`base_frame` adds to the validated profiles the derived facts (level by level) and the truth of
every exclusion rule in force, so that every rule reads them as plain columns (an exclusion is
never a per-item rule: the loader refuses one). `item_frame` explodes one list field, keeping
each item's position in `ITEM_INDEX` and the columns its rules read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from subsidy_engine.backends.polars.compiler import ITEM_INDEX
from subsidy_engine.backends.polars.missing import Leaves, Missing, dynamic_names
from subsidy_engine.backends.polars.partial import Derived, from_bits
from subsidy_engine.backends.polars.plan import (
    Plan,
    RulePlan,
    derived_column,
    mask_column,
    possible_column,
    store,
    store_missing,
    store_possible,
)
from subsidy_engine.backends.polars.rules import Excluder, judge
from subsidy_engine.backends.polars.vec import Vec
from subsidy_engine.lang.types import BOOL

ROW = "__row"


def truth_column(index: int) -> str:
    return f"__t{index}"


def base_frame(frame: pl.DataFrame, plan: Plan) -> tuple[pl.DataFrame, dict[int, Excluder]]:
    """Profiles with derived facts and exclusion truths; the excluders, by rule index."""
    for level in plan.derived_levels:
        frame = _with_derived(frame, level)
    excluders: dict[int, Excluder] = {}
    exclusions = [r for r in plan.rules if r.is_exclusion and r.in_force]
    if exclusions:
        columns: list[pl.Expr] = []
        for rule in exclusions:
            exprs, excluder = _truth(rule, plan.leaves)
            columns += exprs
            excluders[rule.index] = excluder
        frame = frame.lazy().with_columns(columns).collect()
    return frame, excluders


def _with_derived(frame: pl.DataFrame, level: Sequence[tuple[str, Derived]]) -> pl.DataFrame:
    """`frame` with the level's derived facts, values and mask words. A mask is zero where its
    value is known, so each fact's masks (as dear as its value: a size class's reads every
    bound of every sector) are computed on the rows where its value is unknown only, from what
    it lacks there (`Derived.lacking`)."""
    possible = [e for name, found in level for e in store_possible(derived_column(name), found.vec)]
    values = [
        _value(derived_column(name), found.vec).alias(derived_column(name)) for name, found in level
    ]
    frame = frame.lazy().with_columns(possible).with_columns(values).collect()
    masked = [(derived_column(name), found.lacking) for name, found in level]
    masked = [(column, lacking) for column, lacking in masked if not lacking.empty]
    if not masked:
        return frame
    unknown = [pl.col(column).is_null() for column, _ in masked]
    where = frame.select(u.arg_true().implode().alias(str(i)) for i, u in enumerate(unknown))
    rows = [column[0] for column in where.get_columns()]
    found = pl.collect_all(
        frame.lazy().filter(u).select(store_missing(column, lacking))
        for u, (column, lacking) in zip(unknown, masked, strict=True)
    )
    return frame.with_columns(
        pl.zeros(frame.height, pl.UInt64, eager=True).scatter(positions, part[c]).alias(c)
        for positions, part in zip(rows, found, strict=True)
        for c in part.columns
    )


def _value(column: str, vec: Vec) -> pl.Expr:
    """A derived fact's value; one with a bit set is read from its stored set, which a value
    computed afresh would work out a second time (as dear as the set: a sector is every class
    of a code, for each sector)."""
    if vec.possible is None:
        return vec.value
    return from_bits(pl.col(possible_column(column)), vec.ty)


def _truth(rule: RulePlan, leaves: Leaves) -> tuple[list[pl.Expr], Excluder]:
    """The columns holding an exclusion rule's truth, and how other rules read them."""
    outcome = judge(rule, leaves, [])
    assert outcome.truth is not None and outcome.truth_missing is not None
    missing = outcome.truth_missing
    name = truth_column(rule.index)
    fixed = missing.only(missing.bits - leaves.dynamic_bits(missing.bits))
    exprs = store(name, Vec(outcome.truth, fixed, BOOL))
    facts = dynamic_names(missing, leaves, fact=True)
    params = dynamic_names(missing, leaves, fact=False)
    if facts is not None:
        exprs.append(facts.alias(f"{name}:f"))
    if params is not None:
        exprs.append(params.alias(f"{name}:p"))
    words = {w: pl.col(mask_column(name, w)) for w in fixed.words}
    excluder = Excluder(
        rule.index,
        pl.col(name),
        Missing(words, fixed.bits),
        None if facts is None else pl.col(f"{name}:f"),
        None if params is None else pl.col(f"{name}:p"),
    )
    return exprs, excluder


def item_frame(frame: pl.DataFrame, list_field: str, exprs: Iterable[pl.Expr]) -> pl.DataFrame:
    """One row per item of `list_field` (rows without items are left out), with the item as a
    struct in `list_field`, its position in ITEM_INDEX and the columns `exprs` read."""
    needed = {ROW, list_field}
    for expr in exprs:
        needed.update(expr.meta.root_names())
    needed.discard(ITEM_INDEX)
    columns = [c for c in frame.columns if c in needed]
    return (
        frame.lazy()
        .select(columns)
        .filter(pl.col(list_field).list.len() > 0)
        .with_columns(pl.int_ranges(0, pl.col(list_field).list.len()).alias(ITEM_INDEX))
        .explode([list_field, ITEM_INDEX])
        .with_columns(pl.col(ITEM_INDEX).cast(pl.Int64))
        .collect()
    )
