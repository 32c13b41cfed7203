"""One compiled rule -> the step that judges it for one profile and appends its results.

A step is built once per rule and `as_of` date: a rule out of force gets a step that only
records that, an in-force rule one that runs its conditions in three-valued logic, applies
exclusions and computes its amount; a period it grants that ended before `as_of` is `ended`.
Everything a step needs is bound when it is built, because evaluating a profile is a loop over
steps and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.backends.python.build import new_amount, new_result
from subsidy_engine.backends.python.compiler import Fn, Frame, Unknown, merge, possible_text
from subsidy_engine.money import to_fen
from subsidy_engine.results import (
    Amount,
    AmountStatus,
    ConditionTrace,
    ConditionTraces,
    ExclusionRef,
    ItemRef,
    RuleInfo,
    RuleResult,
    Status,
)
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.rulebook.rulebook import Quantity, Rule
from subsidy_engine.workdays import is_calendar_gap

Step = Callable[[Frame, dict[str, Any], list[RuleResult]], None]
"""Judges one rule for a frame, records an exclusion rule's truth, appends its results."""


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    name: str
    text: str
    fn: Fn
    fields: tuple[str, ...]
    """Profile fields the condition reads: their values are shown as they are."""
    leaves: tuple[tuple[str, Fn], ...]
    """Everything else it reads (derived facts, parameters, item fields), with a getter."""


@dataclass(frozen=True, slots=True)
class CompiledConditions:
    """A rule's compiled conditions; writes their traces when a result's trace is read."""

    items: tuple[CompiledCondition, ...]

    def traces(self, outcomes: Sequence[bool | None], frame: Frame) -> tuple[ConditionTrace, ...]:
        out = []
        for condition, outcome in zip(self.items, outcomes, strict=True):
            seen = {name: frame.facts.get(name) for name in condition.fields}
            for name, leaf in condition.leaves:
                value = leaf(frame)
                seen[name] = possible_text(value) if value.__class__ is Unknown else value
            faults = _faults(condition.fn(frame)) if outcome is None else ()
            out.append(ConditionTrace(condition.name, condition.text, outcome, seen, faults))
        return tuple(out)


def _faults(value: Any) -> tuple[str, ...]:
    """The arithmetic faults an unknown outcome names (worked out again when a trace is read:
    evaluation keeps only the outcomes)."""
    return tuple(sorted(value.faults)) if value.__class__ is Unknown else ()


@dataclass(frozen=True, slots=True)
class CompiledQuantity:
    spec: Quantity
    fn: Fn | None
    fixed: Amount | None
    """The amount itself when it depends on nothing (no figure, or a literal one)."""
    pending: Amount
    """The amount when it cannot be computed (a rule out of force, a list not given)."""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    info: RuleInfo
    conditions: CompiledConditions
    amount: CompiledQuantity
    details: tuple[tuple[str, CompiledQuantity], ...]
    excludable_by: tuple[CompiledRule, ...]
    start: date | None
    end: date | None
    total_key: str | None
    """The payer key its eligible amount counts under in the totals; None if it is not cash."""

    def in_force(self, as_of: date) -> bool:
        start, end = self.start, self.end
        return (start is None or as_of >= start) and (end is None or as_of <= end)


def step_for(compiled: CompiledRule, as_of: date) -> Step:
    """The step that judges `compiled` on `as_of`."""
    if not compiled.in_force(as_of):
        return _not_in_force_step(compiled)
    judge = _judge(compiled)
    if compiled.amount.spec.unit is Unit.PERIOD_END:
        judge = _ending(judge)
    for_each = compiled.rule.for_each
    if for_each is None:
        return judge
    list_field, label_field = for_each.list_field, for_each.label_field
    missing = Unknown(frozenset({list_field}))
    no_items = ConditionTrace(f"has_{list_field}", f"len({list_field}) > 0", False, {})

    def per_item(frame: Frame, truths: dict[str, Any], out: list[RuleResult]) -> None:
        items = frame.facts.get(list_field)
        if items is None:
            unknown: Unknown | None = missing
            status, excluded_by = _UNDETERMINED, None
            if compiled.excludable_by:  # a known exclusion decides without the list
                status, unknown, excluded_by = _apply_exclusions(
                    compiled.excludable_by, status, missing, truths
                )
            out.append(
                _result(compiled, frame, status, _NO_TRACES, unknown, False, None, excluded_by)
            )
            return
        if not items:
            trace = ConditionTrace(no_items.name, no_items.expression, False, {list_field: []})
            traces = ConditionTraces((trace,))
            out.append(_result(compiled, frame, _INELIGIBLE, traces, None, False))
            return
        for index, item in enumerate(items):
            values = item.__dict__ if hasattr(item, "__dict__") else item
            label = values.get(label_field) if label_field else None
            ref = ItemRef(list_field, index, None if label is None else str(label))
            judge(frame.for_item(values, f"{list_field}[{index}]"), truths, out, ref)

    return per_item


