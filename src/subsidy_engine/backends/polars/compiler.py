"""Typed AST -> Polars expressions over a table of profiles, in three-valued logic.

The vectorised twin of `backends.python.compiler`: each node compiles to a `Vec`, a value
expression (null where the scalar backend would give `Unknown`) and a `Missing` set naming
exactly what the scalar `Unknown.facts/params` would name, with the same rules: strict operators
union their unknown operands' sets; `and`/`or` are Kleene (a decided result names nothing, an
undecided one the union of its unknown operands); `known(x)` is never unknown; a missing
parameter-table entry is the parameter `table[key]`, a parameter without a value in force the
parameter itself.

Parameters are constants here: the compiler is made for one `as_of` date. A node kind or a
function this backend cannot compile raises UnsupportedNodeError naming it — never a fallback.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import reduce
from typing import Any

import polars as pl

from subsidy_engine.backends.polars import partial
from subsidy_engine.backends.polars.dtypes import cast_to, common_type, dtype_of, literal
from subsidy_engine.backends.polars.functions import FUNCTIONS
from subsidy_engine.backends.polars.missing import Leaves, Missing, pick, union
from subsidy_engine.backends.polars.numeric import beyond, checked_arith, guarded
from subsidy_engine.backends.polars.vec import Vec, convert, strict
from subsidy_engine.errors import UnsupportedNodeError
from subsidy_engine.lang import ast
from subsidy_engine.lang.bounds import Bounds, Interval
from subsidy_engine.lang.numbers import DIVISION_BY_ZERO, OVERFLOW, compare_bound, fault
from subsidy_engine.lang.operators import COMPARE
from subsidy_engine.lang.partial import branches_apart, code_equality, domain
from subsidy_engine.lang.types import BOOL, DATE, Enum, List, Table, Type
from subsidy_engine.workdays import WorkingDayCalendar

BACKEND = "vectorised"
ITEM_INDEX = "__item"
"""The column holding the current item's position, in a frame of exploded list items."""


