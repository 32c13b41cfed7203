"""One profile -> `Evaluation`, with the scalar backend.

The rulebook's typed ASTs are compiled to closures once (`ScalarEvaluator`); parameters are
resolved once per `as_of` date. Evaluating a profile then runs every rule's conditions in
three-valued logic, records what each condition saw, applies exclusions, and computes amounts,
rounded to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.lang.scalar import Fn, Frame, ScalarCompiler, Unknown
from subsidy_engine.money import to_fen
from subsidy_engine.results import (
    Amount,
    AmountStatus,
    ConditionTrace,
    Evaluation,
    ExclusionRef,
    ItemRef,
    PayerTotal,
    Period,
    Provenance,
    RuleResult,
    Status,
)
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.rulebook.rulebook import Quantity, Rule, Rulebook

ENGINE_VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class _CompiledCondition:
    name: str
    text: str
    fn: Fn
    leaves: tuple[tuple[str, Fn], ...]


@dataclass(frozen=True, slots=True)
class _CompiledQuantity:
    spec: Quantity
    fn: Fn | None


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    conditions: tuple[_CompiledCondition, ...]
    amount: _CompiledQuantity
    details: tuple[tuple[str, _CompiledQuantity], ...]
    in_force: Period
    excludable_by: tuple[_CompiledRule, ...]


class ScalarEvaluator:
    """A rulebook compiled to closures: evaluates one validated profile at a time."""

    def __init__(self, rulebook: Rulebook, reform_label: str | None = None) -> None:
        self.rulebook = rulebook
        self.reform_label = reform_label
        derived: dict[str, Fn] = {}
        compiler = ScalarCompiler(derived, rulebook.calendar)
        for name, fact in rulebook.derived.items():
            derived[name] = compiler.compile(fact.node)
        self.compiler = compiler
        exclusions = [self._compile(r, ()) for r in rulebook.rules if r.is_exclusion]
        self.exclusions = tuple(exclusions)
        self.rules = tuple(
            next(e for e in exclusions if e.rule is r)
            if r.is_exclusion
            else self._compile(r, tuple(e for e in exclusions if _excludes(e.rule, r)))
            for r in rulebook.rules
        )
        self._params: dict[date, Mapping[str, Any]] = {}

    def _compile(self, rule: Rule, excludable_by: tuple[_CompiledRule, ...]) -> _CompiledRule:
        compile_ = self.compiler.compile
        conditions = tuple(
            _CompiledCondition(
                c.name, c.text, compile_(c.node), tuple((n, compile_(x)) for n, x in c.leaves)
            )
            for c in rule.conditions
        )

        def quantity(q: Quantity) -> _CompiledQuantity:
            return _CompiledQuantity(q, None if q.node is None else compile_(q.node))

        period = rule.spec.in_force
        return _CompiledRule(
            rule,
            conditions,
            quantity(rule.amount),
            tuple((name, quantity(q)) for name, q in rule.details.items()),
            Period(period.from_, period.until),
            excludable_by,
        )

    def params_at(self, as_of: date) -> Mapping[str, Any]:
        """Every parameter's value in force on `as_of`; an unstated one is Unknown."""
        params = self._params.get(as_of)
        if params is None:
            params = {}
            for name, parameter in self.rulebook.parameters.items():
                value = parameter.value_at(as_of)
                params[name] = Unknown(params=frozenset({name})) if value is None else value
            if len(self._params) > 64:
                self._params.clear()
            self._params[as_of] = params
        return params

    def provenance(self, as_of: date) -> Provenance:
        book = self.rulebook
        return Provenance(book.id, book.sha256, ENGINE_VERSION, as_of, self.reform_label)

    def evaluate(self, facts: Mapping[str, Any], as_of: date, key: str | None) -> Evaluation:
        """Evaluate the facts of one validated profile (a field -> value mapping)."""
        frame = Frame(facts, self.params_at(as_of), as_of)
        outcomes: dict[str, Any] = {}
        exclusion_results: dict[str, list[RuleResult]] = {}
        for compiled in self.exclusions:
            judged = self._rule_results(compiled, frame, outcomes)
            exclusion_results[compiled.rule.id] = [result for result, _ in judged]
            outcomes[compiled.rule.id] = judged[0][1]
        results: list[RuleResult] = []
        for compiled in self.rules:
            if compiled.rule.is_exclusion:
                results += exclusion_results[compiled.rule.id]
            else:
                results += [result for result, _ in self._rule_results(compiled, frame, outcomes)]
        return Evaluation(key, self.provenance(as_of), tuple(results), _totals(results))

    def _rule_results(
        self, compiled: _CompiledRule, frame: Frame, exclusions: Mapping[str, Any]
    ) -> list[tuple[RuleResult, Any]]:
        rule = compiled.rule
        if not rule.spec.in_force.contains(frame.as_of):
            return [(self._result(compiled, frame, Status.NOT_IN_FORCE, (), None), False)]
        for_each = rule.for_each
        if for_each is None:
            return [self._judge(compiled, frame, exclusions, None)]
        items = frame.facts.get(for_each.list_field)
        if items is None:
            missing = Unknown(frozenset({for_each.list_field}))
            return [(self._result(compiled, frame, Status.UNDETERMINED, (), missing), missing)]
        if not items:
            trace = ConditionTrace(
                f"has_{for_each.list_field}",
                f"len({for_each.list_field}) > 0",
                False,
                {for_each.list_field: []},
            )
            return [(self._result(compiled, frame, Status.INELIGIBLE, (trace,), None), False)]
        out = []
        for index, item in enumerate(items):
            values = item.__dict__ if hasattr(item, "__dict__") else item
            prefix = f"{for_each.list_field}[{index}]"
            label = values.get(for_each.label_field) if for_each.label_field else None
            ref = ItemRef(for_each.list_field, index, None if label is None else str(label))
            out.append(self._judge(compiled, frame.for_item(values, prefix), exclusions, ref))
        return out

    def _judge(
        self,
        compiled: _CompiledRule,
        frame: Frame,
        exclusions: Mapping[str, Any],
        item: ItemRef | None,
    ) -> tuple[RuleResult, Any]:
        """Run one rule's conditions: the result, and the rule's own truth value."""
        traces = []
        failed = False
        unknown: Unknown | None = None
        for condition in compiled.conditions:
            value = condition.fn(frame)
            if value is True:
                outcome: bool | None = True
            elif value is False:
                outcome, failed = False, True
            else:
                outcome = None
                unknown = value if unknown is None else unknown.merge(value)
            seen = {}
            for name, leaf in condition.leaves:
                leaf_value = leaf(frame)
                seen[name] = None if leaf_value.__class__ is Unknown else leaf_value
            traces.append(ConditionTrace(condition.name, condition.text, outcome, seen))
        truth: Any = False if failed else (unknown or True)
        status = Status.INELIGIBLE if failed else Status.UNDETERMINED if unknown else Status.ELIGIBLE
        excluded_by = None
        if not failed:
            status, unknown, excluded_by = self._apply_exclusions(
                compiled, status, unknown, exclusions
            )
        result = self._result(compiled, frame, status, tuple(traces), unknown, item, excluded_by)
        return result, truth

    def _apply_exclusions(
        self,
        compiled: _CompiledRule,
        status: Status,
        unknown: Unknown | None,
        exclusions: Mapping[str, Any],
    ) -> tuple[Status, Unknown | None, ExclusionRef | None]:
        for excluder in compiled.excludable_by:
            outcome = exclusions.get(excluder.rule.id, False)
            if outcome is False:
                continue
            spec = excluder.rule.spec.excludes
            assert spec is not None
            certain = outcome is True
            ref = ExclusionRef(excluder.rule.id, spec.reason, excluder.rule.citation, certain)
            if certain:
                return Status.EXCLUDED, unknown, ref
            merged = outcome if unknown is None else unknown.merge(outcome)
            return Status.UNDETERMINED, merged, ref
        return status, unknown, None

    def _result(
        self,
        compiled: _CompiledRule,
        frame: Frame,
        status: Status,
        traces: tuple[ConditionTrace, ...],
        unknown: Unknown | None,
        item: ItemRef | None = None,
        excluded_by: ExclusionRef | None = None,
    ) -> RuleResult:
        rule = compiled.rule
        can_compute = status is not Status.NOT_IN_FORCE and not (
            rule.for_each and frame.item is None
        )
        amount, amount_unknown = _amount(compiled.amount, frame, can_compute)
        details = {
            name: _amount(quantity, frame, can_compute)[0] for name, quantity in compiled.details
        }
        facts: frozenset[str] = frozenset()
        params: frozenset[str] = frozenset()
        for source in (unknown, amount_unknown):
            if source is not None:
                facts |= source.facts
                params |= source.params
        spec = rule.spec
        return RuleResult(
            rule_id=spec.id,
            title=spec.title,
            title_en=spec.title_en,
            kind=spec.kind,
            status=status,
            amount=amount,
            conditions=traces,
            missing_facts=tuple(sorted(facts)),
            missing_parameters=tuple(sorted(params)),
            citation=rule.citation,
            in_force=compiled.in_force,
            interpretation=spec.interpretation,
            item=item,
            details=details,
            excluded_by=excluded_by,
        )


