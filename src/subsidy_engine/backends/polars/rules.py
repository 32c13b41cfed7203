"""One rule's result as column expressions, with `backends.python.judge`'s semantics.

* status: ineligible when some condition is false (whatever the others), eligible when all are
  true, else undetermined; the rule's missing set is the union of its unknown conditions' sets —
  reported even when another condition fails, as the scalar backend does;
* exclusions (only for a rule not failed): a certain exclusion withdraws it (`excluded`, with
  nothing missing, even if some of its own facts are); a possible one (its truth unknown)
  makes the rule undetermined; every possible exclusion's missing set joins the rule's;
* a rule granting a period that qualifies but whose last day is before `as_of`: ended;
* the amount, computed unless the rule is out of force or its list is not given: determined,
  else `unknown` when facts are missing or the working-day calendar lacks a year (they join the
  rule's missing set), else `unspecified` naming the parameters without a value; money
  rounded half up to the fen.

Dynamic leaves (item fields, table entries) are turned into names here, in the rule's frame.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine.backends.polars.dtypes import decimal
from subsidy_engine.backends.polars.missing import Leaves, Missing, dynamic_names, union
from subsidy_engine.backends.polars.numeric import as_decimal, round_half_away
from subsidy_engine.backends.polars.plan import QuantityPlan, RulePlan, code_lit
from subsidy_engine.lang.types import scale_of
from subsidy_engine.results import AmountStatus, Status
from subsidy_engine.workdays import is_calendar_gap

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

NAMES = pl.List(pl.String)
NO_NAMES = pl.lit([], dtype=NAMES)


@dataclass(frozen=True, slots=True)
class Excluder:
    """An exclusion rule's truth as others read it: true, false, or null with what it lacks."""

    index: int
    truth: pl.Expr
    missing: Missing
    """Fixed-name leaves only; empty where the truth is known."""
    facts: pl.Expr | None = None
    params: pl.Expr | None = None
    """Dynamic names (list[str]) where the truth is unknown."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A rule's result columns. `missing` holds fixed-name leaves; `facts`/`params` the
    dynamic names (list[str] or None when there can be none)."""

    status: pl.Expr
    missing: Missing
    facts: pl.Expr | None
    params: pl.Expr | None
    amount: pl.Expr
    amount_date: pl.Expr
    amount_status: pl.Expr
    unspecified: Missing
    unspecified_params: pl.Expr | None
    excluded_by: pl.Expr
    truth: pl.Expr | None = None
    truth_missing: Missing | None = None
    """For an exclusion rule: its truth and the missing set behind an unknown truth."""


@dataclass(frozen=True, slots=True)
class _Amount:
    value: pl.Expr
    day: pl.Expr
    status: pl.Expr
    merged: Missing
    unspecified: Missing


def judge(plan: RulePlan, leaves: Leaves, excluders: Sequence[Excluder]) -> Outcome:
    """The result of an in-force rule in the frame it is judged in (a row, or one item)."""
    conditions = plan.conditions
    truth = reduce(operator.and_, [c.value for c in conditions]) if conditions else pl.lit(True)
    failed = (~truth).fill_null(False)
    eligible = truth.fill_null(False)
    missing = union(*(c.missing for c in conditions))
    status = _first_code(
        (failed, Status.INELIGIBLE), (eligible, Status.ELIGIBLE), otherwise=Status.UNDETERMINED
    )
    excluded_by: pl.Expr = pl.lit(None, dtype=pl.UInt16)
    decided = failed  # a decided result has nothing missing that could change it
    extra_facts: list[pl.Expr] = []
    extra_params: list[pl.Expr] = []
    if excluders:
        certain = [(e.truth == True).fill_null(False) for e in excluders]  # noqa: E712
        possible = [e.truth.is_null() for e in excluders]
        any_certain, any_possible = pl.any_horizontal(certain), pl.any_horizontal(possible)
        standing = ~failed
        decided = failed | any_certain
        status = (
            pl.when(failed)
            .then(status)
            .when(any_certain)
            .then(code_lit(Status.EXCLUDED))
            .when(any_possible)
            .then(code_lit(Status.UNDETERMINED))
            .otherwise(status)
        )
        missing = union(
            missing,
            *(e.missing.gate(standing & p) for e, p in zip(excluders, possible, strict=True)),
        )
        first_certain = pl.coalesce(
            [
                pl.when(c).then(pl.lit(e.index, dtype=pl.UInt16))
                for e, c in zip(excluders, certain, strict=True)
            ]
        )
        first_possible = pl.coalesce(
            [
                pl.when(p).then(pl.lit(e.index, dtype=pl.UInt16))
                for e, p in zip(excluders, possible, strict=True)
            ]
        )
        excluded_by = (
            pl.when(standing & any_certain)
            .then(first_certain)
            .when(standing & any_possible)
            .then(first_possible)
            .otherwise(None)
        )
        for e, p in zip(excluders, possible, strict=True):
            if e.facts is not None:
                extra_facts.append(pl.when(~decided & p).then(e.facts).otherwise(NO_NAMES))
            if e.params is not None:
                extra_params.append(pl.when(~decided & p).then(e.params).otherwise(NO_NAMES))
    amount = _amount(plan.amount, leaves, computable=True)
    if plan.ended_before is not None:
        ended = (status == code_lit(Status.ELIGIBLE)) & (amount.day < plan.ended_before)
        status = pl.when(ended.fill_null(False)).then(code_lit(Status.ENDED)).otherwise(status)
    total = union(missing, amount.merged).gate(~decided)
    truth_missing = None
    if plan.is_exclusion:
        truth_missing = union(*(c.missing for c in conditions)).gate(truth.is_null())
    return Outcome(
        status=status,
        missing=total.only(_fixed(leaves, total)),
        facts=_names(dynamic_names(total, leaves, fact=True), extra_facts),
        params=_names(dynamic_names(total, leaves, fact=False), extra_params),
        amount=amount.value,
        amount_date=amount.day,
        amount_status=amount.status,
        unspecified=amount.unspecified.only(_fixed(leaves, amount.unspecified)),
        unspecified_params=dynamic_names(amount.unspecified, leaves, fact=False),
        excluded_by=excluded_by,
        truth=truth if plan.is_exclusion else None,
        truth_missing=truth_missing,
    )


