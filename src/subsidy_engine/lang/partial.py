"""What partial knowledge decides, the same for every backend.

Two kinds of value are finite and may be known in part:

* an industry code shorter than a class (`C30`, `F`) stands for every GB/T 4754-2017 class it
  covers: `starts_with(code, prefix)` is true when every one of them starts with `prefix`, false
  when none does, and unknown otherwise (`code_verdict`);
* `code == class` and `code in {classes}` likewise: a coarse code covering the class and
  others is unknown, one not covering it is unequal (`code_equals`, `code_in`);
* a finite-valued expression (a string enumeration or a truth value) that is not known carries
  the set of values it may still take: a `cases` chain whose test is unknown may take either
  branch's values, and `in`, `==` and `!=` decide when that set lies wholly inside or outside.

Tests that read the same unknown twice are not independent, so a finite-valued derived fact is
also worked out once for each value of its split inputs (`scenarios`, `pin`): the enumerated
derived facts it reads, and an industry code it tests against several prefixes (one class per
way a class can answer them). The fact is then the join over the combinations still possible: a
code spanning two SME sector rows with the same thresholds decides the size class, and `F` is
wholesale or retail, never "other".
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
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
"""The most value combinations a derived fact is worked out for; inputs beyond are not split
on (`unsplit_inputs`, which `lint` reports)."""

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
    """The class codes a (possibly coarse) industry code covers: itself for a class (and
    every class for the empty code)."""
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


@cache
def code_equals(code: str, literal: str) -> bool | None:
    """`code == literal` for a code that may be coarse, against a class: true when the code is
    that class (or covers it alone), false when it does not cover it, None when it covers it
    and other classes. A literal coarser than a class is compared as written: no class equals
    it, so only a code recorded at that level does."""
    if code == literal:
        return True
    if len(literal) < CLASS_LENGTH or len(code) >= CLASS_LENGTH:
        return False
    classes = covered_classes(code)
    if literal not in classes:
        return False
    return True if len(classes) == 1 else None


def code_in(code: str, options: tuple[str, ...]) -> bool | None:
    """`code in options` for a code that may be coarse (`code_equals` for each option)."""
    verdicts = {code_equals(code, option) for option in options}
    if True in verdicts:
        return True
    return None if None in verdicts else False


def coarse_codes_in(options: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The coarse codes for which `code in options` is true though the code is no option, and
    those for which it is unknown, each in a fixed order."""
    candidates = dict.fromkeys(p for o in options for p in _shorter(o) if p not in options)
    verdicts = {p: code_in(p, options) for p in candidates}
    true = tuple(p for p, v in verdicts.items() if v is True)
    return true, tuple(p for p, v in verdicts.items() if v is None)


def code_equality(
    node: ast.Compare | ast.InSet, code_fields: frozenset[str]
) -> tuple[ast.Node, tuple[str, ...], bool] | None:
    """For `code == 'X'`, `code != 'X'`, `code in {...}` or `code not in {...}` with literal
    options, on an industry-code field: the code, the options and whether negated; None for
    any other comparison."""
    options: tuple[ast.Node, ...]
    if isinstance(node, ast.InSet):
        text, options, negated = node.value, node.options, node.negated
    elif len(node.ops) == 1 and node.ops[0] in ("==", "!="):
        text, literal = node.operands
        if isinstance(text, ast.Literal):
            text, literal = literal, text
        options, negated = (literal,), node.ops[0] == "!="
    else:
        return None
    literals = tuple(str(o.value) for o in options if isinstance(o, ast.Literal))
    if not is_code_operand(text, code_fields) or len(literals) != len(options):
        return None
    return text, literals, negated


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


def values_taken(node: ast.Node) -> frozenset[Any] | None:
    """The values a finite-valued expression can take as far as its form shows: a literal's
    own, a conditional's branches' together; None for any other form (any value of its type)."""
    if isinstance(node, ast.Literal):
        return frozenset({node.value})
    if isinstance(node, ast.Cond):
        then, otherwise = values_taken(node.then), values_taken(node.otherwise)
        return None if then is None or otherwise is None else then | otherwise
    return None


def branches_apart(node: ast.Cond) -> bool:
    """Whether a conditional's branches can never give the same value: an unknown test then
    leaves it unknown, whatever the branches are."""
    then, otherwise = values_taken(node.then), values_taken(node.otherwise)
    return then is not None and otherwise is not None and not then & otherwise


@dataclass(frozen=True, slots=True)
class SplitInput:
    """What a finite-valued derived fact is worked out over: an enumerated derived fact (its
    values), or an industry-code field tested against several prefixes (one class for each way
    a class can answer those tests)."""

    node: ast.DerivedRef | ast.FieldRef
    values: tuple[Any, ...]
    prefixes: tuple[str, ...] = ()
    """For a code: the prefixes it is tested against."""

    @property
    def is_code(self) -> bool:
        return isinstance(self.node, ast.FieldRef)

    def choices(self, code: str) -> tuple[str, ...]:
        """For a code: the representative classes of the classes `code` covers."""
        return _choices(self.values, self.prefixes, code)