def _not_in_force_step(compiled: CompiledRule) -> Step:
    def step(frame: Frame, truths: dict[str, Any], out: list[RuleResult]) -> None:
        out.append(_result(compiled, frame, _NOT_IN_FORCE, _NO_TRACES, None, False))

    return step


def _judge(compiled: CompiledRule) -> Callable[..., None]:
    """Run one rule's conditions in three-valued logic and append its result."""
    source = compiled.conditions
    values_of = _values_of(tuple(condition.fn for condition in source.items))
    count = len(source.items)
    write_traces, pending_traces = source.traces, ConditionTraces.pending
    info = compiled.info
    rule_id = info.id
    is_exclusion = info.kind == "exclusion"
    excludable = compiled.excludable_by
    # Without details, a result is built here when nothing in it is unknown: the commonest case.
    quantity = None if compiled.details else compiled.amount
    fixed = None if quantity is None or quantity.fixed is None else (quantity.fixed, None)

    def judge(
        frame: Frame, truths: dict[str, Any], out: list[RuleResult], item: ItemRef | None = None
    ) -> None:
        values = values_of(frame)
        unknown: Unknown | None = None
        if False in values:
            status = _INELIGIBLE
            truth: Any = False
            if values.count(True) + values.count(False) != count:
                values = [v if v is True or v is False else None for v in values]
        elif values.count(True) == count:
            status, truth = _ELIGIBLE, True
        else:
            unknown = truth = merge(values)
            status = _UNDETERMINED
            values = [v if v is True else None for v in values]
        if is_exclusion:
            truths[rule_id] = truth
        excluded_by = None
        if excludable and status is not _INELIGIBLE:
            status, unknown, excluded_by = _apply_exclusions(excludable, status, unknown, truths)
        traces = pending_traces(write_traces, values, frame)
        if quantity is None:
            out.append(_result(compiled, frame, status, traces, unknown, True, item, excluded_by))
            return
        amount, amount_unknown = fixed or _amount(quantity, frame, True)
        if unknown is None and amount_unknown is None:
            out.append(new_result(info, status, amount, traces, (), (), item, None, excluded_by))
        else:
            out.append(
                _with_amount(
                    compiled, status, traces, unknown, amount, amount_unknown, item, excluded_by
                )
            )

    return judge


def _ending(judge: Callable[..., None]) -> Callable[..., None]:
    """`judge` for a rule granting a period: a period that qualifies but ended before `as_of`
    is reported as ended (its last day the amount), not as a live entitlement."""

    def judge_ended(
        frame: Frame, truths: dict[str, Any], out: list[RuleResult], item: ItemRef | None = None
    ) -> None:
        judge(frame, truths, out, item)
        result = out[-1]
        last_day = result.amount.value
        if result.status is _ELIGIBLE and isinstance(last_day, date) and last_day < frame.as_of:
            result.status = _ENDED

    return judge_ended


def _values_of(fns: tuple[Fn, ...]) -> Callable[[Frame], list[Any]]:
    """A closure listing what each condition gives for a frame. Rules have a few conditions;
    spelling out up to three calls costs a third of a comprehension."""
    if len(fns) == 1:
        (first,) = fns
        return lambda frame: [first(frame)]
    if len(fns) == 2:
        first, second = fns
        return lambda frame: [first(frame), second(frame)]
    if len(fns) == 3:
        first, second, third = fns
        return lambda frame: [first(frame), second(frame), third(frame)]
    return lambda frame: [fn(frame) for fn in fns]


