"""Surface AST -> resolved, typed AST.

The checker guarantees that every name refers to a profile field, a list item's field, a derived
fact, a parameter or `as_of`; that every operator and function gets operands of types it accepts;
that every text compared with an enumerated field is one of its values; and that `ty` is set on
every node. A tree that passes can be compiled by any backend without further checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from subsidy_engine.errors import Diagnostic, ErrorCode, ExpressionError, did_you_mean
from subsidy_engine.lang import ast
from subsidy_engine.lang.functions import FUNCTIONS
from subsidy_engine.lang.types import (
    BOOL,
    DATE,
    INT,
    STR,
    Bool,
    Date,
    Dec,
    Enum,
    Int,
    List,
    Record,
    Table,
    Type,
    arith_scale,
    comparable,
    is_numeric,
    is_text,
    unify_numeric,
)

AS_OF = "as_of"


@dataclass(frozen=True, slots=True)
class Scope:
    """What names mean where an expression is written."""

    fields: Mapping[str, Type]
    derived: Mapping[str, Type] = field(default_factory=dict)
    params: Mapping[str, Type] = field(default_factory=dict)
    items: Mapping[str, tuple[str, Record]] = field(default_factory=dict)
    """Per-item rules: the item variable -> (the list field it ranges over, the item's type)."""

    def names(self) -> list[str]:
        return [*self.items, *self.derived, *self.fields, *self.params, AS_OF]


def check(node: ast.Node, scope: Scope, expected: type[Type] | None = None) -> ast.Node:
    """Resolve and type `node`; when `expected` is given the result must be of that type."""
    typed = _Checker(scope).visit(node)
    if expected is not None and not isinstance(typed.ty, expected):
        want = expected.__name__.lower()
        raise _error(node, "type-mismatch", f"expected a {_kind(want)}, found {typed.ty}")
    return typed


def literal_type(value: ast.LiteralValue) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return Dec(-exponent if isinstance(exponent, int) and exponent < 0 else 0)
    if isinstance(value, date):
        return DATE
    return STR


def _kind(name: str) -> str:
    return {"bool": "condition (true/false)", "dec": "number"}.get(name, name)


def _error(
    node: ast.Node, code: ErrorCode, message: str, hint: str | None = None
) -> ExpressionError:
    return ExpressionError([Diagnostic(code, message, node.span, hint=hint)])


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.visitors: dict[type[ast.Node], Callable[[ast.Node], ast.Node]] = {
            ast.Literal: self.literal,
            ast.Name: self.name,
            ast.Attribute: self.attribute,
            ast.Subscript: self.subscript,
            ast.SetLiteral: self.set_literal,
            ast.Neg: self.neg,
            ast.Not: self.not_,
            ast.Arith: self.arith,
            ast.Compare: self.compare,
            ast.Logic: self.logic,
            ast.Contains: self.contains,
            ast.Cond: self.cond,
            ast.Call: self.call,
        }

    def visit(self, node: ast.Node) -> ast.Node:
        return self.visitors[type(node)](node)

    # Leaves -----------------------------------------------------------------------------------

    def literal(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Literal)
        return replace(node, ty=literal_type(node.value))

    def name(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Name)
        scope, name = self.scope, node.id
        if name in scope.items:
            raise _error(
                node,
                "type-mismatch",
                f"'{name}' is one item of '{scope.items[name][0]}'; name one of its fields",
                hint=f"for example {name}.{scope.items[name][1].fields[0][0]}",
            )
        if name in scope.derived:
            return ast.DerivedRef(span=node.span, ty=scope.derived[name], name=name)
        if name in scope.fields:
            return ast.FieldRef(span=node.span, ty=scope.fields[name], name=name)
        if name in scope.params:
            return ast.ParamRef(span=node.span, ty=scope.params[name], name=name)
        if name == AS_OF:
            return ast.AsOf(span=node.span, ty=DATE)
        guess = did_you_mean(name, scope.names())
        raise _error(
            node,
            "unknown-name",
            f"unknown name '{name}'",
            hint=f"did you mean '{guess}'?" if guess else None,
        )

    def attribute(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Attribute)
        obj = node.obj
        if not isinstance(obj, ast.Name) or obj.id not in self.scope.items:
            raise _error(
                node,
                "unknown-name",
                f"'.{node.name}' can only follow the item variable of a per-item rule",
            )
        list_field, record = self.scope.items[obj.id]
        item_type = record.field(node.name)
        if item_type is None:
            guess = did_you_mean(node.name, [n for n, _ in record.fields])
            raise _error(
                node,
                "unknown-name",
                f"items of '{list_field}' have no field '{node.name}'",
                hint=f"did you mean '{guess}'?" if guess else None,
            )
        return ast.ItemFieldRef(
            span=node.span, ty=item_type, var=obj.id, list_field=list_field, name=node.name
        )

    # Structure --------------------------------------------------------------------------------

    def subscript(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Subscript)
        table = self.visit(node.obj)
        if not isinstance(table, ast.ParamRef) or not isinstance(table.ty, Table):
            raise _error(node.obj, "type-mismatch", "only a parameter table can be indexed")
        key = self.visit(node.key)
        assert key.ty is not None
        if not comparable(key.ty, table.ty.key):
            raise _error(
                node.key,
                "type-mismatch",
                f"'{table.name}' is indexed by {table.ty.key}, not by {key.ty}",
            )
        return ast.Lookup(span=node.span, ty=table.ty.value, table=table, key=key)

    def set_literal(self, node: ast.Node) -> ast.Node:
        raise _error(node, "syntax", "a set {…} can only follow 'in'")

    # Operators --------------------------------------------------------------------------------

    def neg(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Neg)
        operand = self.visit(node.operand)
        self._need(operand, is_numeric(_ty(operand)), "a number after '-'")
        return replace(node, operand=operand, ty=operand.ty)

    def not_(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Not)
        operand = self.visit(node.operand)
        self._need(operand, isinstance(operand.ty, Bool), "a condition after 'not'")
        return replace(node, operand=operand, ty=BOOL)

    def arith(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Arith)
        left, right = self.visit(node.left), self.visit(node.right)
        for side in (left, right):
            self._need(side, is_numeric(_ty(side)), f"a number on each side of '{node.op}'")
        return replace(node, left=left, right=right, ty=arith_scale(node.op, _ty(left), _ty(right)))

    def compare(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Compare)
        operands = [self.visit(o) for o in node.operands]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            lt, rt = _ty(left), _ty(right)
            if not comparable(lt, rt):
                raise _error(node, "type-mismatch", f"cannot compare {lt} with {rt} using '{op}'")
            if op not in ("==", "!=") and not (is_numeric(lt) or isinstance(lt, Date)):
                raise _error(node, "type-mismatch", f"'{op}' needs numbers or dates, not {lt}")
            self._enum_literal(left, right)
            self._enum_literal(right, left)
        return replace(node, operands=tuple(operands), ty=BOOL)

    def logic(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Logic)
        operands = tuple(self.visit(o) for o in node.operands)
        for operand in operands:
            self._need(
                operand, isinstance(operand.ty, Bool), f"a condition on each side of '{node.op}'"
            )
        return replace(node, operands=operands, ty=BOOL)

    def contains(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Contains)
        value = self.visit(node.value)
        vt = _ty(value)
        if isinstance(node.container, ast.SetLiteral):
            options = tuple(self.visit(item) for item in node.container.items)
            for option in options:
                if not isinstance(option, ast.Literal):
                    raise _error(
                        option, "type-mismatch", "the options of 'in {…}' must be literals"
                    )
                if not comparable(vt, _ty(option)):
                    raise _error(option, "type-mismatch", f"{option.ty} option for a {vt} value")
                self._enum_literal(value, option)
            literals = tuple(o for o in options if isinstance(o, ast.Literal))
            return ast.InSet(
                span=node.span, ty=BOOL, value=value, options=literals, negated=node.negated
            )
        container = self.visit(node.container)
        ct = _ty(container)
        if not isinstance(ct, List) or not comparable(vt, ct.item):
            raise _error(node, "type-mismatch", f"cannot look for a {vt} in {ct}")
        return replace(node, value=value, container=container, ty=BOOL)

    def cond(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Cond)
        test = self.visit(node.test)
        self._need(test, isinstance(test.ty, Bool), "a condition after 'if'")
        then, otherwise = self.visit(node.then), self.visit(node.otherwise)
        return replace(
            node, test=test, then=then, otherwise=otherwise, ty=self._join(node, then, otherwise)
        )

    def call(self, node: ast.Node) -> ast.Node:
        assert isinstance(node, ast.Call)
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            guess = did_you_mean(node.func, FUNCTIONS)
            raise _error(
                node,
                "unknown-function",
                f"unknown function '{node.func}'",
                hint=f"did you mean '{guess}'?" if guess else f"known: {', '.join(FUNCTIONS)}",
            )
        args = tuple(self.visit(a) for a in node.args)
        result = spec.check([_ty(a) for a in args])
        if isinstance(result, str):
            raise _error(node, "bad-call", f"{spec.signature} {result}")
        if node.func == "date":
            return self._date_literal(node, args[0])
        if node.func == "round":
            result = self._round_type(node, args)
        return replace(node, args=args, ty=result)

    # Helpers ----------------------------------------------------------------------------------

    def _date_literal(self, node: ast.Node, arg: ast.Node) -> ast.Node:
        if not isinstance(arg, ast.Literal) or not isinstance(arg.value, str):
            raise _error(node, "bad-call", "date(…) takes a literal text 'YYYY-MM-DD'")
        try:
            value = date.fromisoformat(arg.value)
        except ValueError:
            raise _error(arg, "bad-call", f"{arg.value!r} is not a date YYYY-MM-DD") from None
        return ast.Literal(span=node.span, ty=DATE, value=value)

    def _round_type(self, node: ast.Node, args: tuple[ast.Node, ...]) -> Type:
        places = args[1]
        if not isinstance(places, ast.Literal) or not isinstance(places.value, int):
            raise _error(node, "bad-call", "round(x, places) needs a literal number of places")
        if isinstance(args[0].ty, Int) or places.value <= 0:
            return INT if isinstance(args[0].ty, Int) else Dec(0)
        return Dec(places.value)

    def _join(self, node: ast.Node, a: ast.Node, b: ast.Node) -> Type:
        at, bt = _ty(a), _ty(b)
        if is_numeric(at) and is_numeric(bt):
            return unify_numeric([at, bt])
        if isinstance(at, Enum) and isinstance(bt, Enum):
            return Enum(tuple(dict.fromkeys(at.values + bt.values)))
        if is_text(at) and is_text(bt):
            return STR
        if at == bt:
            return at
        raise _error(node, "type-mismatch", f"the two branches differ: {at} and {bt}")

    def _enum_literal(self, value: ast.Node, other: ast.Node) -> None:
        vt = value.ty
        if not isinstance(vt, Enum) or not isinstance(other, ast.Literal):
            return
        if other.value not in vt.values:
            guess = did_you_mean(str(other.value), vt.values)
            raise _error(
                other,
                "unknown-enum-value",
                f"{other.value!r} is not a possible value here; expected {vt}",
                hint=f"did you mean {guess!r}?" if guess else None,
            )

    def _need(self, node: ast.Node, ok: bool, what: str) -> None:
        if not ok:
            raise _error(node, "type-mismatch", f"expected {what}, found {node.ty}")


def _ty(node: ast.Node) -> Type:
    assert node.ty is not None, f"untyped node {node}"
    return node.ty