def _signature(code: str, prefixes: tuple[str, ...]) -> tuple[bool, ...]:
    return tuple(code.startswith(p) for p in prefixes)


@cache
def _representatives(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[tuple[bool, ...], str] = {}
    for code in covered_classes(""):
        seen.setdefault(_signature(code, prefixes), code)
    return tuple(seen.values())


@cache
def _choices(
    representatives: tuple[str, ...], prefixes: tuple[str, ...], code: str
) -> tuple[str, ...]:
    wanted = {_signature(c, prefixes) for c in covered_classes(code)}
    return tuple(r for r in representatives if _signature(r, prefixes) in wanted)


def split_inputs(node: ast.Node, code_fields: frozenset[str]) -> tuple[SplitInput, ...]:
    """The enumerated derived facts `node` reads, and the code fields it tests against more
    than one literal prefix (and against nothing else), each once, in the order first read."""
    found: dict[str, SplitInput] = {}
    tested: dict[str, list[ast.Node]] = {}
    for sub in node.walk():
        if isinstance(sub, ast.DerivedRef) and isinstance(sub.ty, t.Enum):
            found.setdefault(sub.name, SplitInput(sub, sub.ty.values))
        elif _tests_code(sub, code_fields):
            assert isinstance(sub, ast.Call) and isinstance(sub.args[0], ast.FieldRef)
            tested.setdefault(sub.args[0].name, []).append(sub.args[1])
    codes = {n.name: n for n in node.walk() if isinstance(n, ast.FieldRef) and n.name in tested}
    for name, prefixes in tested.items():
        literal = [p.value for p in prefixes if isinstance(p, ast.Literal)]
        uses = sum(1 for n in node.walk() if isinstance(n, ast.FieldRef) and n.name == name)
        named = tuple(dict.fromkeys(str(v) for v in literal))
        if len(literal) == len(prefixes) == uses and len(named) > 1:
            found[name] = SplitInput(codes[name], _representatives(named), named)
    return tuple(found.values())


def _tests_code(node: ast.Node, code_fields: frozenset[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and node.func == "starts_with"
        and isinstance(node.args[0], ast.FieldRef)
        and is_code_operand(node.args[0], code_fields)
    )


Scenarios = tuple[tuple[SplitInput, ...], list[tuple[tuple[Any, ...], ast.Node]]]
"""What an expression is split over, and each combination of their values with the
expression pinned to it."""


def scenarios(node: ast.Node, code_fields: frozenset[str] = frozenset()) -> Scenarios | None:
    """A finite-valued expression worked out for each combination of the values its split
    inputs may take; None when there is nothing to split on (or too much)."""
    if domain(node.ty) is None:
        return None
    inputs, _ = _bounded(split_inputs(node, code_fields))
    if not inputs:
        return None
    out = []
    for combo in itertools.product(*(split.values for split in inputs)):
        values = {_key(split.node): v for split, v in zip(inputs, combo, strict=True)}
        out.append((combo, pin(node, values)))
    return inputs, out


def unsplit_inputs(node: ast.Node, code_fields: frozenset[str]) -> tuple[SplitInput, ...]:
    """The split inputs a finite-valued expression is not worked out over, for want of room
    within MAX_SCENARIOS combinations: it reads them by three-valued logic only."""
    if domain(node.ty) is None:
        return ()
    return _bounded(split_inputs(node, code_fields))[1]


def _bounded(
    inputs: tuple[SplitInput, ...],
) -> tuple[tuple[SplitInput, ...], tuple[SplitInput, ...]]:
    """The inputs split on (in the order read, each while the combinations stay within
    MAX_SCENARIOS) and those left out. Splitting on some inputs only is still sound: each
    combination is judged on the others as they are known, so a decided answer is still the
    answer of every completion; it is only less often decided."""
    kept: list[SplitInput] = []
    left: list[SplitInput] = []
    count = 1
    for split in inputs:
        if count * len(split.values) <= MAX_SCENARIOS:
            kept.append(split)
            count *= len(split.values)
        else:
            left.append(split)
    return tuple(kept), tuple(left)


def _key(node: ast.Node) -> tuple[str, str]:
    if isinstance(node, ast.DerivedRef):
        return ("derived", node.name)
    if isinstance(node, ast.FieldRef):
        return ("field", node.name)
    return ("", "")


def pin(node: ast.Node, values: Mapping[tuple[str, str], Any]) -> ast.Node:
    """`node` with the derived facts and fields in `values` (keyed `("derived", name)` or
    `("field", name)`) replaced by those values, and every operation that becomes decided
    folded to its literal result (Kleene's `and`/`or` included)."""
    key = _key(node)
    if key in values:
        return ast.Literal(span=node.span, ty=node.ty, value=values[key])
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
    if isinstance(node, ast.Call) and node.func == "starts_with":
        text, prefix = node.args
        if isinstance(text, ast.Literal) and isinstance(prefix, ast.Literal):
            return _literal(node, str(text.value).startswith(str(prefix.value)))
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
