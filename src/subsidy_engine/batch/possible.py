"""The optional result column `possible_values`: what `evaluate`'s trace shows of a derived
fact known in part.

A size class or a sector not known exactly is the set of values still possible (a bit set per
row in the base frame, `plan.possible_column`). For each result, the column lists, for every
enumerated derived fact its rule's conditions read that is known in part (two values or more
possible, not all), `name: one of {a, b}`, sorted by name: the entries of its conditions' trace
that read `one of`. Results without a trace (a rule out of force; the row of a per-item rule
whose list is missing or empty) list nothing.
"""

from __future__ import annotations

import polars as pl

from subsidy_engine.backends.polars.plan import Plan, derived_column, possible_column
from subsidy_engine.backends.polars.rules import NAMES
from subsidy_engine.batch.columns import POSITION
from subsidy_engine.batch.sparse import spread
from subsidy_engine.lang import ast
from subsidy_engine.lang.types import Enum
from subsidy_engine.rulebook.rulebook import Rule

PREFIX = "__pv:"
"""The per-enterprise text columns of `possible_texts`: PREFIX + the fact's name."""


def facts_read(rule: Rule) -> frozenset[str]:
    """The enumerated derived facts a rule's conditions read directly (those its trace shows)."""
    return frozenset(
        name
        for condition in rule.conditions
        for name, node in condition.leaves
        if isinstance(node, ast.DerivedRef) and isinstance(node.ty, Enum)
    )


def possible_texts(base: pl.DataFrame, plan: Plan) -> list[pl.Series]:
    """For each enumerated derived fact some rule reads and the base frame holds a set of
    possible values for: per enterprise, `name: one of {...}` where it is known in part, else
    null; each distinct set decoded once."""
    out = []
    read = sorted({name for r in plan.rules for name in facts_read(r.rule)})
    for name in read:
        column = possible_column(derived_column(name))
        ty = plan.rulebook.derived[name].node.ty
        if column not in base.columns or not isinstance(ty, Enum):
            continue
        bits = base[column]
        distinct = bits.drop_nulls().unique()
        texts = [_text(name, int(b), ty.values) for b in distinct]
        found = bits.replace_strict(distinct, texts, default=None, return_dtype=pl.String)
        out.append(found.alias(PREFIX + name))
    return out


def _text(name: str, bits: int, values: tuple[str, ...]) -> str | None:
    chosen = [v for i, v in enumerate(values) if bits >> i & 1]
    if len(chosen) < 2 or len(chosen) == len(values):
        return None
    return f"{name}: one of {{{', '.join(sorted(chosen))}}}"


def possible_values(frame: pl.DataFrame, profiles: pl.DataFrame, plan: Plan) -> pl.Series:
    """Per result row of `frame` (by `__rule`, `item` and its enterprise's position in
    `profiles`, which holds the `possible_texts` columns): the texts of the facts its rule
    reads, as list[str]. The lists are built on the rows that show some text only."""
    shown: list[pl.Expr] = []
    texts: list[pl.Expr] = []
    for column in sorted(c for c in profiles.columns if c.startswith(PREFIX)):
        name = column.removeprefix(PREFIX)
        traced = [
            r.index
            for r in plan.rules
            if r.in_force and name in facts_read(r.rule) and r.for_each is None
        ]
        per_item = [
            r.index
            for r in plan.rules
            if r.in_force and name in facts_read(r.rule) and r.for_each is not None
        ]
        judged = pl.col("__rule").is_in(traced) | (
            pl.col("__rule").is_in(per_item) & pl.col("item").is_not_null()
        )
        text = profiles[column]
        shown.append(judged & pl.lit(text.is_not_null()).gather(pl.col(POSITION)))
        texts.append(pl.when(judged).then(pl.lit(text).gather(pl.col(POSITION))))
    if not texts:
        return spread(pl.Series([], dtype=NAMES), pl.repeat(False, frame.height, eager=True))
    where = frame.select(pl.any_horizontal(shown)).to_series()
    lists = frame.filter(where).select(pl.concat_list(texts).list.drop_nulls()).to_series()
    return spread(lists, where)
