"""Planning a gap: the changes of facts that would make a failing condition hold.

Worked out from the condition itself, not by search: a failing `x >= c` asks for x to reach
c; `x > c` for one step above c at x's precision; `a or b` for the cheaper of the two; `a and
b` for both; `x in {…}` for one of the values; a derived fact is opened up to the facts it is
computed from. A change of a historical fact costs infinitely much, so an alternative is
always preferred, and a gap that needs one is out of reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.analysis.gap_facts import FactReader
from subsidy_engine.backends.python.compiler import Frame, Unknown
from subsidy_engine.backends.python.evaluate import ScalarEvaluator
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.operators import MIRRORED, NEGATED
from subsidy_engine.lang.unparse import literal_text, unparse
from subsidy_engine.money import in_wan
from subsidy_engine.rulebook.models import ListFieldSpec
from subsidy_engine.rulebook.rulebook import Rule, Rulebook

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
    historical: bool = False
    """The fact is the enterprise's history (the profile marks it so): never to be changed."""
    relation: str = ""
    """For a requirement that is no single value: `one of`, `none of`, `starting with`, `not
    starting with` (over `options`) or `at least one item`; empty for a comparison."""
    options: tuple[Any, ...] = ()
    """The values or code prefixes `relation` is over, for showing them in people's words."""

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


def cost(change: FactChange) -> float:
    """How far a change is: the relative size of a numeric change, 1 for any other; a change
    of the enterprise's history is out of reach."""
    if change.historical:
        return INFINITY
    delta = change.delta
    if delta is not None and isinstance(change.target, int | Decimal):
        scale = max(abs(float(change.target)), abs(float(change.current or 0)))
        return float(abs(delta)) / scale if scale else 1.0
    return 1.0


def frame_for(base: Frame, item_facts: Any, prefix: str | None) -> Frame:
    """`base`, or inside a per-item rule the frame of one item (`projects[3]`)."""
    if prefix is None:
        return base
    values = item_facts.__dict__ if hasattr(item_facts, "__dict__") else item_facts
    return base.for_item(values, prefix)


def plan(planner: Planner, rule: Rule) -> tuple[list[FactChange], set[str]]:
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


class Planner:
    """Turns a condition that fails into the changes that would make it hold."""

    def __init__(
        self, evaluator: ScalarEvaluator, frame: Frame, money: frozenset[str], reader: FactReader
    ) -> None:
        self.evaluator = evaluator
        self.frame = frame
        self.derived = evaluator.rulebook.derived
        self.money = money  # the profile's amounts in yuan, named as `money_fields` names them
        self.reader = reader

    def value(self, node: ast.Node) -> Any:
        value = self.evaluator.value_of(node, self.frame)
        return None if isinstance(value, Unknown) else value

    def cost(self, change: FactChange) -> float:
        return cost(change)

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
        return [self.other(node, "true" if want else "false")]

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
        op = op if want else NEGATED[op]
        if _is_fact(left) and not _is_fact(right):
            return self.bound(left, op, right)
        if _is_fact(right) and not _is_fact(left):
            return self.bound(right, MIRRORED[op], left)
        return [self.other(node, "true" if want else "false")]

    def bound(self, fact: ast.Node, op: str, other: ast.Node) -> list[FactChange]:
        limit = self.value(other)
        requirement = f"{op} {unparse(other)}"
        if limit is None:
            return [self.other(fact, requirement, self.value(fact))]
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
        return [self.other(fact, text, self.value(fact), fact.name)]

    def in_set(self, node: ast.InSet, want: bool) -> list[FactChange]:
        options = "{" + ", ".join(unparse(o) for o in node.options) + "}"
        inside = want != node.negated
        relation = "one of" if inside else "none of"
        requirement = f"{relation} {options}"
        target = node.options[0].value if inside and len(node.options) == 1 else None
        values = tuple(self.value(o) for o in node.options)
        if _is_fact(node.value):
            return [self.fact(node.value, requirement, target, relation, values)]
        current = self.value(node.value)
        return [self.other(node.value, requirement, current, relation=relation, options=values)]

    def prefix(self, node: ast.Call, want: bool) -> FactChange:
        prefixes = self.value(node.args[1])
        options = [prefixes] if isinstance(prefixes, str) else list(prefixes or [])
        relation = "starting with" if want else "not starting with"
        requirement = f"{relation} " + " or ".join(options)
        target = options[0] if want and options else None
        return self.fact(node.args[0], requirement, target, relation, tuple(options))

    def fact(
        self,
        node: ast.Node,
        requirement: str,
        target: Any,
        relation: str = "",
        options: tuple[Any, ...] = (),
    ) -> FactChange:
        current = self.value(node)
        if isinstance(node, ast.FieldRef | ast.ItemFieldRef):
            if isinstance(node, ast.FieldRef):
                name = spec_name = node.name
            else:
                name = f"{self.frame.item_prefix}.{node.name}"
                spec_name = f"{self.frame.item_prefix.split('[')[0]}.{node.name}"
            past = spec_name in self.reader.historical
            settable = target is not None and not past
            money = spec_name in self.money
            return FactChange(
                name, requirement, current, target, settable, money, past, relation, options
            )
        return self.other(node, requirement, current, target, relation=relation, options=options)

    def other(
        self,
        node: ast.Node,
        requirement: str,
        current: Any = None,
        target: Any = None,
        name: str | None = None,
        *,
        relation: str = "",
        options: tuple[Any, ...] = (),
    ) -> FactChange:
        """A change of something other than one of the profile's own facts (a derived fact,
        an expression): it says what must hold, and cannot simply be set."""
        past = self.reader.is_historical(node)
        return FactChange(
            name or unparse(node),
            requirement,
            current,
            target,
            historical=past,
            relation=relation,
            options=options,
        )


def money_fields(rulebook: Rulebook) -> frozenset[str]:
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
