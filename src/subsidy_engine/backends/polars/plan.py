"""A rulebook compiled for one `as_of` date: every expression a `Vec`, ready to run on a table.

`compile_plan` resolves the parameters in force on `as_of` (they become constants), compiles the
derived facts the rules need — grouped in levels, each level only using the ones before, so a
level is one `with_columns` — and every rule's conditions and amount. It guarantees that what
runs per row is Polars expressions only. It runs on validated profiles (`batch.validate`): a
number-domain check their fields' bounds prove needless is left out (`lang.bounds`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from subsidy_engine.backends.polars.compiler import VectorCompiler
from subsidy_engine.backends.polars.missing import Leaves, Missing
from subsidy_engine.backends.polars.partial import Derived, split_derived
from subsidy_engine.backends.polars.vec import Vec
from subsidy_engine.lang import ast
from subsidy_engine.lang.bounds import Bounds, field_bounds
from subsidy_engine.lang.partial import code_fields
from subsidy_engine.lang.types import Bool
from subsidy_engine.results import AmountStatus, Status
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.rulebook.rulebook import ForEach, Quantity, Rule, Rulebook

STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
"""Status names in code order: a status column holds the index into this tuple (UInt8)."""
AMOUNT_STATUSES: tuple[str, ...] = tuple(s.value for s in AmountStatus)


def code(status: Status | AmountStatus) -> int:
    names = STATUSES if isinstance(status, Status) else AMOUNT_STATUSES
    return names.index(status.value)


def code_lit(status: Status | AmountStatus) -> pl.Expr:
    return pl.lit(code(status), dtype=pl.UInt8)


@dataclass(frozen=True, slots=True)
class QuantityPlan:
    unit: Unit
    fixed_status: AmountStatus | None
    """The amount's status when it depends on nothing (no figure, or a literal one)."""
    fixed_value: Decimal | date | None
    vec: Vec | None
    """The figure's expression, when it must be computed."""


@dataclass(frozen=True, slots=True)
class RulePlan:
    index: int
    rule: Rule
    in_force: bool
    for_each: ForEach | None
    conditions: tuple[Vec, ...]
    amount: QuantityPlan
    excluders: tuple[int, ...]
    """Indexes of the exclusion rules that may withdraw this rule, in rulebook order."""
    payer: str
    label_is_bool: bool = False
    ended_before: date | None = None
    """For a rule granting a period: `as_of`; a qualifying period whose last day is before it
    has ended."""

    @property
    def is_exclusion(self) -> bool:
        return self.rule.is_exclusion

    @property
    def is_cash(self) -> bool:
        return self.amount.unit is Unit.CASH


@dataclass(frozen=True, slots=True)
class Plan:
    rulebook: Rulebook
    as_of: date
    leaves: Leaves
    derived_levels: tuple[tuple[tuple[str, Derived], ...], ...]
    """Derived facts to materialise, level by level, as compiled (before materialising)."""
    rules: tuple[RulePlan, ...]

    @property
    def words(self) -> int:
        return self.leaves.words


def derived_column(name: str) -> str:
    return f"__d:{name}"


def mask_column(prefix: str, word: int) -> str:
    return f"{prefix}#{word}"


def materialised(prefix: str, vec: Vec, *, possible: bool = False) -> Vec:
    """The `Vec` reading back `vec` once stored as `prefix` and its mask words (and, when
    `possible`, the values it may take: see `store_possible`)."""
    words = {w: pl.col(mask_column(prefix, w)) for w in vec.missing.words}
    bits = pl.col(possible_column(prefix)) if possible and vec.possible is not None else None
    return Vec(pl.col(prefix), Missing(words, vec.missing.bits), vec.ty, possible=bits)


def store(prefix: str, vec: Vec) -> list[pl.Expr]:
    """The columns that hold `vec`: its value and one per mask word."""
    return [vec.value.alias(prefix), *store_missing(prefix, vec.missing)]


def store_missing(prefix: str, missing: Missing) -> list[pl.Expr]:
    """The columns that hold `missing`: one per mask word, as `materialised` reads them."""
    return [e.alias(mask_column(prefix, w)) for w, e in missing.words.items()]


def possible_column(prefix: str) -> str:
    return f"{prefix}#possible"


def store_possible(prefix: str, vec: Vec) -> list[pl.Expr]:
    """The column holding the values a finite `vec` may take, on every row (none if it has
    no such set)."""
    return [] if vec.possible is None else [vec.possible.alias(possible_column(prefix))]


