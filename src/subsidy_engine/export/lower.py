"""A rulebook's typed conditions, as of a date, lowered to `Dnf`s a rule engine can match.

Three steps, each keeping the engine's meaning:

1. **Inline and fold.** Derived facts are replaced by their definitions; every sub-expression
   that reads no profile field (a parameter, `as_of`, ``add_years(date('2000-12-31'), …)``) is
   evaluated once with the scalar backend itself, so its value is exactly the engine's — or
   `Unknown` where the text gives no figure.
2. **Split on code prefixes.** ``starts_with(industry_code, …)`` is not a comparison, but the
   prefixes a condition tests cut the codes into a few classes, each a union of ranges of
   text (``C307 <= code < C308`` are the codes starting with C307). The condition is lowered
   once per class, where every ``starts_with`` is a constant, and once with the code unknown.
3. **Lower to "is true" and "is false".** Each boolean node gives two DNFs: when it is
   certainly true and when certainly false, by Kleene's rules (``not`` swaps them; `and` is
   true when all are, false when one is). A comparison is an atom; its negation the atom with
   the opposite operator. A value chosen by ``x if test else y`` or a parameter table looked up
   by a fact is split into cases. A rule is eligible exactly when its conditions' "is true"
   holds, which an atom on a missing field never does — so a fact left out of the profile
   behaves as the engine's unknown for eligibility.

What cannot be lowered raises `UnsupportedError` with the reason. The lowering is exact for
complete profiles; an industry code coarser than a class is known only in part (the engine
reads it as every class it covers, `lang.partial`), and like a missing fact it is outside that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.backends.python.compiler import Frame, Unknown, is_unknown
from subsidy_engine.backends.python.evaluate import ScalarEvaluator
from subsidy_engine.errors import SubsidyEngineError
from subsidy_engine.export.dnf import Arith, Atom, Const, Dnf, FieldValue, Operand
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.operators import COMPARE, MIRRORED, NEGATED
from subsidy_engine.rulebook.rulebook import Rulebook

_EPOCH = date(1970, 1, 1)
_UNKNOWN = Unknown()
_DESCRIPTIONS: Mapping[str, str] = {
    "min": "aggregates over a list",
    "max": "aggregates over a list",
    "sum": "aggregates over a list",
    "len": "aggregates over a list",
    "consecutive_years": "aggregates over a list",
    "add_years": "calendar arithmetic",
    "add_months": "calendar arithmetic",
    "add_working_days": "working-day calendars",
    "year": "calendar arithmetic",
    "years_between": "calendar arithmetic",
    "months_between": "calendar arithmetic",
    "round": "rounding",
    "abs": "absolute values",
}


class UnsupportedError(SubsidyEngineError):
    """A condition a matcher of field comparisons cannot express; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Folded(ast.Node):
    """A sub-expression reading no profile field, replaced by its value (or an Unknown)."""

    value: Any


Truth = tuple[Dnf, Dnf]
"""When a condition is certainly true, and when certainly false."""


def day_number(value: date) -> int:
    """Dates are compared as day numbers (days since 1970-01-01)."""
    return (value - _EPOCH).days


