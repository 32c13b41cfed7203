"""Typed AST -> Python closures that evaluate one profile, in three-valued logic.

A value is either known (bool, int, Decimal, str, date, list) or an `Unknown` naming the facts
and parameters it lacked, and the arithmetic faults (`lang.numbers.fault`) that left it without
a value. Operators are strict (an unknown operand makes the result unknown), except `and`/`or`,
which follow Kleene's logic (false and unknown = false; true or unknown = true), and `known(x)`.
An unknown result names exactly the missing inputs of the operands that left it undecided, and
a fault no input at all: every input it read was given.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from subsidy_engine.errors import UnsupportedNodeError
from subsidy_engine.lang import ast
from subsidy_engine.lang.numbers import (
    DIVISION_BY_ZERO,
    OVERFLOW,
    arith_fits,
    compare_bound,
    fault,
    sum_fits,
)
from subsidy_engine.lang.operators import COMPARE
from subsidy_engine.lang.partial import (
    code_equality,
    code_in,
    code_verdict,
    domain,
    is_code_operand,
)
from subsidy_engine.lang.types import DIVISION_SCALE, Dec, Enum, Int
from subsidy_engine.workdays import WorkingDayCalendar


class Unknown:
    """A value that could not be known: the missing facts and parameters that would decide it,
    for a finite-valued expression the values it may still take (None: any of its type), and
    the arithmetic faults (an overflow, a division by zero) that left it without a value."""

    __slots__ = ("facts", "faults", "params", "values")

    def __init__(
        self,
        facts: frozenset[str] = frozenset(),
        params: frozenset[str] = frozenset(),
        values: frozenset[Any] | None = None,
        faults: frozenset[str] = frozenset(),
    ) -> None:
        self.facts = facts
        self.params = params
        self.values = values
        self.faults = faults

    def merge(self, other: Unknown) -> Unknown:
        if other is self and self.values is None:
            return self
        return Unknown(
            self.facts | other.facts,
            self.params | other.params,
            faults=self.faults | other.faults,
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Unknown)
            and self.facts == other.facts
            and self.params == other.params
            and self.values == other.values
            and self.faults == other.faults
        )

    def __hash__(self) -> int:
        return hash((self.facts, self.params, self.values, self.faults))

    def __repr__(self) -> str:
        possible = "" if self.values is None else f", values={sorted(self.values, key=str)}"
        faults = f", faults={sorted(self.faults)}" if self.faults else ""
        return (
            f"Unknown(facts={sorted(self.facts)}, params={sorted(self.params)}{possible}{faults})"
        )


def arithmetic_fault(kind: str, node: ast.Node) -> Unknown:
    """The unknown value of `node` where its arithmetic faults (`lang.numbers`): it names the
    fault, and no fact, since every fact it read was given."""
    return Unknown(faults=frozenset({fault(kind, node)}))


class Frame:
    """What one evaluation reads: the profile's facts, the derived-fact memo, the parameters in
    force, `as_of`, and (inside a per-item rule) the current item."""

    __slots__ = ("as_of", "cache", "facts", "item", "item_prefix", "params")

    def __init__(
        self,
        facts: Mapping[str, Any],
        params: Mapping[str, Any],
        as_of: date,
        cache: dict[str, Any] | None = None,
        item: Mapping[str, Any] | None = None,
        item_prefix: str = "",
    ) -> None:
        self.facts = facts
        self.params = params
        self.as_of = as_of
        self.cache: dict[str, Any] = {} if cache is None else cache
        self.item = item
        self.item_prefix = item_prefix

    def for_item(self, item: Mapping[str, Any], prefix: str) -> Frame:
        return Frame(self.facts, self.params, self.as_of, self.cache, item, prefix)


Fn = Callable[[Frame], Any]
BACKEND = "scalar"
_CTX = Context(prec=60, rounding=ROUND_HALF_UP)
_DIVISION_QUANTUM = Decimal(1).scaleb(-DIVISION_SCALE)


def is_unknown(value: object) -> bool:
    return value.__class__ is Unknown


def merge(values: list[Any]) -> Unknown:
    """The union of the unknowns among `values` (at least one must be unknown)."""
    unknowns = [v for v in values if v.__class__ is Unknown]
    result = unknowns[0]
    for other in unknowns[1:]:
        result = result.merge(other)
    if result.values is None:
        return result
    return Unknown(result.facts, result.params, faults=result.faults)


def _divide(a: Any, b: Any) -> Decimal:
    return _CTX.divide(Decimal(a), Decimal(b)).quantize(_DIVISION_QUANTUM, context=_CTX)


_DEC_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _CTX.add,
    "-": _CTX.subtract,
    "*": _CTX.multiply,
    "/": _divide,
}
_INT_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
}


class ScalarCompiler:
    """Compiles typed, resolved nodes to closures over a `Frame`.

    `derived` maps each derived fact to its compiled closure; it may be filled after the
    compiler is made (facts are compiled in dependency order) since closures look it up late.
    """

    def __init__(
        self,
        derived: Mapping[str, Fn],
        calendar: WorkingDayCalendar,
        code_fields: frozenset[str] = frozenset(),
    ) -> None:
        self.derived = derived
        self.calendar = calendar
        self.code_fields = code_fields
        """Industry-code fields (named as `ast.static_facts` names them): a coarse code in one
        stands for every class it covers."""
        self.visitors: dict[type[ast.Node], Callable[[Any], Fn]] = ast.visitor_table(self)
        self.functions: dict[str, Callable[[ast.Call], Fn]] = {
            "min": self._extremum(min),
            "max": self._extremum(max),
            "abs": self._strict(abs),
            "round": self._round,
            "sum": self._sum,
            "len": self._strict(len),
            "year": self._strict(lambda d: d.year),
            "years_between": self._strict(lambda a, b: relativedelta(b, a).years),
            "months_between": self._strict(_months_between),
            "days_between": self._strict(lambda a, b: (b - a).days),
            "add_years": self._date_shift(lambda d, n: d + relativedelta(years=n)),
            "add_months": self._date_shift(lambda d, n: d + relativedelta(months=n)),
            "add_days": self._date_shift(lambda d, n: d + relativedelta(days=n)),
            "add_working_days": self._working_days,
            "known": self._known,
            "starts_with": self._starts_with,
            "consecutive_years": self._strict(_consecutive_years),
        }

    def compile(self, node: ast.Node) -> Fn:
        visitor = self.visitors.get(type(node))
        if visitor is None:
            raise UnsupportedNodeError(node, BACKEND)
        return visitor(node)

    # Leaves -----------------------------------------------------------------------------------

    def literal(self, node: ast.Literal) -> Fn:
        value = node.value
        return lambda frame: value

    def field_ref(self, node: ast.FieldRef) -> Fn:
        name = node.name
        missing = Unknown(frozenset({name}))

        def get(frame: Frame) -> Any:
            value = frame.facts.get(name)
            return missing if value is None else value

        return get

    def item_field_ref(self, node: ast.ItemFieldRef) -> Fn:
        name = node.name

        def get(frame: Frame) -> Any:
            assert frame.item is not None
            value = frame.item.get(name)
            if value is None:
                return Unknown(frozenset({f"{frame.item_prefix}.{name}"}))
            return value

        return get

    def derived_ref(self, node: ast.DerivedRef) -> Fn:
        name, derived = node.name, self.derived

        def get(frame: Frame) -> Any:
            cache = frame.cache
            if name in cache:
                return cache[name]
            value = cache[name] = derived[name](frame)
            return value

        return get

    def param_ref(self, node: ast.ParamRef) -> Fn:
        name = node.name
        return lambda frame: frame.params[name]

    def as_of_(self, node: ast.AsOf) -> Fn:
        return lambda frame: frame.as_of

    def lookup(self, node: ast.Lookup) -> Fn:
        table_fn, key_fn, name = self.compile(node.table), self.compile(node.key), node.table.name

        def get(frame: Frame) -> Any:
            table, key = table_fn(frame), key_fn(frame)
            if table.__class__ is Unknown or key.__class__ is Unknown:
                return merge([table, key])
            value = table.get(key)
            if value is None:
                return Unknown(params=frozenset({f"{name}[{key}]"}))
            return value

        return get

    # Operators --------------------------------------------------------------------------------

    def neg(self, node: ast.Neg) -> Fn:
        operand = self.compile(node.operand)

        def get(frame: Frame) -> Any:
            value = operand(frame)
            return value if value.__class__ is Unknown else -value

        return get

    def not_(self, node: ast.Not) -> Fn:
        operand = self.compile(node.operand)

        def get(frame: Frame) -> Any:
            value = operand(frame)
            return value if value.__class__ is Unknown else not value

        return get

    def arith(self, node: ast.Arith) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        exact_ints = isinstance(node.ty, Int)
        op = (_INT_OPS if exact_ints else _DEC_OPS)[node.op]
        assert node.left.ty is not None and node.right.ty is not None and node.ty is not None
        fits = arith_fits(node.op, node.left.ty, node.right.ty, node.ty)
        overflow = arithmetic_fault(OVERFLOW, node)
        by_zero = arithmetic_fault(DIVISION_BY_ZERO, node)
        if isinstance(node.left, ast.Literal) and node.op != "/":
            return _literal_left(op, node.left.value, right, fits, overflow)

        def get(frame: Frame) -> Any:
            a, b = left(frame), right(frame)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge([a, b])
            result = op(a, b)
            return result if fits(a, b, result) else overflow

        def divide(frame: Frame) -> Any:
            a, b = left(frame), right(frame)
            if a.__class__ is Unknown or b.__class__ is Unknown:
                return merge([a, b])
            if b == 0:
                return by_zero
            if not fits(a, b, 0):  # an operand too large to divide at the working scale
                return overflow
            result = op(a, b)
            return result if fits(a, b, result) else overflow

        return divide if node.op == "/" else get

    def compare(self, node: ast.Compare) -> Fn:
        coded = self._code_equality(node)
        if coded is not None:
            return coded
        fns = [self.compile(o) for o in node.operands]
        ops = [COMPARE[o] for o in node.ops]
        bound = compare_bound([o.ty for o in node.operands if o.ty is not None])
        if bound is not None:
            return _bounded_compare(fns, ops, bound, arithmetic_fault(OVERFLOW, node))
        if len(ops) == 1:
            (op,), (left, right) = ops, fns
            field, other = node.operands
            if isinstance(field, ast.FieldRef) and isinstance(other, ast.Literal):
                return _field_against_literal(field.name, op, other.value)

            def get_one(frame: Frame) -> Any:
                a, b = left(frame), right(frame)
                if a.__class__ is Unknown or b.__class__ is Unknown:
                    return merge([a, b])
                return op(a, b)

            enums = [o.ty for o in node.operands if isinstance(o.ty, Enum)]
            if node.ops[0] in ("==", "!=") and enums:
                negated = node.ops[0] == "!="
                whole = frozenset(enums[0].values)

                def get_equal(frame: Frame) -> Any:
                    a, b = left(frame), right(frame)
                    if a.__class__ is not Unknown and b.__class__ is not Unknown:
                        return op(a, b)
                    if not _possible(a, whole).isdisjoint(_possible(b, whole)):
                        return merge([a, b])
                    return negated

                return get_equal
            return get_one

        def get(frame: Frame) -> Any:
            return _chain(ops, [fn(frame) for fn in fns])

        return get

    def logic(self, node: ast.Logic) -> Fn:
        fns = [self.compile(o) for o in node.operands]
        decisive = node.op == "or"  # the value that settles the whole expression

        def get(frame: Frame) -> Any:
            unknown: Unknown | None = None
            for fn in fns:
                value = fn(frame)
                if value is decisive:
                    return decisive
                if value.__class__ is Unknown:
                    unknown = value if unknown is None else unknown.merge(value)
            return (not decisive) if unknown is None else unknown

        return get

    def in_set(self, node: ast.InSet) -> Fn:
        coded = self._code_equality(node)
        if coded is not None:
            return coded
        value_fn = self.compile(node.value)
        options = frozenset(o.value for o in node.options)
        negated = node.negated
        ty = node.value.ty
        whole = frozenset(ty.values) if isinstance(ty, Enum) else None

        bound = compare_bound([t for t in (ty, *(o.ty for o in node.options)) if t is not None])
        overflow = arithmetic_fault(OVERFLOW, node)

        def get(frame: Frame) -> Any:
            value = value_fn(frame)
            if value.__class__ is Unknown:
                return _in_possible(value, options, negated, whole)
            if bound is not None and abs(value) >= bound:
                return overflow
            return (value in options) != negated

        return get

    def contains(self, node: ast.Contains) -> Fn:
        value_fn, container_fn, negated = (
            self.compile(node.value),
            self.compile(node.container),
            node.negated,
        )

        def get(frame: Frame) -> Any:
            value, container = value_fn(frame), container_fn(frame)
            if value.__class__ is Unknown or container.__class__ is Unknown:
                return merge([value, container])
            return (value in container) != negated

        return get

    def cond(self, node: ast.Cond) -> Fn:
        test, then, otherwise = (
            self.compile(node.test),
            self.compile(node.then),
            self.compile(node.otherwise),
        )
        widen = _widener(node)
        every = domain(node.ty)
        bound = compare_bound([n.ty for n in (node.then, node.otherwise) if n.ty is not None])
        overflow = arithmetic_fault(OVERFLOW, node)

        def get(frame: Frame) -> Any:
            decided = test(frame)
            if decided.__class__ is Unknown:
                return decided
            value = then(frame) if decided else otherwise(frame)
            if bound is not None and value.__class__ is not Unknown and abs(value) >= bound:
                return overflow
            return widen(value)

        if every is None:
            return get
        whole = frozenset(every)

        def get_finite(frame: Frame) -> Any:
            decided = test(frame)
            if decided.__class__ is not Unknown:
                return then(frame) if decided else otherwise(frame)
            return join([decided, then(frame), otherwise(frame)], whole)

        return get_finite

    def call(self, node: ast.Call) -> Fn:
        make = self.functions.get(node.func)
        if make is None:
            raise UnsupportedNodeError(node, BACKEND, f"has no function {node.func}")
        return make(node)

    # Functions --------------------------------------------------------------------------------

    def _strict(self, impl: Callable[..., Any]) -> Callable[[ast.Call], Fn]:
        def make(node: ast.Call) -> Fn:
            args = [self.compile(a) for a in node.args]

            def get(frame: Frame) -> Any:
                values = [fn(frame) for fn in args]
                for value in values:
                    if value.__class__ is Unknown:
                        return merge(values)
                return impl(*values)

            return get

        return make

    def _extremum(self, pick: Callable[..., Any]) -> Callable[[ast.Call], Fn]:
        def make(node: ast.Call) -> Fn:
            strict = self._strict(pick)(node)
            widen = _widener(node)
            if len(node.args) > 1:
                bound = compare_bound([a.ty for a in node.args if a.ty is not None])
                if bound is not None:
                    return self._bounded_extremum(node, pick, bound)
                return lambda frame: widen(strict(frame))
            empty = Unknown(ast.static_facts(node.args[0]))
            items = self.compile(node.args[0])

            def get(frame: Frame) -> Any:
                values = items(frame)
                if values.__class__ is Unknown:
                    return values
                return pick(values) if values else empty

            return get

        return make

    def _bounded_extremum(self, node: ast.Call, pick: Callable[..., Any], bound: Decimal) -> Fn:
        """`min`/`max` of values some of which may not fit 38 digits at the scale they are
        compared at: unknown (naming its facts) when one does not, as a comparison is."""
        args = [self.compile(a) for a in node.args]
        overflow = arithmetic_fault(OVERFLOW, node)

        def get(frame: Frame) -> Any:
            values = [fn(frame) for fn in args]
            unknowns = [v for v in values if v.__class__ is Unknown]
            if any(v.__class__ is not Unknown and abs(v) >= bound for v in values):
                return merge([overflow, *unknowns])
            return merge(values) if unknowns else Decimal(pick(values))

        return get

    def _sum(self, node: ast.Call) -> Fn:
        items = self.compile(node.args[0])
        assert node.ty is not None
        fits = sum_fits(node.ty)
        overflow = arithmetic_fault(OVERFLOW, node)
        add = _CTX.add if isinstance(node.ty, Dec) else operator.add

        def get(frame: Frame) -> Any:
            values = items(frame)
            if values.__class__ is Unknown:
                return values
            total: Any = 0
            for value in values:
                total = add(total, value)
            return total if fits(total) else overflow

        return get

    def _round(self, node: ast.Call) -> Fn:
        value_fn = self.compile(node.args[0])
        places = node.args[1]
        assert isinstance(places, ast.Literal) and isinstance(places.value, int)
        quantum = Decimal(1).scaleb(-max(places.value, 0))
        whole = isinstance(node.ty, Int)

        def get(frame: Frame) -> Any:
            value = value_fn(frame)
            if value.__class__ is Unknown or whole:
                return value
            return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP, context=_CTX)

        return get

    def _date_shift(self, shift: Callable[[date, int], date]) -> Callable[[ast.Call], Fn]:
        def make(node: ast.Call) -> Fn:
            out_of_range = arithmetic_fault(OVERFLOW, node)  # no date: beyond year 9999

            def safe(d: date, n: int) -> Any:
                try:
                    return shift(d, n)
                except (ValueError, OverflowError):
                    return out_of_range

            return self._strict(safe)(node)

        return make

    def _working_days(self, node: ast.Call) -> Fn:
        calendar = self.calendar
        unknown_year = Unknown(params=frozenset({f"{calendar.name}_working_day_calendar"}))

        def add(d: date, n: int) -> Any:
            if n < 0:
                return Unknown(ast.static_facts(node.args[1]))
            result = calendar.add_working_days(d, n)
            return unknown_year if result is None else result

        return self._strict(add)(node)

    def _starts_with(self, node: ast.Call) -> Fn:
        text = node.args[0]
        fixed = isinstance(node.args[1], ast.Literal | ast.ParamRef)
        if not fixed or not is_code_operand(text, self.code_fields):
            return self._strict(_starts_with)(node)
        return self._code_test(text, _code_starts_with, self.compile(node.args[1]))

    def _code_test(
        self, text: ast.Node, verdict: Callable[[str, Any], bool | None], other: Fn
    ) -> Fn:
        """A test of an industry code that may be coarse: `verdict(code, other)`, None leaving
        it unknown for want of a finer code."""
        text_fn = self.compile(text)
        item_field = text.name if isinstance(text, ast.ItemFieldRef) else None
        coarse = Unknown(ast.static_facts(text))

        def get(frame: Frame) -> Any:
            code, against = text_fn(frame), other(frame)
            if code.__class__ is Unknown or against.__class__ is Unknown:
                return merge([code, against])
            found = verdict(code, against)
            if found is not None:
                return found
            if item_field is None:
                return coarse
            return Unknown(frozenset({f"{frame.item_prefix}.{item_field}"}))

        return get

    def _code_equality(self, node: ast.Compare | ast.InSet) -> Fn | None:
        """A code compared with classes, where the code may be coarse (`lang.partial.code_in`);
        None for any other comparison."""
        found = code_equality(node, self.code_fields)
        if found is None:
            return None
        text, chosen, negated = found

        def verdict(code: str, _: Any) -> bool | None:
            answer = code_in(code, chosen)
            return answer if answer is None else answer != negated

        return self._code_test(text, verdict, lambda frame: chosen)

    def _known(self, node: ast.Call) -> Fn:
        value_fn = self.compile(node.args[0])
        return lambda frame: value_fn(frame).__class__ is not Unknown


def _code_starts_with(code: str, prefix: str | list[str]) -> bool | None:
    verdicts = {code_verdict(code, p) for p in ([prefix] if prefix.__class__ is str else prefix)}
    if True in verdicts:
        return True
    return None if None in verdicts else False


def join(values: list[Any], whole: frozenset[Any]) -> Any:
    """What a finite-valued expression is when it is one of `values` (some unknown): the value
    itself if they all leave the same one possible, else an Unknown naming every fact they lack
    and the values still possible. `values[0]` may be an undecided test, which contributes only
    what it lacks."""
    possible: set[Any] = set()
    unknown: Unknown | None = None
    for index, value in enumerate(values):
        if value.__class__ is Unknown:
            unknown = value if unknown is None else unknown.merge(value)
            if index:
                possible |= whole if value.values is None else value.values
        elif index:
            possible.add(value)
    if len(possible) == 1:
        return next(iter(possible))
    assert unknown is not None
    kept = None if len(possible) == len(whole) or whole <= {False, True} else frozenset(possible)
    return Unknown(unknown.facts, unknown.params, kept, unknown.faults)


def possible_text(value: Unknown) -> str | None:
    """How a trace shows an unknown value: the values still possible, or None (missing)."""
    if value.values is None:
        return None
    return "one of {" + ", ".join(sorted(str(v) for v in value.values)) + "}"


def _possible(value: Any, whole: frozenset[Any]) -> frozenset[Any]:
    if value.__class__ is not Unknown:
        return frozenset({value})
    return whole if value.values is None else value.values


def _in_possible(
    value: Unknown, options: frozenset[Any], negated: bool, whole: frozenset[Any] | None
) -> Any:
    """`value in options` for an unknown value, decided when the values it may take allow."""
    possible = value.values or whole
    if possible is None:
        return value
    if possible <= options:
        return not negated
    if possible.isdisjoint(options):
        return negated
    return Unknown(value.facts, value.params, faults=value.faults)


def _field_against_literal(name: str, op: Callable[[Any, Any], bool], literal: Any) -> Fn:
    """`field <op> literal`, the commonest condition, without the generic operand calls."""
    missing = Unknown(frozenset({name}))

    def get(frame: Frame) -> Any:
        value = frame.facts.get(name)
        return missing if value is None else op(value, literal)

    return get


def _bounded_compare(
    fns: list[Fn], ops: list[Callable[[Any, Any], bool]], bound: Decimal, overflow: Unknown
) -> Fn:
    """A comparison whose operands may not fit 38 digits at the scale they are compared at:
    unknown (naming its facts) when one does not, as in the other backend."""
    if len(fns) == 2:  # the commonest form, spelled out: a comprehension costs more than it
        (left, right), (op,) = fns, ops

        def get_pair(frame: Frame) -> Any:
            a, b = left(frame), right(frame)
            a_known, b_known = a.__class__ is not Unknown, b.__class__ is not Unknown
            if (a_known and abs(a) >= bound) or (b_known and abs(b) >= bound):
                return merge([overflow, *(v for v in (a, b) if v.__class__ is Unknown)])
            if a_known and b_known:
                return op(a, b)
            return merge([a, b])

        return get_pair

    def get(frame: Frame) -> Any:
        values = [fn(frame) for fn in fns]
        unknowns = [v for v in values if v.__class__ is Unknown]
        if any(v.__class__ is not Unknown and abs(v) >= bound for v in values):
            return merge([overflow, *unknowns])
        return _chain(ops, values)

    return get


def _chain(ops: list[Callable[[Any, Any], bool]], values: list[Any]) -> Any:
    """`a op b op c …` over the operands' values: false as soon as a known pair fails, else
    unknown (naming the unknown pairs' inputs) when some pair is unknown, else true."""
    unknown: Unknown | None = None
    for op, a, b in zip(ops, values, values[1:], strict=False):
        if a.__class__ is Unknown or b.__class__ is Unknown:
            pair = merge([a, b])
            unknown = pair if unknown is None else unknown.merge(pair)
        elif not op(a, b):
            return False
    return True if unknown is None else unknown


def _literal_left(
    op: Callable[[Any, Any], Any],
    constant: Any,
    right: Fn,
    fits: Callable[[Any, Any, Any], bool],
    overflow: Unknown,
) -> Fn:
    """`literal <op> x` (a rate times a base, the commonest amount) without calling the
    literal's closure."""

    def get(frame: Frame) -> Any:
        value = right(frame)
        if value.__class__ is Unknown:
            return value
        result = op(constant, value)
        return result if fits(constant, value, result) else overflow

    return get


def _widener(node: ast.Node) -> Callable[[Any], Any]:
    """Branches of one expression may mix ints and decimals; make a decimal result a Decimal."""
    if isinstance(node.ty, Dec):
        return lambda v: v if v.__class__ is Unknown else Decimal(v)
    return lambda v: v


def _months_between(a: date, b: date) -> int:
    delta = relativedelta(b, a)
    return delta.years * 12 + delta.months


def _starts_with(text: str, prefix: str | list[str]) -> bool:
    return text.startswith(prefix if isinstance(prefix, str) else tuple(prefix))


def _consecutive_years(years: list[int], start: int) -> int:
    present = set(years)
    count = 0
    while start + count in present:
        count += 1
    return count
