"""Gaps: for each rule a profile does not qualify for, the smallest change that would make it.

The change is worked out from the rule's own conditions, not by search: a failing `x >= c`
asks for x to reach c; `x > c` for one step above c at x's precision; `a or b` for the
cheaper of the two; `a and b` for both; `x in {…}` for one of the values; a derived fact is
opened up to the facts it is computed from. Every numeric proposal on the profile's own facts
is checked by re-evaluating the changed profile (`verified`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from subsidy_engine.backends.python.compiler import Frame, Unknown
from subsidy_engine.backends.python.evaluate import ScalarEvaluator
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.unparse import literal_text, unparse
from subsidy_engine.money import in_wan
from subsidy_engine.results import Evaluation, ItemRef, RuleResult, Status
from subsidy_engine.rulebook.models import ListFieldSpec
from subsidy_engine.rulebook.rulebook import Rule, Rulebook
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    import polars as pl

_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
INFINITY = float("inf")


@dataclass(frozen=True, slots=True)
class FactChange:
    """One fact to change, and to what."""

    fact: str
    """A profile field, `list[index].field` for an item, or a derived fact or expression."""
    requirement: str
    """What it must satisfy, e.g. `>= 50000000`, `one of {'C307'}`, `true`."""
    current: Any = None
    target: Any = None
    """The value to set, where one value does it (a number at its bound, a flag)."""
    settable: bool = False
    """True when `fact` is the profile's own fact and `target` can simply be set."""
    money: bool = False
    """The fact is an amount in yuan: shown in 万 where that reads better."""

    @property
    def delta(self) -> Decimal | None:
        numbers = (self.target, self.current)
        if all(isinstance(n, int | Decimal) and not isinstance(n, bool) for n in numbers):
            return Decimal(self.target) - Decimal(self.current)
        return None

    def __str__(self) -> str:
        if self.target is not None and self.current is not None:
            delta = self.delta
            more = f" ({'+' if delta > 0 else ''}{self._shown(delta)})" if delta else ""
            return f"{self.fact} {self._shown(self.current)} → {self._shown(self.target)}{more}"
        if self.target is not None:
            return f"{self.fact} → {self._shown(self.target)}"
        return f"{self.fact} must be {self.requirement}"

    def _shown(self, value: Any) -> str:
        wan = in_wan(Decimal(value)) if self.money and isinstance(value, Decimal | int) else None
        return wan or str(value)


@dataclass(frozen=True, slots=True)
class Gap:
    rule_id: str
    title: str
    measure: int
    status: Status
    item: ItemRef | None
    reachable: bool
    """False when no change of the enterprise's own facts can make the rule apply."""
    changes: tuple[FactChange, ...]
    missing_facts: tuple[str, ...]
    distance: float
    """How far the enterprise is: relative size of numeric changes, 1 per other change."""
    verified: bool | None
    """Whether applying `changes` to the profile makes the rule no longer fail (None: the
    changes cannot all be applied by setting fields)."""
    note: str = ""
    unspecified_parameters: tuple[str, ...] = ()
    """Parameters without a value that still leave the rule undecided after the changes."""

    def __str__(self) -> str:
        what = ", ".join(str(c) for c in self.changes) or "supply " + ", ".join(self.missing_facts)
        notes = [self.note] if self.note else []
        if self.unspecified_parameters:
            notes.append("no value yet for " + ", ".join(self.unspecified_parameters))
        return f"{what} — measure {self.measure}, {self.rule_id}" + (
            f" ({'; '.join(notes)})" if notes else ""
        )


@dataclass(frozen=True, slots=True)
class Question:
    fact: str
    decides: tuple[str, ...]
    """The undetermined rules that list this fact among those that would decide them."""