def _apply_exclusions(
    excludable_by: tuple[CompiledRule, ...],
    status: Status,
    unknown: Unknown | None,
    truths: dict[str, Any],
) -> tuple[Status, Unknown | None, ExclusionRef | None]:
    certain: ExclusionRef | None = None
    possible: ExclusionRef | None = None
    for excluder in excludable_by:
        outcome = truths.get(excluder.rule.id, False)
        if outcome is False:
            continue
        spec = excluder.rule.spec.excludes
        assert spec is not None
        sure = outcome is True
        ref = ExclusionRef(excluder.rule.id, spec.reason, excluder.rule.citation, sure)
        if sure:
            certain = certain or ref
        else:
            possible = possible or ref
            unknown = outcome if unknown is None else unknown.merge(outcome)
    if certain is not None:
        # A rule not failed is withdrawn whatever its unknown facts: none could change that.
        return Status.EXCLUDED, None, certain
    if possible is not None:
        return _UNDETERMINED, unknown, possible
    return status, unknown, None


def _result(
    compiled: CompiledRule,
    frame: Frame,
    status: Status,
    traces: ConditionTraces,
    unknown: Unknown | None,
    computable: bool,
    item: ItemRef | None = None,
    excluded_by: ExclusionRef | None = None,
) -> RuleResult:
    """A rule's result; its amount (and details) computed when `computable`."""
    amount, amount_unknown = _amount(compiled.amount, frame, computable)
    details = None
    if compiled.details:
        details = {name: _amount(q, frame, computable)[0] for name, q in compiled.details}
    return _with_amount(
        compiled, status, traces, unknown, amount, amount_unknown, item, excluded_by, details
    )


def _with_amount(
    compiled: CompiledRule,
    status: Status,
    traces: ConditionTraces,
    unknown: Unknown | None,
    amount: Amount,
    amount_unknown: Unknown | None,
    item: ItemRef | None,
    excluded_by: ExclusionRef | None,
    details: dict[str, Amount] | None = None,
) -> RuleResult:
    """A rule's result once its amount is known; what is missing to decide either is named."""
    if status is _INELIGIBLE or status is _EXCLUDED:
        unknown = amount_unknown = None  # decided: no missing fact could change it
    if amount_unknown is not None:
        unknown = amount_unknown if unknown is None else unknown.merge(amount_unknown)
    if unknown is None:
        return new_result(compiled.info, status, amount, traces, (), (), item, details, excluded_by)
    return new_result(
        compiled.info,
        status,
        amount,
        traces,
        tuple(sorted(unknown.facts)),
        tuple(sorted(unknown.params)),
        item,
        details,
        excluded_by,
        tuple(sorted(unknown.faults)),
    )


def _amount(
    quantity: CompiledQuantity, frame: Frame, computable: bool
) -> tuple[Amount, Unknown | None]:
    """The amount of one quantity, and what is missing to know it (when a fact is)."""
    if quantity.fixed is not None:
        return quantity.fixed, None
    if not computable or quantity.fn is None:
        return quantity.pending, None
    value = quantity.fn(frame)
    pending = quantity.pending
    if value.__class__ is Unknown:
        if value.facts or value.faults or any(map(is_calendar_gap, value.params)):
            return pending, value
        parameters = tuple(sorted(value.params))
        status = AmountStatus.UNSPECIFIED
        return new_amount(
            pending.unit, status, None, pending.payer, pending.basis, pending.label, parameters
        ), None
    if value.__class__ is not date:
        value = to_fen(value if value.__class__ is Decimal else Decimal(value))
    return new_amount(
        pending.unit, _DETERMINED, value, pending.payer, pending.basis, pending.label
    ), None


# Enum members bound once: on Python 3.11 looking one up on its class costs ten times more.
_ELIGIBLE, _INELIGIBLE, _UNDETERMINED = Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDETERMINED
_NOT_IN_FORCE, _EXCLUDED, _ENDED = Status.NOT_IN_FORCE, Status.EXCLUDED, Status.ENDED
_DETERMINED = AmountStatus.DETERMINED
_NO_TRACES = ConditionTraces(())
