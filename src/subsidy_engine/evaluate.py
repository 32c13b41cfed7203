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

from subsidy_engine.lang import ast
from subsidy_engine.lang.scalar import Fn, Frame, ScalarCompiler, Unknown
from subsidy_engine.money import to_fen
from subsidy_engine.results import (
    Amount,
    AmountStatus,
    ConditionTrace,
    ConditionTraces,
    Evaluation,
    ExclusionRef,
    ItemRef,
    PayerTotal,
    Period,
    Provenance,
    RuleInfo,
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
    fields: tuple[str, ...]
    """Profile fields the condition reads: their values are shown as they are."""
    leaves: tuple[tuple[str, Fn], ...]
    """Everything else it reads (derived facts, parameters, item fields), with a getter."""


@dataclass(frozen=True, slots=True)
class _Conditions:
    """A rule's compiled conditions; writes their traces when a result's trace is read."""

    items: tuple[_CompiledCondition, ...]

    def traces(self, outcomes: tuple[bool | None, ...], frame: Frame) -> tuple[ConditionTrace, ...]:
        out = []
        for condition, outcome in zip(self.items, outcomes, strict=True):
            seen = {name: frame.facts.get(name) for name in condition.fields}
            for name, leaf in condition.leaves:
                value = leaf(frame)
                seen[name] = None if value.__class__ is Unknown else value
            out.append(ConditionTrace(condition.name, condition.text, outcome, seen))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class _CompiledQuantity:
    spec: Quantity
    fn: Fn | None
    fixed: Amount | None
    """The amount itself when it depends on nothing (no figure, or a literal one)."""
    pending: Amount
    """The amount when it cannot be computed (a rule out of force, a list not given)."""


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    info: RuleInfo
    conditions: _Conditions
    amount: _CompiledQuantity
    details: tuple[tuple[str, _CompiledQuantity], ...]
    excludable_by: tuple[_CompiledRule, ...]
    start: date | None
    end: date | None
    total_key: str | None
    """The payer key its eligible amount counts under in the totals; None if it is not cash."""


class ScalarEvaluator:
    """A rulebook compiled to closures: evaluates one validated profile at a time."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
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
        self._provenance: dict[date, Provenance] = {}
        self._sub_expressions: dict[int, Fn] = {}  # nodes live as long as the rulebook

    def _compile(self, rule: Rule, excludable_by: tuple[_CompiledRule, ...]) -> _CompiledRule:
        compile_ = self.compiler.compile
        conditions = _Conditions(
            tuple(
                _CompiledCondition(
                    c.name,
                    c.text,
                    compile_(c.node),
                    tuple(n for n, x in c.leaves if isinstance(x, ast.FieldRef)),
                    tuple((n, compile_(x)) for n, x in c.leaves if not isinstance(x, ast.FieldRef)),
                )
                for c in rule.conditions
            )
        )

        period = rule.spec.in_force
        spec = rule.spec
        info = RuleInfo(
            spec.id,
            spec.title,
            spec.title_en,
            spec.kind,
            rule.citation,
            Period(period.from_, period.until),
            spec.interpretation,
        )
        payer_key = "+".join(rule.amount.spec.payer) or "unstated"
        return _CompiledRule(
            rule,
            info,
            conditions,
            self._quantity(rule.amount),
            tuple((name, self._quantity(q)) for name, q in rule.details.items()),
            excludable_by,
            period.from_,
            period.until,
            payer_key if rule.amount.unit is Unit.CASH else None,
        )

    def _quantity(self, quantity: Quantity) -> _CompiledQuantity:
        spec = quantity.spec
        payer, basis, label = tuple(spec.payer), spec.basis, spec.label
        pending = Amount(spec.unit, AmountStatus.UNKNOWN, None, payer, basis, label)
        node = quantity.node
        if node is None:
            status = AmountStatus.NONE if spec.unit is Unit.RIGHT else AmountStatus.UNSPECIFIED
            return _CompiledQuantity(
                quantity, None, Amount(spec.unit, status, None, payer, basis, label), pending
            )
        fn = self.compiler.compile(node)
        fixed = None
        if isinstance(node, ast.Literal) and not isinstance(node.value, bool | str):
            value = node.value if isinstance(node.value, date) else to_fen(Decimal(node.value))
            fixed = Amount(spec.unit, AmountStatus.DETERMINED, value, payer, basis, label)
        return _CompiledQuantity(quantity, fn, fixed, pending)

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

    def frame(self, facts: Mapping[str, Any], as_of: date) -> Frame:
        """What evaluating `facts` as of a date reads; for explaining sub-expressions."""
        return Frame(facts, self.params_at(as_of), as_of)

    def value_of(self, node: ast.Node, frame: Frame) -> Any:
        """The value of any typed sub-expression of the rulebook (Unknown when undecided)."""
        fn = self._sub_expressions.get(id(node))
        if fn is None:
            fn = self._sub_expressions[id(node)] = self.compiler.compile(node)
        return fn(frame)

    def provenance(self, as_of: date) -> Provenance:
        provenance = self._provenance.get(as_of)
        if provenance is None:
            book = self.rulebook
            provenance = Provenance(book.id, book.sha256, ENGINE_VERSION, as_of, book.reform_label)
            self._provenance[as_of] = provenance
        return provenance

    def evaluate(self, facts: Mapping[str, Any], as_of: date, key: str | None) -> Evaluation:
        """Evaluate the facts of one validated profile (a field -> value mapping)."""
        frame = Frame(facts, self.params_at(as_of), as_of)
        truths: dict[str, Any] = {}
        done: dict[str, list[RuleResult]] = {}
        for compiled in self.exclusions:  # first: the others may depend on them
            done[compiled.rule.id] = self._rule_results(compiled, frame, truths)
        results: list[RuleResult] = []
        totals: dict[str, list[Any]] = {}
        for compiled in self.rules:
            if compiled.info.kind == "exclusion":
                results += done[compiled.info.id]
                continue
            judged = self._rule_results(compiled, frame, truths)
            results += judged
            if compiled.total_key is not None:
                _add_to_totals(totals, compiled.total_key, judged)
        return Evaluation(key, self.provenance(as_of), tuple(results), _totals(totals))

    def _rule_results(
        self, compiled: _CompiledRule, frame: Frame, truths: dict[str, Any]
    ) -> list[RuleResult]:
        """The results of one rule (one per item for a per-item rule). An exclusion rule's own
        truth value is recorded in `truths` for the rules it may withdraw."""
        rule = compiled.rule
        as_of, start, end = frame.as_of, compiled.start, compiled.end
        if (start is not None and as_of < start) or (end is not None and as_of > end):
            truths[rule.id] = False
            return [self._result(compiled, frame, _NOT_IN_FORCE, _NO_TRACES, None)]
        for_each = rule.for_each
        if for_each is None:
            return [self._judge(compiled, frame, truths, None)]
        items = frame.facts.get(for_each.list_field)
        if items is None:
            missing = Unknown(frozenset({for_each.list_field}))
            return [self._result(compiled, frame, _UNDETERMINED, _NO_TRACES, missing)]
        if not items:
            trace = ConditionTrace(
                f"has_{for_each.list_field}",
                f"len({for_each.list_field}) > 0",
                False,
                {for_each.list_field: []},
            )
            return [self._result(compiled, frame, _INELIGIBLE, ConditionTraces((trace,)), None)]
        out = []
        for index, item in enumerate(items):
            values = item.__dict__ if hasattr(item, "__dict__") else item
            prefix = f"{for_each.list_field}[{index}]"
            label = values.get(for_each.label_field) if for_each.label_field else None
            ref = ItemRef(for_each.list_field, index, None if label is None else str(label))
            out.append(self._judge(compiled, frame.for_item(values, prefix), truths, ref))
        return out

    def _judge(
        self,
        compiled: _CompiledRule,
        frame: Frame,
        truths: dict[str, Any],
        item: ItemRef | None,
    ) -> RuleResult:
        """Run one rule's conditions in three-valued logic and build its result."""
        outcomes: list[bool | None] = []
        failed = False
        unknown: Unknown | None = None
        for condition in compiled.conditions.items:
            value = condition.fn(frame)
            if value is True or value is False:
                failed = failed or not value
                outcomes.append(value)
            else:
                unknown = value if unknown is None else unknown.merge(value)
                outcomes.append(None)
        if failed:
            truth: Any = False
            status = _INELIGIBLE
        elif unknown is None:
            truth, status = True, _ELIGIBLE
        else:
            truth, status = unknown, _UNDETERMINED
        if compiled.info.kind == "exclusion":
            truths[compiled.info.id] = truth
        excluded_by = None
        if not failed and compiled.excludable_by:
            status, unknown, excluded_by = self._apply_exclusions(compiled, status, unknown, truths)
        traces = ConditionTraces(
            source=compiled.conditions, outcomes=tuple(outcomes), context=frame
        )
        return self._result(compiled, frame, status, traces, unknown, item, excluded_by)

    def _apply_exclusions(
        self,
        compiled: _CompiledRule,
        status: Status,
        unknown: Unknown | None,
        exclusions: Mapping[str, Any],
    ) -> tuple[Status, Unknown | None, ExclusionRef | None]:
        certain: ExclusionRef | None = None
        possible: ExclusionRef | None = None
        for excluder in compiled.excludable_by:
            outcome = exclusions.get(excluder.rule.id, False)
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
            # Only what is known to qualify is withdrawn; an undetermined rule stays so.
            return (Status.EXCLUDED if status is _ELIGIBLE else status), unknown, certain
        if possible is not None:
            return _UNDETERMINED, unknown, possible
        return status, unknown, None

    def _result(
        self,
        compiled: _CompiledRule,
        frame: Frame,
        status: Status,
        traces: ConditionTraces,
        unknown: Unknown | None,
        item: ItemRef | None = None,
        excluded_by: ExclusionRef | None = None,
    ) -> RuleResult:
        computable = status is not _NOT_IN_FORCE and (
            frame.item is not None or compiled.rule.for_each is None
        )
        amount, amount_unknown = _amount(compiled.amount, frame, computable)
        if status is _INELIGIBLE or status is _EXCLUDED:
            unknown = amount_unknown = None  # decided: no missing fact could change it
        details = None
        if compiled.details:
            details = {name: _amount(q, frame, computable)[0] for name, q in compiled.details}
        if amount_unknown is not None:
            unknown = amount_unknown if unknown is None else unknown.merge(amount_unknown)
        if unknown is None:
            return RuleResult(
                compiled.info, status, amount, traces, (), (), item, details, excluded_by
            )
        return RuleResult(
            compiled.info,
            status,
            amount,
            traces,
            tuple(sorted(unknown.facts)),
            tuple(sorted(unknown.params)),
            item,
            details,
            excluded_by,
        )


def _amount(
    quantity: _CompiledQuantity, frame: Frame, computable: bool
) -> tuple[Amount, Unknown | None]:
    """The amount of one quantity, and what is missing to know it (when a fact is)."""
    if quantity.fixed is not None:
        return quantity.fixed, None
    if not computable or quantity.fn is None:
        return quantity.pending, None
    value = quantity.fn(frame)
    pending = quantity.pending
    if value.__class__ is Unknown:
        if value.facts:
            return pending, value
        parameters = tuple(sorted(value.params))
        status = AmountStatus.UNSPECIFIED
        return Amount(
            pending.unit, status, None, pending.payer, pending.basis, pending.label, parameters
        ), None
    if not isinstance(value, date):
        value = to_fen(Decimal(value))
    return Amount(
        pending.unit, AmountStatus.DETERMINED, value, pending.payer, pending.basis, pending.label
    ), None


def _excludes(excluder: Rule, rule: Rule) -> bool:
    spec = excluder.spec.excludes
    return spec is not None and rule.amount.unit in spec.units


def _add_to_totals(totals: dict[str, list[Any]], payer: str, results: list[RuleResult]) -> None:
    """Count eligible results of a cash rule: determined figures summed, the others counted."""
    for result in results:
        if result.status is not _ELIGIBLE:
            continue
        entry = totals.get(payer)
        if entry is None:
            entry = totals[payer] = [Decimal(0), 0, 0]
        if result.amount.status is _DETERMINED:
            entry[0] += result.amount.value
            entry[1] += 1
        else:
            entry[2] += 1


def _totals(totals: dict[str, list[Any]]) -> tuple[PayerTotal, ...]:
    return tuple(PayerTotal(p, s, c, u) for p, (s, c, u) in sorted(totals.items()))


# Enum members bound once: looking them up on the class costs more on this hot path.
_ELIGIBLE, _INELIGIBLE, _UNDETERMINED = Status.ELIGIBLE, Status.INELIGIBLE, Status.UNDETERMINED
_NOT_IN_FORCE, _EXCLUDED = Status.NOT_IN_FORCE, Status.EXCLUDED
_NO_TRACES = ConditionTraces(())
_DETERMINED = AmountStatus.DETERMINED