def fixed_outcome(plan: RulePlan, status: pl.Expr, missing: Missing | None = None) -> Outcome:
    """A result without conditions judged: out of force, or a per-item rule without items."""
    amount = _amount(plan.amount, Leaves(), computable=False)
    return Outcome(
        status=status,
        missing=Missing.none() if missing is None else missing,
        facts=None,
        params=None,
        amount=amount.value,
        amount_date=amount.day,
        amount_status=amount.status,
        unspecified=Missing.none(),
        unspecified_params=None,
        excluded_by=pl.lit(None, dtype=pl.UInt16),
    )


def _fixed(leaves: Leaves, missing: Missing) -> frozenset[int]:
    return missing.bits - leaves.dynamic_bits(missing.bits)


def _names(own: pl.Expr | None, extra: list[pl.Expr]) -> pl.Expr | None:
    parts = ([] if own is None else [own]) + extra
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return pl.concat_list([p.fill_null(NO_NAMES) for p in parts])


def _first_code(
    *cases: tuple[pl.Expr, Status | AmountStatus], otherwise: Status | AmountStatus
) -> pl.Expr:
    """The code of the first case whose condition is true (a null one is not), else
    `otherwise`'s: one `when/then` chain."""
    (condition, status), *rest = cases
    chain: Then | ChainedThen = pl.when(condition).then(code_lit(status))
    for condition, status in rest:
        chain = chain.when(condition).then(code_lit(status))
    return chain.otherwise(code_lit(otherwise))


def _amount(quantity: QuantityPlan, leaves: Leaves, *, computable: bool) -> _Amount:
    no_money = pl.lit(None, dtype=decimal(2))
    no_day = pl.lit(None, dtype=pl.Date)
    if quantity.fixed_status is not None:
        value = quantity.fixed_value
        money = pl.lit(value, dtype=decimal(2)) if isinstance(value, Decimal) else no_money
        day = pl.lit(value, dtype=pl.Date) if isinstance(value, date) else no_day
        return _Amount(money, day, code_lit(quantity.fixed_status), Missing.none(), Missing.none())
    vec = quantity.vec
    assert vec is not None
    if not computable:
        unknown = code_lit(AmountStatus.UNKNOWN)
        return _Amount(no_money, no_day, unknown, Missing.none(), Missing.none())
    known = vec.value.is_not_null()
    bits = vec.missing.bits
    gaps = frozenset(b for b in bits if is_calendar_gap(leaves.all[b].name or ""))
    has_facts = vec.missing.has_any(leaves.fact_bits(bits) | leaves.fault_bits(bits) | gaps)
    status = _first_code(
        (known, AmountStatus.DETERMINED),
        (has_facts, AmountStatus.UNKNOWN),
        otherwise=AmountStatus.UNSPECIFIED,
    )
    merged = vec.missing.gate(has_facts)
    unspecified = vec.missing.gate(~has_facts)
    if quantity.unit.is_date:
        return _Amount(no_money, vec.value, status, merged, unspecified)
    scale = scale_of(vec.ty)
    money = round_half_away(as_decimal(vec.value, vec.ty), scale, 2).cast(decimal(2))
    return _Amount(money, no_day, status, merged, unspecified)