class Lowering:
    """Lowers conditions of one rulebook as of one date."""

    def __init__(self, rulebook: Rulebook, as_of: date) -> None:
        self.rulebook = rulebook
        self.as_of = as_of
        self.evaluator = ScalarEvaluator(rulebook)
        self.frame: Frame = self.evaluator.frame({}, as_of)
        self.field_types = rulebook.profile.types
        self._closed: dict[int, bool] = {}
        self._inlined: dict[str, ast.Node] = {}
        self.unstated: set[str] = set()
        """Parameters without a value on `as_of` that a lowered condition met."""

    # Inlining and folding ---------------------------------------------------------------------

    def closed(self, node: ast.Node) -> bool:
        """Whether `node` reads no profile field (derived facts looked through)."""
        known = self._closed.get(id(node))
        if known is not None:
            return known
        if isinstance(node, ast.FieldRef | ast.ItemFieldRef):
            result = False
        elif isinstance(node, ast.DerivedRef):
            result = self.closed(self.rulebook.derived[node.name].node)
        else:
            result = all(self.closed(child) for child in node.children())
        self._closed[id(node)] = result
        return result

    def inline(self, node: ast.Node) -> ast.Node:
        """`node` with derived facts inlined and every field-free part folded to its value."""
        if isinstance(node, Folded | ast.FieldRef):
            return node
        if isinstance(node, ast.ItemFieldRef):
            raise UnsupportedError(f"reads the list item field {node.var}.{node.name}")
        if self.closed(node):
            value = self.evaluator.value_of(node, self.frame)
            if is_unknown(value):
                self.unstated |= set(value.params)
            return Folded(span=node.span, ty=node.ty, value=value)
        if isinstance(node, ast.DerivedRef):
            inlined = self._inlined.get(node.name)
            if inlined is None:
                inlined = self._inlined[node.name] = self.inline(
                    self.rulebook.derived[node.name].node
                )
            return inlined
        return _map_children(node, self.inline)

    # Splitting on code prefixes ---------------------------------------------------------------

    def prefixes(self, node: ast.Node) -> dict[str, set[str]]:
        """The prefixes each text field is tested against with `starts_with`."""
        out: dict[str, set[str]] = {}
        for sub in node.walk():
            if not (isinstance(sub, ast.Call) and sub.func == "starts_with"):
                continue
            text, prefix = sub.args
            if not isinstance(text, ast.FieldRef):
                raise UnsupportedError("applies starts_with() to a computed text")
            if not isinstance(prefix, Folded) or is_unknown(prefix.value):
                raise UnsupportedError("applies starts_with() with prefixes read from the profile")
            values = prefix.value if isinstance(prefix.value, list) else [prefix.value]
            out.setdefault(text.name, set()).update(str(v) for v in values)
        return out

    def lower(self, node: ast.Node) -> Truth:
        """When the (inlined) condition `node` is certainly true and certainly false."""
        splits = self.prefixes(node)
        if not splits:
            return _Lowerer(self, {}).truth(node)
        cases: list[tuple[Dnf, dict[str, str | None]]] = [(Dnf.true(), {})]
        for name, prefixes in sorted(splits.items()):
            classes = prefix_classes(name, prefixes)
            cases = [
                (membership.and_(where), {**assumed, name: prefix})
                for membership, assumed in cases
                for prefix, where in classes
            ]
        has_known = any(isinstance(sub, ast.Call) and sub.func == "known" for sub in node.walk())
        if not has_known:  # "unknown code" cases: sound since Kleene logic is monotone
            cases.append((Dnf.true(), dict.fromkeys(splits, _MISSING)))
        true, false = Dnf.false(), Dnf.false()
        for membership, assumed in cases:
            case_true, case_false = _Lowerer(self, assumed).truth(node)
            true = true.or_(membership.and_(case_true))
            false = false.or_(membership.and_(case_false))
        return true, false

    def amount(self, node: ast.Node) -> list[tuple[Dnf, Operand | None]]:
        """The cases of an (inlined) amount: when each certainly holds, and the amount then
        (None where the engine finds no figure)."""
        if self.prefixes(node):
            raise UnsupportedError("computes the amount from code prefixes (starts_with())")
        return _Lowerer(self, {}).cases(node)


_MISSING = "\0missing"
"""The assumed class of a text field whose value is unknown."""