@dataclass(frozen=True, slots=True)
class GapReport(Tabular):
    evaluation: Evaluation
    gaps: tuple[Gap, ...]
    """Closest first; unreachable ones last."""
    questions: tuple[Question, ...] = field(default=())
    """Facts to ask for, the one that decides the most undetermined rules first."""

    def to_polars(self) -> pl.DataFrame:
        """One row per gap, closest first."""
        import polars as pl

        rows = [
            {
                "rule_id": gap.rule_id,
                "measure": gap.measure,
                "title": gap.title,
                "item": None if gap.item is None else str(gap.item),
                "status": str(gap.status),
                "reachable": gap.reachable,
                "changes": [str(c) for c in gap.changes],
                "missing_facts": list(gap.missing_facts),
                "distance": gap.distance,
                "verified": gap.verified,
            }
            for gap in self.gaps
        ]
        text, texts = pl.String(), pl.List(pl.String())
        schema = {
            "rule_id": text,
            "measure": pl.Int64(),
            "title": text,
            "item": text,
            "status": text,
            "reachable": pl.Boolean(),
            "changes": texts,
            "missing_facts": texts,
            "distance": pl.Float64(),
            "verified": pl.Boolean(),
        }
        return pl.DataFrame(rows, schema=schema)


Reevaluate = Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], Evaluation]]
"""Changes (field or `list[index].field` -> value) -> (the changed profile's validated facts,
its evaluation)."""


def find_gaps(
    evaluator: ScalarEvaluator,
    facts: Mapping[str, Any],
    evaluation: Evaluation,
    reevaluate: Reevaluate,
) -> GapReport:
    """Gaps of every rule `evaluation` does not find eligible; proposals are checked with
    `reevaluate`."""
    rules = {rule.id: rule for rule in evaluator.rulebook.rules}
    money = _money_fields(evaluator.rulebook)
    as_of = evaluation.provenance.as_of
    gaps = []
    for result in evaluation.results:
        decided = (Status.ELIGIBLE, Status.EXCLUDED, Status.ENDED)
        if result.status in decided or result.rule.kind == "exclusion":
            continue
        rule = rules[result.rule_id]
        gaps.append(_gap(evaluator, rule, result, facts, as_of, reevaluate, money))
    gaps.sort(key=lambda g: (g.distance, g.measure, g.rule_id))
    return GapReport(evaluation, tuple(gaps), _questions(evaluation))


def _questions(evaluation: Evaluation) -> tuple[Question, ...]:
    decides: dict[str, list[str]] = {}
    for result in evaluation.undetermined:
        for fact in result.missing_facts:
            decides.setdefault(fact, []).append(result.rule_id)
    counts = Counter({fact: len(rules) for fact, rules in decides.items()})
    return tuple(Question(fact, tuple(decides[fact])) for fact, _ in counts.most_common())


_ROUNDS = 3
"""Conditions are planned one by one; when one's change upsets another (both read the same
fact), planning again on the changed profile settles it in a round or two."""


def _gap(
    evaluator: ScalarEvaluator,
    rule: Rule,
    result: RuleResult,
    facts: Mapping[str, Any],
    as_of: date,
    reevaluate: Reevaluate,
    money: frozenset[str],
) -> Gap:
    gap = partial(Gap, rule.id, rule.spec.title, rule.measure.number, result.status, result.item)
    if result.status is Status.NOT_IN_FORCE:
        period = rule.spec.in_force
        note = f"in force {period.from_ or '…'} to {period.until or '…'}"
        return gap(
            reachable=False,
            changes=(),
            missing_facts=(),
            distance=INFINITY,
            verified=None,
            note=note,
        )
    if rule.for_each is not None and result.item is None:  # the list is empty or missing
        need = FactChange(rule.for_each.list_field, "at least one item")
        changes_ = () if result.missing_facts else (need,)
        return gap(
            reachable=True,
            changes=changes_,
            missing_facts=result.missing_facts,
            distance=1.0,
            verified=None,
        )
    index = result.item.index if result.item else None
    planner = _Planner(evaluator, _frame(evaluator, facts, as_of, result.item), money)
    changes, missing = _plan(planner, rule)
    verified = None
    unspecified: tuple[str, ...] = ()
    for _ in range(_ROUNDS):
        if not changes or not all(c.settable for c in changes):
            break
        changed_facts, after = reevaluate({c.fact: c.target for c in changes})
        changed = after.result(rule.id, index)
        verified = changed.status is not Status.INELIGIBLE
        # A condition may fail whatever its unknown parts are (false and unknown), and an
        # exclusion may hang on a missing fact: what is still missing shows after the change.
        missing |= set(changed.missing_facts)
        unspecified = changed.missing_parameters
        if verified:
            break
        replanner = _Planner(evaluator, _frame(evaluator, changed_facts, as_of, result.item), money)
        more, more_missing = _plan(replanner, rule)
        if not more:
            break
        changes = _merged(changes, more)
        missing |= more_missing
    distance = sum(planner.cost(c) for c in changes) if changes else 0.0
    if not missing and not changes:
        distance = INFINITY
    return gap(
        reachable=True,
        changes=tuple(changes),
        missing_facts=tuple(sorted(missing)),
        distance=distance,
        verified=verified,
        unspecified_parameters=unspecified,
    )


