"""The expression tree shared by the parser, the type checker and every backend.

Nodes are frozen, slotted dataclasses carrying the span of the text they came from. The parser
builds the *surface* nodes (`Name`, `Attribute`, `Subscript`, `SetLiteral`); the checker
replaces them by *resolved* nodes (`FieldRef`, `ItemFieldRef`, `DerivedRef`, `ParamRef`,
`Lookup`, `InSet`) and fills `ty` on every node. Backends only ever see resolved, typed trees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.errors import Span
from subsidy_engine.lang.types import Type

LiteralValue = bool | int | Decimal | str | date


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    span: Span
    ty: Type | None = None

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, parents first."""
        yield self
        for child in self.children():
            yield from child.walk()


# Leaves ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Literal(Node):
    value: LiteralValue


@dataclass(frozen=True, slots=True, kw_only=True)
class Name(Node):
    """A bare identifier, before the checker has decided what it names."""

    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldRef(Node):
    """A top-level field of the enterprise profile."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemFieldRef(Node):
    """A field of the list item a per-item rule is looking at (`project.land_grade`)."""

    var: str
    list_field: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivedRef(Node):
    """A derived fact, defined once in the rulebook."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamRef(Node):
    """A parameter: a figure of the policy, dated, possibly not stated by the text."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AsOf(Node):
    """The date the evaluation is made as of."""


# Surface forms the checker resolves -----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribute(Node):
    obj: Node
    name: str

    def children(self) -> tuple[Node, ...]:
        return (self.obj,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscript(Node):
    obj: Node
    key: Node

    def children(self) -> tuple[Node, ...]:
        return (self.obj, self.key)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLiteral(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


# Operations -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup(Node):
    """`table[key]` on a parameter table."""

    table: ParamRef
    key: Node

    def children(self) -> tuple[Node, ...]:
        return (self.table, self.key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Neg(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Arith(Node):
    op: str  # one of + - * /
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare(Node):
    """`a < b <= c`: `ops[i]` sits between `operands[i]` and `operands[i + 1]`."""

    ops: tuple[str, ...]  # each one of < <= > >= == !=
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True, kw_only=True)
class Logic(Node):
    op: str  # "and" or "or"
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True, kw_only=True)
class InSet(Node):
    """`x in {a, b}` (or `not in`) over literal options."""

    value: Node
    options: tuple[Literal, ...]
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        return (self.value, *self.options)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contains(Node):
    """`x in some_list` (or `not in`) where the list is a profile field or parameter."""

    value: Node
    container: Node
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        return (self.value, self.container)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cond(Node):
    """`then if test else otherwise`."""

    test: Node
    then: Node
    otherwise: Node

    def children(self) -> tuple[Node, ...]:
        return (self.test, self.then, self.otherwise)


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


RESOLVED_NODES: Mapping[type[Node], str] = {
    Literal: "literal",
    FieldRef: "field_ref",
    ItemFieldRef: "item_field_ref",
    DerivedRef: "derived_ref",
    ParamRef: "param_ref",
    AsOf: "as_of_",
    Lookup: "lookup",
    Neg: "neg",
    Not: "not_",
    Arith: "arith",
    Compare: "compare",
    Logic: "logic",
    InSet: "in_set",
    Contains: "contains",
    Cond: "cond",
    Call: "call",
}
"""Every node kind a backend must compile, with the name of the backend's method that does."""


def visitor_table(backend: object) -> dict[type[Node], Callable[[Any], Any]]:
    """`backend`'s method for each node kind in `RESOLVED_NODES`; AttributeError when it lacks
    one, so a backend cannot be made without every visitor."""
    return {kind: getattr(backend, method) for kind, method in RESOLVED_NODES.items()}


def static_facts(node: Node) -> frozenset[str]:
    """The profile facts an expression reads (item fields as `list[*].field`)."""
    names: set[str] = set()
    for sub in node.walk():
        if isinstance(sub, FieldRef):
            names.add(sub.name)
        elif isinstance(sub, ItemFieldRef):
            names.add(f"{sub.list_field}[*].{sub.name}")
    return frozenset(names)