def _successor(text: str) -> str:
    """The first text after every text starting with `text`."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def prefix_classes(name: str, prefixes: set[str]) -> list[tuple[str | None, Dnf]]:
    """The classes into which `prefixes` cut the texts of field `name`: for each prefix, the
    texts starting with it but with none of the longer prefixes below it; and (None) the texts
    starting with none of them. Each with the ranges of text it covers.

    >>> [(p, len(d.terms)) for p, d in prefix_classes("code", {"C", "C307", "B"})]
    [(None, 2), ('B', 1), ('C', 2), ('C307', 1)]
    """
    ordered = sorted(prefixes)

    def children(parent: str | None) -> list[str]:
        inside = [p for p in ordered if parent is None or (p != parent and p.startswith(parent))]
        return [p for p in inside if not any(p != q and p.startswith(q) for q in inside)]

    def texts(low: str | None, high: str | None) -> Dnf:
        """The texts from `low` (inclusive) to `high` (exclusive); None: unbounded."""
        if not low and high is None:
            return Dnf.atom(Atom(name, "exists"))
        out = Dnf.true()
        if low:
            out = out.and_(Dnf.atom(Atom(name, ">=", Const(low))))
        if high is not None:
            out = out.and_(Dnf.atom(Atom(name, "<", Const(high))))
        return out

    classes: list[tuple[str | None, Dnf]] = []
    for parent in [None, *ordered]:
        ranges = Dnf.false()
        low = parent
        for child in children(parent):
            ranges = ranges.or_(texts(low, child))
            low = _successor(child)
        ranges = ranges.or_(texts(low, _successor(parent) if parent else None))
        classes.append((parent, ranges))
    return classes


class _Lowerer:
    """Lowers one inlined condition under assumed code classes."""

    def __init__(self, lowering: Lowering, assumed: Mapping[str, str | None]) -> None:
        self.lowering = lowering
        self.assumed = assumed

    # Booleans ---------------------------------------------------------------------------------

    def truth(self, node: ast.Node) -> Truth:
        if isinstance(node, Folded):
            return _constant_truth(node.value)
        if isinstance(node, ast.FieldRef):
            if not isinstance(self.lowering.field_types.get(node.name), t.Bool):
                raise UnsupportedError(f"uses the field {node.name} as a condition")
            return (
                Dnf.atom(Atom(node.name, "==", Const(True))),
                Dnf.atom(Atom(node.name, "==", Const(False))),
            )
        if isinstance(node, ast.Not):
            true, false = self.truth(node.operand)
            return false, true
        if isinstance(node, ast.Logic):
            parts = [self.truth(o) for o in node.operands]
            if node.op == "and":
                return Dnf.all_of(p[0] for p in parts), Dnf.any_of(p[1] for p in parts)
            return Dnf.any_of(p[0] for p in parts), Dnf.all_of(p[1] for p in parts)
        if isinstance(node, ast.Compare):
            pairs = [
                self.compare(node.operands[i], op, node.operands[i + 1])
                for i, op in enumerate(node.ops)
            ]
            return Dnf.all_of(p[0] for p in pairs), Dnf.any_of(p[1] for p in pairs)
        if isinstance(node, ast.InSet):
            options = [o.value for o in node.options]
            return self.membership(node.value, options, node.negated)
        if isinstance(node, ast.Contains):
            return self.contains(node)
        if isinstance(node, ast.Cond):
            return self.choose(node.test, self.truth(node.then), self.truth(node.otherwise))
        if isinstance(node, ast.Call):
            return self.call(node)
        raise UnsupportedError(f"has a condition of a kind not exported ({type(node).__name__})")

    def choose(self, test: ast.Node, then: Truth, otherwise: Truth) -> Truth:
        test_true, test_false = self.truth(test)
        return (
            test_true.and_(then[0]).or_(test_false.and_(otherwise[0])),
            test_true.and_(then[1]).or_(test_false.and_(otherwise[1])),
        )

    def call(self, node: ast.Call) -> Truth:
        if node.func == "starts_with":
            text, prefix = node.args
            assert isinstance(text, ast.FieldRef) and isinstance(prefix, Folded)
            assumed = self.assumed[text.name]
            if assumed == _MISSING:
                return Dnf.false(), Dnf.false()
            values = prefix.value if isinstance(prefix.value, list) else [prefix.value]
            hit = assumed is not None and any(assumed.startswith(str(v)) for v in values)
            return _constant_truth(hit)
        if node.func == "known":
            (arg,) = node.args
            if isinstance(arg, ast.FieldRef):
                raise UnsupportedError(
                    "asks whether a fact is missing (known()); durable-rules 2.0.28 hangs on "
                    "its not-exists test"
                )
        raise UnsupportedError(_function_reason(node))

    def membership(self, value: ast.Node, options: Sequence[Any], negated: bool) -> Truth:
        lifted = self.lift(value, lambda v: self.membership(v, options, negated))
        if lifted is not None:
            return lifted
        operand = self.operand(value)
        if isinstance(operand, _UnknownOperand):
            return Dnf.false(), Dnf.false()
        if isinstance(operand, Const):
            found = any(operand == _const(o) for o in options)
            return _constant_truth(found != negated)
        true = Dnf.any_of(Dnf.atom(_atom(operand, "==", _const(o))) for o in options)
        false = Dnf.all_of(Dnf.atom(_atom(operand, "!=", _const(o))) for o in options)
        return (false, true) if negated else (true, false)

    def contains(self, node: ast.Contains) -> Truth:
        container = node.container
        if not isinstance(container, Folded):
            names = sorted({n.name for n in container.walk() if isinstance(n, ast.FieldRef)})
            raise UnsupportedError(f"tests membership in the list field {', '.join(names)}")
        if is_unknown(container.value):
            return Dnf.false(), Dnf.false()
        return self.membership(node.value, list(container.value), node.negated)

    def compare(self, left: ast.Node, op: str, right: ast.Node) -> Truth:
        lifted = self.lift(left, lambda v: self.compare(v, op, right))
        if lifted is None:
            lifted = self.lift(right, lambda v: self.compare(left, op, v))
        if lifted is not None:
            return lifted
        if _unknown(left) or _unknown(right):
            return Dnf.false(), Dnf.false()
        a, b = self.operand(left), self.operand(right)
        if isinstance(a, _UnknownOperand) or isinstance(b, _UnknownOperand):
            return Dnf.false(), Dnf.false()
        if isinstance(a, Const) and isinstance(b, Const):
            return _constant_truth(_evaluate(a.value, op, b.value))
        return Dnf.atom(_atom(a, op, b)), Dnf.atom(_atom(a, NEGATED[op], b))

    # Values -----------------------------------------------------------------------------------

    def lift(self, value: ast.Node, rest: Callable[[ast.Node], Truth]) -> Truth | None:
        """Split on the first `x if test else y` (or fact-keyed table lookup) in `value`."""
        target = _choice_in(value)
        if target is None:
            return None
        if isinstance(target, ast.Lookup):
            table = target.table
            assert isinstance(table, Folded)
            if is_unknown(table.value):
                return Dnf.false(), Dnf.false()
            target_node: ast.Node = _lookup_as_choice(target, table.value)
            value = _replace(value, target, target_node)
            return self.lift(value, rest)
        assert isinstance(target, ast.Cond)
        then = rest(_replace(value, target, target.then))
        otherwise = rest(_replace(value, target, target.otherwise))
        return self.choose(target.test, then, otherwise)

    def cases(self, value: ast.Node) -> list[tuple[Dnf, Operand | None]]:
        """`value` split on its choices: (when, value) pairs, None for an unknown value."""
        target = _choice_in(value)
        if target is None:
            operand = self.operand(value)
            return [(Dnf.true(), None if isinstance(operand, _UnknownOperand) else operand)]
        if isinstance(target, ast.Lookup):
            table = target.table
            assert isinstance(table, Folded)
            if is_unknown(table.value):
                return [(Dnf.true(), None)]
            return self.cases(_replace(value, target, _lookup_as_choice(target, table.value)))
        assert isinstance(target, ast.Cond)
        test_true, test_false = self.truth(target.test)
        branches = (
            (test_true, _replace(value, target, target.then)),
            (test_false, _replace(value, target, target.otherwise)),
        )
        out: list[tuple[Dnf, Operand | None]] = []
        for when, branch in branches:
            if when.is_false:
                continue
            for inner, case in self.cases(branch):
                guard = when.and_(inner)
                if not guard.is_false:
                    out.append((guard, case))
        return out

    def operand(self, node: ast.Node) -> Operand | _UnknownOperand:
        if isinstance(node, Folded):
            if is_unknown(node.value):
                return _UNKNOWN_OPERAND
            if isinstance(node.value, list | dict):
                raise UnsupportedError("compares a list or table of values")
            return _const(node.value)
        if isinstance(node, ast.FieldRef):
            field_type = self.lowering.field_types.get(node.name)
            if isinstance(field_type, t.List):
                raise UnsupportedError(f"reads the list field {node.name}")
            return FieldValue(node.name)
        if isinstance(node, ast.Neg):
            inner = self.operand(node.operand)
            return _arith("*", inner, Const(-1))
        if isinstance(node, ast.Arith):
            return _arith(node.op, self.operand(node.left), self.operand(node.right))
        if isinstance(node, ast.Call) and node.func == "add_days":
            return _arith("+", self.operand(node.args[0]), self.operand(node.args[1]))
        if isinstance(node, ast.Call) and node.func == "days_between":
            return _arith("-", self.operand(node.args[1]), self.operand(node.args[0]))
        if isinstance(node, ast.Call):
            raise UnsupportedError(_function_reason(node))
        raise UnsupportedError(f"computes a value of a kind not exported ({type(node).__name__})")


class _UnknownOperand:
    """A value the engine would find unknown (a parameter with no figure)."""


_UNKNOWN_OPERAND = _UnknownOperand()


def _unknown(node: ast.Node) -> bool:
    """Whether `node` was folded to an unknown value (a parameter the text gives no figure)."""
    return isinstance(node, Folded) and is_unknown(node.value)


def _constant_truth(value: object) -> Truth:
    if is_unknown(value):
        return Dnf.false(), Dnf.false()
    return Dnf.of(value is True), Dnf.of(value is False)


def _const(value: object) -> Const:
    if isinstance(value, date):
        return Const(day_number(value))
    if isinstance(value, bool | int | Decimal | str):
        return Const(value)
    raise UnsupportedError(f"compares with a value of a kind not exported ({value!r})")


def _evaluate(a: Any, op: str, b: Any) -> bool:
    return bool(COMPARE[op](a, b))


def _atom(left: Operand, op: str, right: Operand) -> Atom:
    """`left op right` with a profile field on the left, as matchers need."""
    if isinstance(left, FieldValue):
        return Atom(left.name, op, right)
    if isinstance(right, FieldValue):
        return Atom(right.name, MIRRORED[op], left)
    raise UnsupportedError(
        "compares two computed values; durable-rules needs a profile field on one side"
    )


def _arith(
    op: str, left: Operand | _UnknownOperand, right: Operand | _UnknownOperand
) -> Operand | _UnknownOperand:
    if isinstance(left, _UnknownOperand) or isinstance(right, _UnknownOperand):
        return _UNKNOWN_OPERAND
    if op == "/":
        if not isinstance(right, Const) or right.value == 0:
            raise UnsupportedError(
                "divides by a fact; durable-rules' C engine stops the host process (SIGFPE) "
                "on an integer division by zero, where the engine's result is unknown"
            )
        return Arith("/", left, right)
    if isinstance(left, Const) and not isinstance(right, Const):
        if op in ("+", "*"):
            return Arith(op, right, left)
        return Arith("+", Arith("*", right, Const(-1)), left)  # c - x = -x + c
    return Arith(op, left, right)


def _function_reason(node: ast.Call) -> str:
    names = sorted({n.name for n in node.walk() if isinstance(n, ast.FieldRef)})
    what = _DESCRIPTIONS.get(node.func, "this function")
    on = f" on {', '.join(names)}" if names else ""
    return f"uses {node.func}(){on}: durable-rules conditions have no {what}"


def _choice_in(node: ast.Node) -> ast.Cond | ast.Lookup | None:
    """The first value choice in a value expression: a conditional or a fact-keyed lookup."""
    if isinstance(node, ast.Cond):
        return node
    if isinstance(node, ast.Lookup) and not isinstance(node.key, Folded):
        return node
    if isinstance(node, ast.Arith | ast.Neg) or (
        isinstance(node, ast.Call) and node.func in ("add_days", "days_between")
    ):
        for child in node.children():
            found = _choice_in(child)
            if found is not None:
                return found
    return None


def _lookup_as_choice(node: ast.Lookup, table: Mapping[Any, Any]) -> ast.Node:
    """``table[key]`` as ``table[k1] if key == k1 else (… else unknown)``."""
    span = node.span
    out: ast.Node = Folded(span=span, ty=node.ty, value=_UNKNOWN)
    for key, value in reversed(list(table.items())):
        test = ast.Compare(
            span=span,
            ty=t.BOOL,
            ops=("==",),
            operands=(node.key, Folded(span=span, ty=node.key.ty, value=key)),
        )
        out = ast.Cond(
            span=span,
            ty=node.ty,
            test=test,
            then=Folded(span=span, ty=node.ty, value=value),
            otherwise=out,
        )
    return out


def _map_children(node: ast.Node, fn: Callable[[ast.Node], ast.Node]) -> ast.Node:
    """A copy of `node` whose child nodes are replaced by `fn(child)`."""
    changes: dict[str, Any] = {}
    for spec in fields(node):
        value = getattr(node, spec.name)
        if isinstance(value, ast.Node):
            changes[spec.name] = fn(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], ast.Node):
            changes[spec.name] = tuple(fn(v) for v in value)
    return replace(node, **changes) if changes else node


def _replace(tree: ast.Node, target: ast.Node, replacement: ast.Node) -> ast.Node:
    """`tree` with the node `target` (by identity) replaced."""
    if tree is target:
        return replacement
    return _map_children(tree, lambda child: _replace(child, target, replacement))


__all__ = ["Folded", "Lowering", "Truth", "UnsupportedError", "day_number", "prefix_classes"]