def _frame(
    evaluator: ScalarEvaluator, facts: Mapping[str, Any], as_of: date, item: ItemRef | None
) -> Frame:
    frame = evaluator.frame(facts, as_of)
    if item is None:
        return frame
    value = (frame.facts.get(item.list_field) or [])[item.index]
    values = value.__dict__ if hasattr(value, "__dict__") else value
    return frame.for_item(values, f"{item.list_field}[{item.index}]")


def _plan(planner: _Planner, rule: Rule) -> tuple[list[FactChange], set[str]]:
    """The changes that make each failing condition hold, and the facts the undecided ones
    lack."""
    changes: list[FactChange] = []
    missing: set[str] = set()
    for condition in rule.conditions:
        value = planner.evaluator.value_of(condition.node, planner.frame)
        if value is False:
            changes += planner.make(condition.node, True)
        elif isinstance(value, Unknown):
            missing |= value.facts
    return changes, missing


def _merged(first: list[FactChange], then: list[FactChange]) -> list[FactChange]:
    """`first` with `then` applied on top; a fact changed twice keeps its original value as
    `current` and takes the later target."""
    out = {c.fact: c for c in first}
    for change in then:
        earlier = out.get(change.fact)
        out[change.fact] = change if earlier is None else replace(change, current=earlier.current)
    return list(out.values())