def _amount(
    quantity: _CompiledQuantity, frame: Frame, can_compute: bool
) -> tuple[Amount, Unknown | None]:
    spec = quantity.spec.spec
    payer, basis, label = tuple(spec.payer), spec.basis, spec.label
    if quantity.fn is None:
        status = AmountStatus.NONE if spec.unit is Unit.RIGHT else AmountStatus.UNSPECIFIED
        return Amount(spec.unit, status, None, payer, basis, label), None
    if not can_compute:
        return Amount(spec.unit, AmountStatus.UNKNOWN, None, payer, basis, label), None
    value = quantity.fn(frame)
    if value.__class__ is Unknown:
        if value.facts:
            return Amount(spec.unit, AmountStatus.UNKNOWN, None, payer, basis, label), value
        parameters = tuple(sorted(value.params))
        amount = Amount(spec.unit, AmountStatus.UNSPECIFIED, None, payer, basis, label, parameters)
        return amount, None
    if not isinstance(value, date):
        value = to_fen(Decimal(value))
    return Amount(spec.unit, AmountStatus.DETERMINED, value, payer, basis, label), None


def _excludes(excluder: Rule, rule: Rule) -> bool:
    spec = excluder.spec.excludes
    return spec is not None and rule.amount.unit in spec.units


def _totals(results: list[RuleResult]) -> tuple[PayerTotal, ...]:
    """Eligible cash by payer level: determined figures summed, the others counted."""
    sums: dict[str, list[Any]] = {}
    for result in results:
        amount = result.amount
        if result.status is not Status.ELIGIBLE or amount.unit is not Unit.CASH:
            continue
        payer = "+".join(amount.payer) or "unstated"
        entry = sums.setdefault(payer, [Decimal(0), 0, 0])
        if amount.status is AmountStatus.DETERMINED and isinstance(amount.value, Decimal):
            entry[0] += amount.value
            entry[1] += 1
        else:
            entry[2] += 1
    return tuple(PayerTotal(p, s, c, u) for p, (s, c, u) in sorted(sums.items()))

