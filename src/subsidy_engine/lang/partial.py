"""What partial knowledge decides, the same for every backend.

Two kinds of value are finite and may be known in part:

* an industry code shorter than a class (`C30`, `F`) stands for every GB/T 4754-2017 class it
  covers: `starts_with(code, prefix)` is true when every one of them starts with `prefix`, false
  when none does, and unknown otherwise (`code_verdict`);
* a finite-valued expression (a string enumeration or a truth value) that is not known carries
  the set of values it may still take. A derived fact that reads an enumerated derived fact is
  worked out once for each value that fact may take (`pin`), so that facts read twice are not
  treated as independent (a code spanning two SME sector rows with the same thresholds decides
  the size class).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from subsidy_engine.identifiers import industry_codes
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t

if TYPE_CHECKING:
    from subsidy_engine.rulebook.models import ProfileSpec

CLASS_LENGTH = 5
"""A class (小类) code: the section letter and four digits."""

MAX_SCENARIOS = 64
"""The most value combinations a derived fact is worked out for; beyond, it is not split."""

_COMPARE: dict[str, Any] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@cache
def covered_classes(code: str) -> tuple[str, ...]:
    """The class codes a (possibly coarse) industry code covers: itself for a class."""
    if len(code) >= CLASS_LENGTH:
        return (code,)
    return tuple(c for c in industry_codes() if len(c) == CLASS_LENGTH and c.startswith(code))


@cache
def code_verdict(code: str, prefix: str) -> bool | None:
    """`starts_with(code, prefix)` for a code that may be coarse; None when it cannot be told."""
    if code.startswith(prefix):
        return True
    if len(code) >= CLASS_LENGTH or not prefix.startswith(code):
        return False
    classes = covered_classes(code)
    hits = sum(1 for c in classes if c.startswith(prefix))
    if hits == 0:
        return False
    return True if hits == len(classes) else None


def undecided_prefixes(prefix: str) -> tuple[str, ...]:
    """The coarse codes for which `starts_with(code, prefix)` is unknown."""
    return tuple(p for p in _shorter(prefix) if code_verdict(p, prefix) is None)


def covering_prefixes(prefix: str) -> tuple[str, ...]:
    """The coarse codes shorter than `prefix` all of whose classes start with it."""
    return tuple(p for p in _shorter(prefix) if code_verdict(p, prefix) is True)


def _shorter(prefix: str) -> list[str]:
    lengths = [n for n in (1, 3, 4) if n < len(prefix)]
    return [prefix[:n] for n in lengths]


def code_fields(profile: ProfileSpec) -> frozenset[str]:
    """The profile's industry-code fields, named as `ast.static_facts` names them."""
    names: set[str] = set()
    for name, spec in profile.fields.items():
        if spec.type == "industry_code":
            names.add(name)
        elif spec.type == "list" and spec.fields:
            names |= {
                f"{name}[*].{item}" for item, s in spec.fields.items() if s.type == "industry_code"
            }
    return frozenset(names)


def is_code_operand(node: ast.Node, code_fields: frozenset[str]) -> bool:
    """Whether `node` reads an industry-code field of the profile (or of a list item)."""
    return isinstance(node, ast.FieldRef | ast.ItemFieldRef) and (
        ast.static_facts(node) <= code_fields
    )


def domain(ty: t.Type | None) -> tuple[Any, ...] | None:
    """The values a finite type can take, in a fixed order; None for an infinite type."""
    if isinstance(ty, t.Enum):
        return ty.values
    if isinstance(ty, t.Bool):
        return (False, True)
    return None


def enum_refs(node: ast.Node) -> tuple[ast.DerivedRef, ...]:
    """The enumerated derived facts `node` reads, each once, in the order first read."""
    found: dict[str, ast.DerivedRef] = {}
    for sub in node.walk():
        if isinstance(sub, ast.DerivedRef) and isinstance(sub.ty, t.Enum):
            found.setdefault(sub.name, sub)
    return tuple(found.values())


Scenarios = tuple[tuple[ast.DerivedRef, ...], list[tuple[tuple[str, ...], ast.Node]]]
"""The enumerated derived facts an expression reads, and each combination of their values with
the expression pinned to it."""


def scenarios(node: ast.Node) -> Scenarios | None:
    """A finite-valued expression worked out for each combination of the enumerated derived
    facts it reads; None when there is nothing to split on (or too much)."""
    if domain(node.ty) is None:
        return None
    refs = enum_refs(node)
    if not refs:
        return None
    domains = [r.ty.values for r in refs if isinstance(r.ty, t.Enum)]
    count = 1
    for values in domains:
        count *= len(values)
    if count > MAX_SCENARIOS:
        return None
    out = []
    for combo in itertools.product(*domains):
        out.append((combo, pin(node, dict(zip((r.name for r in refs), combo, strict=True)))))
    return refs, out


def pin(node: ast.Node, values: Mapping[str, str]) -> ast.Node:
    """`node` with the derived facts in `values` replaced by those values, and every operation
    that becomes decided folded to its literal result (Kleene's `and`/`or` included)."""
    if isinstance(node, ast.DerivedRef) and node.name in values:
        return ast.Literal(span=node.span, ty=node.ty, value=values[node.name])
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(node):
        current = getattr(node, field.name)
        if isinstance(current, ast.Node) and not isinstance(current, ast.ParamRef):
            changes[field.name] = pin(current, values)
        elif isinstance(current, tuple) and current and isinstance(current[0], ast.Node):
            changes[field.name] = tuple(pin(c, values) for c in current)
    rebuilt = dataclasses.replace(node, **changes) if changes else node
    return _fold(rebuilt)


def _literal(node: ast.Node, value: Any) -> ast.Literal:
    return ast.Literal(span=node.span, ty=t.BOOL, value=value)


def _fold(node: ast.Node) -> ast.Node:
    if isinstance(node, ast.Compare) and all(isinstance(o, ast.Literal) for o in node.operands):
        values = [o.value for o in node.operands if isinstance(o, ast.Literal)]
        result = all(
            _COMPARE[op](a, b) for op, a, b in zip(node.ops, values, values[1:], strict=False)
        )
        return _literal(node, result)
    if isinstance(node, ast.InSet) and isinstance(node.value, ast.Literal):
        found = node.value.value in {o.value for o in node.options}
        return _literal(node, found != node.negated)
    if isinstance(node, ast.Not) and isinstance(node.operand, ast.Literal):
        return _literal(node, not node.operand.value)
    if isinstance(node, ast.Logic):
        decisive = node.op == "or"
        kept = []
        for operand in node.operands:
            if isinstance(operand, ast.Literal):
                if operand.value is decisive:
                    return _literal(node, decisive)
                continue
            kept.append(operand)
        if not kept:
            return _literal(node, not decisive)
        return kept[0] if len(kept) == 1 else dataclasses.replace(node, operands=tuple(kept))
    if isinstance(node, ast.Cond) and isinstance(node.test, ast.Literal):
        branch = node.then if node.test.value else node.otherwise
        if branch.ty == node.ty:
            return branch
    return node