class _Planner:
    """Turns a condition that fails into the changes that would make it hold."""

    def __init__(self, evaluator: ScalarEvaluator, frame: Frame, money: frozenset[str]) -> None:
        self.evaluator = evaluator
        self.frame = frame
        self.derived = evaluator.rulebook.derived
        self.money = money  # the profile's amounts in yuan, named as `_money_fields` names them

    def value(self, node: ast.Node) -> Any:
        value = self.evaluator.value_of(node, self.frame)
        return None if isinstance(value, Unknown) else value

    def cost(self, change: FactChange) -> float:
        delta = change.delta
        if delta is not None and isinstance(change.target, int | Decimal):
            scale = max(abs(float(change.target)), abs(float(change.current or 0)))
            return float(abs(delta)) / scale if scale else 1.0
        return 1.0

    def make(self, node: ast.Node, want: bool) -> list[FactChange]:
        """Changes that give `node` the truth value `want`. Nothing is proposed for a part that
        is undecided: the facts it lacks are listed instead."""
        current = self.value(node)
        if current is want or current is None:
            return []
        if isinstance(node, ast.Not):
            return self.make(node.operand, not want)
        if isinstance(node, ast.Logic):
            every = (node.op == "and") == want
            options = [self.make(operand, want) for operand in node.operands]
            if every:
                return [change for option in options for change in option]
            return min(options, key=lambda o: sum(self.cost(c) for c in o))
        if isinstance(node, ast.Compare):
            return self.compare(node, want)
        if isinstance(node, ast.InSet):
            return self.in_set(node, want)
        if isinstance(node, ast.Call) and node.func == "starts_with" and _is_fact(node.args[0]):
            return [self.prefix(node, want)]
        if isinstance(node, ast.DerivedRef) and node.name in self.derived:
            return self.make(self.derived[node.name].node, want)
        if isinstance(node, ast.FieldRef | ast.ItemFieldRef) and isinstance(node.ty, t.Bool):
            return [self.fact(node, literal_text(want), want)]
        return [FactChange(unparse(node), "true" if want else "false")]

    def compare(self, node: ast.Compare, want: bool) -> list[FactChange]:
        pairs = list(zip(node.ops, node.operands, node.operands[1:], strict=False))
        if len(pairs) > 1:
            parts = [
                ast.Compare(span=node.span, ty=t.BOOL, ops=(op,), operands=(a, b))
                for op, a, b in pairs
            ]
            if not want:  # any one pair failing suffices: take the cheapest
                options = [self.compare(p, False) for p in parts]
                return min(options, key=lambda o: sum(self.cost(c) for c in o))
            return [c for p in parts for c in self.compare(p, True)]
        ((op, left, right),) = pairs
        op = op if want else _FLIP[op]
        if _is_fact(left) and not _is_fact(right):
            return self.bound(left, op, right)
        if _is_fact(right) and not _is_fact(left):
            return self.bound(right, _MIRROR[op], left)
        return [FactChange(unparse(node), "true" if want else "false")]

    def bound(self, fact: ast.Node, op: str, other: ast.Node) -> list[FactChange]:
        limit = self.value(other)
        requirement = f"{op} {unparse(other)}"
        if limit is None:
            return [FactChange(unparse(fact), requirement, self.value(fact))]
        text = f"{op} {limit}" if isinstance(other, ast.ParamRef | ast.Lookup) else requirement
        if isinstance(fact, ast.DerivedRef) and (
            isinstance(fact.ty, t.Bool | t.Enum) or op == "!="
        ):
            return self.make_derived_equal(fact, op, limit, text)
        target = _target(op, limit, fact.ty)
        return [self.fact(fact, text, target)]

    def make_derived_equal(
        self, fact: ast.DerivedRef, op: str, limit: Any, text: str
    ) -> list[FactChange]:
        if op == "==" and isinstance(limit, bool):
            return self.make(self.derived[fact.name].node, limit)
        return [FactChange(fact.name, text, self.value(fact))]

    def in_set(self, node: ast.InSet, want: bool) -> list[FactChange]:
        options = "{" + ", ".join(unparse(o) for o in node.options) + "}"
        inside = want != node.negated
        requirement = ("one of " if inside else "none of ") + options
        target = node.options[0].value if inside and len(node.options) == 1 else None
        if _is_fact(node.value):
            return [self.fact(node.value, requirement, target)]
        return [FactChange(unparse(node.value), requirement, self.value(node.value))]

    def prefix(self, node: ast.Call, want: bool) -> FactChange:
        prefixes = self.value(node.args[1])
        options = [prefixes] if isinstance(prefixes, str) else list(prefixes or [])
        requirement = ("starting with " if want else "not starting with ") + " or ".join(options)
        target = options[0] if want and options else None
        return self.fact(node.args[0], requirement, target)

    def fact(self, node: ast.Node, requirement: str, target: Any) -> FactChange:
        current = self.value(node)
        if isinstance(node, ast.FieldRef):
            money = node.name in self.money
            return FactChange(node.name, requirement, current, target, target is not None, money)
        if isinstance(node, ast.ItemFieldRef):
            name = f"{self.frame.item_prefix}.{node.name}"
            money = f"{self.frame.item_prefix.split('[')[0]}.{node.name}" in self.money
            return FactChange(name, requirement, current, target, target is not None, money)
        return FactChange(unparse(node), requirement, current, target)


def _money_fields(rulebook: Rulebook) -> frozenset[str]:
    """The profile's amounts in yuan: `field`, and `list.field` for an item's."""
    out = set()
    for name, spec in rulebook.profile.spec.fields.items():
        if isinstance(spec, ListFieldSpec):
            items = spec.fields or {}
            out |= {f"{name}.{sub}" for sub, s in items.items() if s.type == "money"}
        elif spec.type == "money":
            out.add(name)
    return frozenset(out)


def _is_fact(node: ast.Node) -> bool:
    return isinstance(node, ast.FieldRef | ast.ItemFieldRef | ast.DerivedRef)


def _target(op: str, limit: Any, ty: t.Type | None) -> Any:
    """The value nearest to the present that satisfies `x op limit`."""
    if op in (">=", "<=", "=="):
        return limit
    if op == "!=":
        return None
    if isinstance(limit, date):
        step: Any = date.resolution
    elif isinstance(ty, t.Dec):
        step = Decimal(1).scaleb(-ty.scale)
    else:
        step = 1
    return limit + step if op == ">" else limit - step
