"""One profile -> `Evaluation`, with the scalar backend.

The rulebook's typed ASTs are compiled to closures once (`ScalarEvaluator`); parameters are
resolved once per `as_of` date. Evaluating a profile then runs every rule's conditions in
three-valued logic, records what each condition saw, applies exclusions, and computes amounts,
rounded to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from subsidy_engine.__about__ import __version__
from subsidy_engine.backends.python.build import new_amount
from subsidy_engine.backends.python.compiler import Fn, Frame, ScalarCompiler, Unknown
from subsidy_engine.backends.python.judge import (
    CompiledCondition,
    CompiledConditions,
    CompiledQuantity,
    CompiledRule,
    Step,
    step_for,
)
from subsidy_engine.backends.python.partial import compile_derived
from subsidy_engine.lang import ast
from subsidy_engine.lang.partial import code_fields
from subsidy_engine.memo import Memo
from subsidy_engine.money import add_exact, to_fen
from subsidy_engine.results import (
    AmountStatus,
    Evaluation,
    PayerTotal,
    PayerTotals,
    Period,
    Provenance,
    RuleInfo,
    RuleResult,
    Status,
)
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.rulebook.rulebook import Quantity, Rule, Rulebook


class ScalarEvaluator:
    """A rulebook compiled to closures: evaluates one validated profile at a time."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        derived: dict[str, Fn] = {}
        compiler = ScalarCompiler(derived, rulebook.calendar, code_fields(rulebook.profile.spec))
        for name, fact in rulebook.derived.items():
            derived[name] = compile_derived(compiler, fact.node)
        self.compiler = compiler
        exclusions = [self._compile(r, ()) for r in rulebook.rules if r.is_exclusion]
        self.rules = tuple(
            next(e for e in exclusions if e.rule is r)
            if r.is_exclusion
            else self._compile(r, tuple(e for e in exclusions if _excludes(e.rule, r)))
            for r in rulebook.rules
        )
        self._totals_keys = {c.info.id: c.total_key for c in self.rules if c.total_key}
        self._exclusion_positions = tuple(
            i for i, c in enumerate(self.rules) if c.info.kind == "exclusion"
        )
        self._params: Memo[Mapping[str, Any]] = Memo(size=64)
        self._plans: Memo[_Plan] = Memo(size=64)
        self._sub_expressions: dict[int, Fn] = {}  # nodes live as long as the rulebook

    def _compile(self, rule: Rule, excludable_by: tuple[CompiledRule, ...]) -> CompiledRule:
        compile_ = self.compiler.compile
        conditions = CompiledConditions(
            tuple(
                CompiledCondition(
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
            interpretation_zh=spec.interpretation_zh,
        )
        payer_key = "+".join(rule.amount.spec.payer) or "unstated"
        return CompiledRule(
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

    def _quantity(self, quantity: Quantity) -> CompiledQuantity:
        spec = quantity.spec
        payer, basis, label = tuple(spec.payer), spec.basis, spec.label
        pending = new_amount(spec.unit, AmountStatus.UNKNOWN, None, payer, basis, label)
        node = quantity.node
        if node is None:
            status = AmountStatus.NONE if spec.unit is Unit.RIGHT else AmountStatus.UNSPECIFIED
            return CompiledQuantity(
                quantity, None, new_amount(spec.unit, status, None, payer, basis, label), pending
            )
        fn = self.compiler.compile(node)
        fixed = None
        if isinstance(node, ast.Literal) and not isinstance(node.value, bool | str):
            value = node.value if isinstance(node.value, date) else to_fen(Decimal(node.value))
            fixed = new_amount(spec.unit, AmountStatus.DETERMINED, value, payer, basis, label)
        return CompiledQuantity(quantity, fn, fixed, pending)

    def params_at(self, as_of: date) -> Mapping[str, Any]:
        """Every parameter's value in force on `as_of`; an unstated one is Unknown."""
        return self._params.get(self.rulebook, as_of, self._new_params, as_of)

    def _new_params(self, as_of: date) -> Mapping[str, Any]:
        return parameters_at(self.rulebook, as_of)

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
        return self._plan(as_of).provenance

    def _plan(self, as_of: date) -> _Plan:
        return self._plans.get(self.rulebook, as_of, self._new_plan, as_of)

    def _new_plan(self, as_of: date) -> _Plan:
        book = self.rulebook
        provenance = Provenance(book.id, book.sha256, __version__, as_of, book.reform_label)
        steps = tuple(step_for(self._read(compiled, as_of), as_of) for compiled in self.rules)
        first = self._exclusion_positions
        return _Plan(self.params_at(as_of), provenance, steps, first)

    def _read(self, compiled: CompiledRule, as_of: date) -> CompiledRule:
        """`compiled` with its results naming the readings in use on `as_of`."""
        names = compiled.rule.readings
        if not names:
            return compiled
        parameters = self.rulebook.parameters
        readings = tuple(parameters[name].reading_at(as_of) for name in names)
        return replace(compiled, info=replace(compiled.info, readings=readings))

    def evaluate(self, facts: Mapping[str, Any], as_of: date, key: str | None) -> Evaluation:
        """Evaluate the facts of one validated profile (a field -> value mapping)."""
        plan = self._plan(as_of)
        frame = Frame(facts, plan.params, as_of)
        truths: dict[str, Any] = {}
        results: list[RuleResult] = []
        if plan.exclusions:
            results = _run_exclusions_first(plan, frame, truths)
        else:
            for step in plan.steps:
                step(frame, truths, results)
        done = tuple(results)
        totals = _pending_totals(_payer_totals, self._totals_keys, done)
        return Evaluation(key, plan.provenance, done, totals)


def parameters_at(rulebook: Rulebook, as_of: date) -> dict[str, Any]:
    """Every parameter's value in force on `as_of`; an unstated one is Unknown."""
    params: dict[str, Any] = {}
    for name, parameter in rulebook.parameters.items():
        value = parameter.value_at(as_of)
        params[name] = Unknown(params=frozenset({name})) if value is None else value
    return params


@dataclass(frozen=True, slots=True)
class _Plan:
    """What evaluating on one `as_of` date runs: a step per rule, in rulebook order."""

    params: Mapping[str, Any]
    provenance: Provenance
    steps: tuple[Step, ...]
    exclusions: tuple[int, ...]
    """Positions of exclusion rules, which run first: the others may depend on them."""


def _run_exclusions_first(plan: _Plan, frame: Frame, truths: dict[str, Any]) -> list[RuleResult]:
    early: dict[int, list[RuleResult]] = {}
    for position in plan.exclusions:
        plan.steps[position](frame, truths, early.setdefault(position, []))
    results: list[RuleResult] = []
    for position, step in enumerate(plan.steps):
        if position in early:
            results += early[position]
        else:
            step(frame, truths, results)
    return results


def _excludes(excluder: Rule, rule: Rule) -> bool:
    spec = excluder.spec.excludes
    return spec is not None and spec.withdraws(rule.id, rule.amount.unit)


def _payer_totals(keys: dict[str, str], results: tuple[RuleResult, ...]) -> tuple[PayerTotal, ...]:
    """Eligible cash results by payer (`keys`: rule id -> payer): determined figures summed,
    the others counted."""
    totals: dict[str, PayerTotal] = {}
    for result in results:
        if result.status is not _ELIGIBLE:
            continue
        payer = keys.get(result.rule.id)
        if payer is None:
            continue
        total = totals.get(payer)
        if total is None:
            total = totals[payer] = PayerTotal(payer, _ZERO, 0, 0)
        amount = result.amount
        if amount.status is _DETERMINED:
            assert isinstance(amount.value, Decimal)  # a cash figure
            total.amount = add_exact(total.amount, amount.value)
            total.counted += 1
        else:
            total.unspecified += 1
    return tuple(sorted(totals.values(), key=attrgetter("payer")))


_ELIGIBLE, _DETERMINED = Status.ELIGIBLE, AmountStatus.DETERMINED
_ZERO = Decimal(0)
_pending_totals = PayerTotals.pending