class VectorCompiler:
    """Compiles typed, resolved nodes to `Vec`s for one `as_of` date.

    `params` holds each parameter's value in force (None when the text gives none); `derived`
    maps each derived fact to its `Vec` (filled in dependency order, read late); `field` gives a
    profile field's column (item checks read the fields of an item instead); `bounds`, where
    the rows are validated profiles, what their fields may hold.
    """

    def __init__(
        self,
        *,
        params: Mapping[str, Any],
        as_of: date,
        calendar: WorkingDayCalendar,
        leaves: Leaves,
        derived: Mapping[str, Vec] | None = None,
        field: Callable[[str], pl.Expr] = pl.col,
        code_fields: frozenset[str] = frozenset(),
        bounds: Bounds | None = None,
    ) -> None:
        self.params, self.as_of, self.calendar = params, as_of, calendar
        self.code_fields = code_fields
        """Industry-code fields: a coarse code in one stands for every class it covers."""
        self.leaves, self.field = leaves, field
        self.derived: Mapping[str, Vec] = {} if derived is None else derived
        self.bounds = Bounds({}, params, {}) if bounds is None else bounds
        """What the values of an expression may be (`lang.bounds`): by default, only
        constants are known."""
        self.visitors: dict[type[ast.Node], Callable[[Any], Vec]] = ast.visitor_table(self)
        self.functions: dict[str, Callable[[VectorCompiler, ast.Call], Vec]] = dict(FUNCTIONS)

    def compile(self, node: ast.Node) -> Vec:
        visitor = self.visitors.get(type(node))
        if visitor is None:
            raise UnsupportedNodeError(node, BACKEND)
        return visitor(node)

    def fault_bits(self, kind: str, node: ast.Node) -> list[int]:
        """The leaf naming an arithmetic fault of `node` (`lang.numbers.fault`), as the scalar
        backend's `Unknown.faults` names it."""
        return [self.leaves.fault(fault(kind, node))]

    def static_fact_bits(self, node: ast.Node) -> list[int]:
        """The leaves the scalar backend names when `node`'s value is out of range: the profile
        facts written in it (`list[*].field` for item fields)."""
        return [self.leaves.static(name, fact=True) for name in sorted(ast.static_facts(node))]

    # Leaves -----------------------------------------------------------------------------------

    def literal(self, node: ast.Literal) -> Vec:
        ty = _ty(node)
        return Vec(literal(convert(node.value, ty), ty), Missing.none(), ty, node.value)

    def field_ref(self, node: ast.FieldRef) -> Vec:
        column = self.field(node.name)
        bit = self.leaves.static(node.name, fact=True)
        return Vec(column, Missing.of([bit], column.is_null()), _ty(node))

    def item_field_ref(self, node: ast.ItemFieldRef) -> Vec:
        column = pl.col(node.list_field).struct.field(node.name)
        name = pl.concat_str(
            pl.lit(f"{node.list_field}["),
            pl.col(ITEM_INDEX).cast(pl.String),
            pl.lit(f"].{node.name}"),
        )
        bit = self.leaves.dynamic(("item", node.list_field, node.name), name, fact=True)
        return Vec(column, Missing.of([bit], column.is_null()), _ty(node))

    def derived_ref(self, node: ast.DerivedRef) -> Vec:
        found = self.derived.get(node.name)
        if found is None:
            raise UnsupportedNodeError(
                node, BACKEND, f"has not compiled derived fact {node.name} yet"
            )
        return found

    def param_ref(self, node: ast.ParamRef) -> Vec:
        ty = _ty(node)
        if isinstance(ty, Table):
            raise UnsupportedNodeError(
                node, BACKEND, f"reads table {node.name} only through a lookup"
            )
        value = self.params[node.name]
        if value is None:
            bit = self.leaves.static(node.name, fact=False)
            return Vec(literal(None, ty), Missing.of([bit]), ty)
        return Vec(literal(value, ty), Missing.none(), ty, value)

    def as_of_(self, node: ast.AsOf) -> Vec:
        return Vec(pl.lit(self.as_of, dtype=pl.Date), Missing.none(), DATE, self.as_of)

    def lookup(self, node: ast.Lookup) -> Vec:
        name, ty = node.table.name, _ty(node)
        table = self.params[name]
        key = self.compile(node.key)
        if table is None:
            unset = Missing.of([self.leaves.static(name, fact=False)])
            return Vec(literal(None, ty), union(unset, key.missing), ty)
        table_ty = _ty(node.table)
        assert isinstance(table_ty, Table)
        if not table:
            value = literal(None, ty)
        else:
            common = common_type([key.ty, table_ty.key])
            old = pl.Series([convert(k, common) for k in table], dtype=dtype_of(common))
            new = pl.Series(list(table.values()), dtype=dtype_of(ty))
            value = cast_to(key.value, key.ty, common).replace_strict(
                old, new, default=None, return_dtype=dtype_of(ty)
            )
        entry = pl.concat_str(pl.lit(f"{name}["), key.value.cast(pl.String), pl.lit("]"))
        bit = self.leaves.dynamic(("lookup", name, id(node)), entry, fact=False)
        absent = key.value.is_not_null() & value.is_null()
        return Vec(value, union(key.missing, Missing.of([bit], absent)), ty)

    # Operators --------------------------------------------------------------------------------

    def neg(self, node: ast.Neg) -> Vec:
        operand = self.compile(node.operand)
        return Vec(-operand.value, operand.missing, operand.ty)

    def not_(self, node: ast.Not) -> Vec:
        operand = self.compile(node.operand)
        return Vec(~operand.value, operand.missing, BOOL)

    def arith(self, node: ast.Arith) -> Vec:
        left, right = self.compile(node.left), self.compile(node.right)
        missing = union(left.missing, right.missing)
        lv, lt, rv, rt, ty = left.value, left.ty, right.value, right.ty, _ty(node)
        if node.op not in ("+", "-", "*", "/"):
            raise UnsupportedNodeError(node, BACKEND, f"has no operator {node.op}")
        operands = self.bounds.of(node.left), self.bounds.of(node.right)
        if node.op in ("+", "-", "*"):
            value, outside = checked_arith(node.op, lv, lt, rv, rt, ty, operands)
            return Vec(value, union(missing, self._overflow(node, outside)), ty)
        zero = (rv == 0).fill_null(False)
        divisor = pl.when(zero).then(pl.lit(1, dtype=dtype_of(rt))).otherwise(rv)
        quotient, outside = checked_arith("/", lv, lt, divisor, rt, ty, operands)
        value = pl.when(zero).then(None).otherwise(quotient)
        by_zero = Missing.of(self.fault_bits(DIVISION_BY_ZERO, node), zero & lv.is_not_null())
        overflow = self._overflow(node, None if outside is None else outside & ~zero)
        return Vec(value, union(missing, by_zero, overflow), ty)

    def intervals(self, nodes: Sequence[ast.Node]) -> list[Interval]:
        """What each of `nodes` may hold (`lang.bounds`)."""
        return [self.bounds.of(n) for n in nodes]

    def _overflow(self, node: ast.Node, outside: pl.Expr | None) -> Missing:
        """The overflow of `node` where `outside` flags it (None: nowhere)."""
        if outside is None:
            return Missing.none()
        return Missing.of(self.fault_bits(OVERFLOW, node), outside)

    def compare(self, node: ast.Compare) -> Vec:
        coded = self._code_equality(node)
        if coded is not None:
            return coded
        operands = [self.compile(o) for o in node.operands]
        partly = any(o.possible is not None for o in operands) and any(
            isinstance(o.ty, Enum) for o in operands
        )
        if partly and len(node.ops) == 1 and node.ops[0] in ("==", "!="):
            return partial.equal(operands[0], operands[1], node.ops[0] == "!=")
        bound = compare_bound([o.ty for o in operands])
        outside = beyond(operands, bound, self.intervals(node.operands))
        values = [o.value if outside is None else pl.when(~outside).then(o.value) for o in operands]
        results = []
        for index, op in enumerate(node.ops):
            a, b = operands[index], operands[index + 1]
            av, bv = values[index], values[index + 1]
            common = common_type([a.ty, b.ty])
            left, right = cast_to(av, a.ty, common), cast_to(bv, b.ty, common)
            results.append(COMPARE[op](left, right))
        value = reduce(operator.and_, results)
        missing = union(*(o.missing for o in operands))
        if outside is not None:  # unknown, even where another pair of a chain is false
            value = pl.when(outside).then(None).otherwise(value)
            missing = union(missing, Missing.of(self.fault_bits(OVERFLOW, node), outside))
        if len(results) > 1:  # a false pair decides the chain whatever the others are
            missing = missing.gate(value.is_null())
        return Vec(value, missing, BOOL)

    def logic(self, node: ast.Logic) -> Vec:
        operands = [self.compile(o) for o in node.operands]
        combine = operator.or_ if node.op == "or" else operator.and_
        value = reduce(combine, [o.value for o in operands])
        missing = union(*(o.missing for o in operands)).gate(value.is_null())
        return Vec(value, missing, BOOL)

    def in_set(self, node: ast.InSet) -> Vec:
        coded = self._code_equality(node)
        if coded is not None:
            return coded
        subject = self.compile(node.value)
        options_given = {o.value for o in node.options}
        if isinstance(subject.ty, Enum) and (
            subject.possible is not None or options_given >= set(subject.ty.values)
        ):
            return partial.in_options(subject, [o.value for o in node.options], node.negated)
        common = common_type([subject.ty, *(_ty(o) for o in node.options)])
        options = pl.Series([convert(o.value, common) for o in node.options])
        bound = compare_bound([subject.ty, *(_ty(o) for o in node.options)])
        outside = beyond([subject], bound, self.intervals([node.value]))
        found = cast_to(guarded(subject.value, outside), subject.ty, common).is_in(
            options.cast(dtype_of(common)).implode()
        )
        found = strict(found, subject)
        value = ~found if node.negated else found
        return self.out_of_domain(node, Vec(value, subject.missing, BOOL), outside)

    def out_of_domain(self, node: ast.Node, vec: Vec, outside: pl.Expr | None) -> Vec:
        """`vec`, unknown (for an overflow of `node`) where `outside` flags a value beyond the
        number domain, as the scalar backend decides."""
        if outside is None:
            return vec
        value = pl.when(outside).then(None).otherwise(vec.value)
        overflow = Missing.of(self.fault_bits(OVERFLOW, node), outside)
        return Vec(value, union(vec.missing, overflow), vec.ty)

    def _code_equality(self, node: ast.Compare | ast.InSet) -> Vec | None:
        """A code compared with classes, where the code may be coarse; None for any other
        comparison."""
        found = code_equality(node, self.code_fields)
        if found is None:
            return None
        text, options, negated = found
        return partial.code_in_options(self.compile(text), options, negated)

    def contains(self, node: ast.Contains) -> Vec:
        subject, container = self.compile(node.value), self.compile(node.container)
        list_ty = container.ty
        assert isinstance(list_ty, List)
        common = common_type([subject.ty, list_ty.item])
        value = cast_to(subject.value, subject.ty, common)
        if container.is_const:
            items = pl.Series([convert(v, common) for v in container.const])
            found = value.is_in(items.cast(dtype_of(common)).implode())
        else:
            found = cast_to(container.value, list_ty, List(common)).list.contains(value)
        found = strict(found, subject, container)
        missing = union(subject.missing, container.missing)
        return Vec(~found if node.negated else found, missing, BOOL)

    def cond(self, node: ast.Cond) -> Vec:
        test, then, otherwise = (self.compile(n) for n in (node.test, node.then, node.otherwise))
        ty = _ty(node)
        if domain(ty) is not None:
            return partial.cond(test, then, otherwise, ty, apart=branches_apart(node))
        bound = compare_bound([then.ty, otherwise.ty])
        branches = zip((then, otherwise), self.intervals([node.then, node.otherwise]), strict=True)
        large = [beyond([b], bound, [interval]) for b, interval in branches]
        value = (
            pl.when(test.value.is_null())
            .then(None)
            .when(test.value)
            .then(cast_to(guarded(then.value, large[0]), then.ty, ty))
            .otherwise(cast_to(guarded(otherwise.value, large[1]), otherwise.ty, ty))
        )
        branch = pick(test.value, then.missing, otherwise.missing)
        vec = Vec(value, union(test.missing, branch.gate(test.value.is_not_null())), ty)
        if large[0] is None and large[1] is None:  # neither branch can leave the domain
            return vec
        chosen_large = (
            pl.when(test.value)
            .then(large[0] if large[0] is not None else pl.lit(False))
            .otherwise(large[1] if large[1] is not None else pl.lit(False))
        )
        return self.out_of_domain(node, vec, chosen_large.fill_null(False))

    def call(self, node: ast.Call) -> Vec:
        make = self.functions.get(node.func)
        if make is None:
            raise UnsupportedNodeError(node, BACKEND, f"has no function {node.func}")
        return make(self, node)


def _ty(node: ast.Node) -> Type:
    if node.ty is None:
        raise UnsupportedNodeError(node, BACKEND, f"needs a typed tree: {node} has no type")
    return node.ty


__all__ = ["BACKEND", "ITEM_INDEX", "Vec", "VectorCompiler"]