def compile_plan(rulebook: Rulebook, as_of: date) -> Plan:
    params: dict[str, Any] = {
        name: parameter.value_at(as_of) for name, parameter in rulebook.parameters.items()
    }
    leaves = Leaves()
    derived: dict[str, Vec] = {}
    compiler = VectorCompiler(
        params=params,
        as_of=as_of,
        calendar=rulebook.calendar,
        leaves=leaves,
        derived=derived,
        code_fields=code_fields(rulebook.profile.spec),
        bounds=Bounds(field_bounds(rulebook.profile.spec), params, _derived_trees(rulebook)),
    )
    needed = _needed_derived(rulebook)
    level_of: dict[str, int] = {}
    levels: OrderedDict[int, list[tuple[str, Derived]]] = OrderedDict()
    for name, fact in rulebook.derived.items():  # dependency order
        if name not in needed:
            continue
        uses = {n.name for n in fact.node.walk() if isinstance(n, ast.DerivedRef)}
        level = 1 + max((level_of[u] for u in uses), default=-1)
        level_of[name] = level
        found = split_derived(compiler, fact.node)
        levels.setdefault(level, []).append((name, found))
        derived[name] = materialised(derived_column(name), found.vec, possible=True)
    exclusions = [i for i, r in enumerate(rulebook.rules) if r.is_exclusion]
    rules = []
    for index, rule in enumerate(rulebook.rules):
        excluders = (
            ()
            if rule.is_exclusion
            else tuple(i for i in exclusions if _excludes(rulebook.rules[i], rule))
        )
        rules.append(_rule_plan(compiler, rulebook, index, rule, as_of, excluders))
        if rule.for_each is not None:  # its rows without a list name the list
            leaves.static(rule.for_each.list_field, fact=True)
    ordered = tuple(tuple(levels[k]) for k in sorted(levels))
    return Plan(rulebook, as_of, leaves, ordered, tuple(rules))


def _rule_plan(
    compiler: VectorCompiler,
    rulebook: Rulebook,
    index: int,
    rule: Rule,
    as_of: date,
    excluders: tuple[int, ...],
) -> RulePlan:
    period = rule.spec.in_force
    in_force = period.contains(as_of)
    conditions = tuple(compiler.compile(c.node) for c in rule.conditions)
    payer = "+".join(rule.amount.spec.payer) or "unstated"
    amount = _quantity(compiler, rule.amount)
    label_is_bool = False
    if rule.for_each is not None and rule.for_each.label_field is not None:
        record = rulebook.profile.records[rule.for_each.list_field]
        label_is_bool = isinstance(record.field(rule.for_each.label_field), Bool)
    ended_before = as_of if amount.unit is Unit.PERIOD_END else None
    return RulePlan(
        index,
        rule,
        in_force,
        rule.for_each,
        conditions,
        amount,
        excluders,
        payer,
        label_is_bool,
        ended_before,
    )


def _quantity(compiler: VectorCompiler, quantity: Quantity) -> QuantityPlan:
    unit, node = quantity.unit, quantity.node
    if node is None:
        status = AmountStatus.NONE if unit is Unit.RIGHT else AmountStatus.UNSPECIFIED
        return QuantityPlan(unit, status, None, None)
    if isinstance(node, ast.Literal) and not isinstance(node.value, bool | str):
        value = node.value
        fixed = value if isinstance(value, date) else _to_fen(Decimal(value))
        return QuantityPlan(unit, AmountStatus.DETERMINED, fixed, None)
    return QuantityPlan(unit, None, None, compiler.compile(node))


def _to_fen(value: Decimal) -> Decimal:
    from subsidy_engine.money import to_fen

    return to_fen(value)


def _derived_trees(rulebook: Rulebook) -> dict[str, ast.Node]:
    return {name: fact.node for name, fact in rulebook.derived.items()}


def _excludes(excluder: Rule, rule: Rule) -> bool:
    spec = excluder.spec.excludes
    return spec is not None and spec.withdraws(rule.id, rule.amount.unit)


def _needed_derived(rulebook: Rulebook) -> set[str]:
    """Derived facts the rules read, directly or through other derived facts."""
    roots: list[ast.Node] = []
    for rule in rulebook.rules:
        roots += [c.node for c in rule.conditions]
        if rule.amount.node is not None:
            roots.append(rule.amount.node)
    needed: set[str] = set()
    stack = [n.name for root in roots for n in root.walk() if isinstance(n, ast.DerivedRef)]
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        node = rulebook.derived[name].node
        stack += [n.name for n in node.walk() if isinstance(n, ast.DerivedRef)]
    return needed


__all__ = [
    "AMOUNT_STATUSES",
    "STATUSES",
    "Plan",
    "QuantityPlan",
    "RulePlan",
    "code",
    "code_lit",
    "compile_plan",
    "derived_column",
    "mask_column",
    "materialised",
    "possible_column",
    "store",
    "store_possible",
]
