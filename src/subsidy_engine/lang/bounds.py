"""Bounds on the values of numeric expressions, worked out from the typed tree alone.

An `Interval` holds every value an expression can take, where it has one, on a profile that
passed validation: each field within its domain (`domains.field_domain`: the bounds declared in
`profile.yaml`, or its kind's), every list within `limits.MAX_LIST_ITEMS` items. Literals and
parameters (constants for one `as_of`) are points; `+ - * /`, `min`, `max`, `abs`, `round`,
`sum`, conditionals and derived facts follow by interval arithmetic. A list's interval is that of
its items.

A backend may skip a check that an operation stays in the number domain (`lang.numbers`) where
the bounds prove it does: the answer is the same whether it checks or not. An end without a bound
is None (an expression the analysis does not follow, or one past `_CAP`).

>>> Interval(Decimal(-2), Decimal(3)).magnitude
Decimal('3')
>>> arith_interval("*", Interval(Decimal(-2), Decimal(3)), point(Decimal(4)), 0)
Interval(lower=Decimal('-8'), upper=Decimal('12'))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Context, Decimal
from functools import reduce
from typing import TYPE_CHECKING, Any, TypeGuard

from subsidy_engine.domains import field_domain
from subsidy_engine.lang import ast
from subsidy_engine.lang.types import DIVISION_SCALE, Int, scale_of
from subsidy_engine.limits import MAX_LIST_ITEMS

if TYPE_CHECKING:
    from subsidy_engine.rulebook.models import ProfileSpec, ScalarFieldSpec, ScalarKind

_CAP = Decimal(10) ** 100
"""Ends beyond this are dropped (far past any domain: 38 digits), so that every bound stays
exact in `_EXACT`."""
_EXACT = Context(prec=1000)
"""Sums and products of ends below `_CAP` with at most a few dozen decimal places are exact."""
_UP = Context(prec=50, rounding=ROUND_CEILING)
_LONGEST_DAYS = Decimal(3_652_059)
"""Days from 0001-01-01 to 9999-12-31: no two dates are further apart."""


@dataclass(frozen=True, slots=True)
class Interval:
    """Every value lies in [lower, upper]; None: no bound on that side."""

    lower: Decimal | None
    upper: Decimal | None

    @property
    def magnitude(self) -> Decimal | None:
        """A bound on the absolute value, or None."""
        if self.lower is None or self.upper is None:
            return None
        return max(self.lower.copy_negate(), self.upper)

    def hull(self, other: Interval) -> Interval:
        """The smallest interval holding both."""
        lower = None if self.lower is None or other.lower is None else min(self.lower, other.lower)
        upper = None if self.upper is None or other.upper is None else max(self.upper, other.upper)
        return Interval(lower, upper)


UNBOUNDED = Interval(None, None)


def point(value: Decimal) -> Interval:
    return _capped(value, value)


def within(magnitude: Decimal) -> Interval:
    """[-magnitude, magnitude]."""
    return _capped(magnitude.copy_negate(), magnitude)


def _capped(lower: Decimal | None, upper: Decimal | None) -> Interval:
    return Interval(
        None if lower is None or lower < -_CAP else lower,
        None if upper is None or upper > _CAP else upper,
    )


def arith_interval(op: str, left: Interval, right: Interval, divisor_scale: int) -> Interval:
    """The values `left op right` may take (`/`: a divisor other than zero, whose decimal
    places are `divisor_scale`, so no smaller than 10^-divisor_scale in magnitude; the quotient
    rounded to `DIVISION_SCALE` places)."""
    if op == "+":
        return _capped(_sum(left.lower, right.lower), _sum(left.upper, right.upper))
    if op == "-":
        return _capped(
            _sum(left.lower, _negated(right.upper)), _sum(left.upper, _negated(right.lower))
        )
    if op == "*":
        return _product(left, right)
    return _quotient(left, right, divisor_scale)


def _sum(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else _EXACT.add(a, b)


def _negated(a: Decimal | None) -> Decimal | None:
    # copy_negate, unlike `-a`, never rounds to the context's 28 digits
    return None if a is None else a.copy_negate()


def _product(left: Interval, right: Interval) -> Interval:
    ends = (left.lower, left.upper, right.lower, right.upper)
    if any(e is None for e in ends):
        return UNBOUNDED
    products = [
        _EXACT.multiply(a, b) for a in ends[:2] for b in ends[2:] if a is not None and b is not None
    ]
    return _capped(min(products), max(products))


def _quotient(left: Interval, right: Interval, divisor_scale: int) -> Interval:
    top, divisor = left.magnitude, _smallest_divisor(right, divisor_scale)
    if top is None:
        return UNBOUNDED
    # half an ulp of rounding may carry the quotient one ulp past |a| / |b|
    ulp = Decimal(1).scaleb(-DIVISION_SCALE)
    return within(_UP.add(_UP.divide(top, divisor), ulp))


def _smallest_divisor(right: Interval, scale: int) -> Decimal:
    """The smallest magnitude a divisor other than zero in `right` may have."""
    smallest = Decimal(1).scaleb(-scale)
    if right.lower is not None and right.lower > 0:
        return max(smallest, right.lower)
    if right.upper is not None and right.upper < 0:
        return max(smallest, right.upper.copy_negate())
    return smallest


class Bounds:
    """The interval of any expression over one rulebook's profiles, for one `as_of`.

    `fields`: each numeric field's interval (`field_bounds`; an item field as
    `list[*].field`, a list of numbers by its own name), unbounded where absent; `params`: each
    parameter's value in force (None: the text gives none, so it never has a value, and zero
    stands for it); `derived`: each derived fact's tree.
    """

    def __init__(
        self,
        fields: Mapping[str, Interval],
        params: Mapping[str, Any],
        derived: Mapping[str, ast.Node],
    ) -> None:
        self.fields, self.params, self.derived = fields, params, derived
        self._seen: dict[int, tuple[ast.Node, Interval]] = {}
        """Each node met, by id, with the node itself (so that its id is not reused)."""

    def of(self, node: ast.Node) -> Interval:
        found = self._seen.get(id(node))
        if found is None:
            found = (node, self._interval(node))
            self._seen[id(node)] = found
        return found[1]

    def _interval(self, node: ast.Node) -> Interval:
        match node:
            case ast.Literal(value=int() | Decimal() as value) if not isinstance(value, bool):
                return point(Decimal(value))
            case ast.FieldRef(name=name):
                return self.fields.get(name, UNBOUNDED)
            case ast.ItemFieldRef(list_field=list_field, name=name):
                return self.fields.get(f"{list_field}[*].{name}", UNBOUNDED)
            case ast.DerivedRef(name=name) if name in self.derived:
                return self.of(self.derived[name])
            case ast.ParamRef(name=name) if name in self.params:
                return _constant(self.params[name])
            case ast.Lookup(table=table) if table.name in self.params:
                entries = self.params[table.name]
                return _constant(list(entries.values()) if isinstance(entries, dict) else entries)
            case ast.Neg(operand=operand):
                inner = self.of(operand)
                return Interval(_negated(inner.upper), _negated(inner.lower))
            case ast.Arith(op=op, left=left, right=right):
                scale = scale_of(right.ty) if right.ty is not None else 0
                return arith_interval(op, self.of(left), self.of(right), scale)
            case ast.Cond(then=then, otherwise=otherwise):
                return self.of(then).hull(self.of(otherwise))
            case ast.Call(func=func, args=args) if func in _CALLS:
                return _CALLS[func](self, node, [self.of(a) for a in args])
        return UNBOUNDED


def _is_number(value: object) -> TypeGuard[int | Decimal]:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _constant(value: object) -> Interval:
    """The interval of a parameter's value (a list's or a table's: of its entries)."""
    if value is None:
        return point(Decimal(0))
    values = value if isinstance(value, list | tuple) else [value]
    if not values:
        return point(Decimal(0))
    numbers = [Decimal(v) for v in values if _is_number(v)]
    if len(numbers) < len(values):
        return UNBOUNDED
    return _capped(min(numbers), max(numbers))


def _least(bounds: Bounds, node: ast.Call, args: list[Interval]) -> Interval:
    if len(args) == 1:  # a list: its items' interval
        return args[0]
    # the least of several values is no larger than any one of them
    return Interval(_every(min, [a.lower for a in args]), _some(min, [a.upper for a in args]))


def _greatest(bounds: Bounds, node: ast.Call, args: list[Interval]) -> Interval:
    if len(args) == 1:
        return args[0]
    return Interval(_some(max, [a.lower for a in args]), _every(max, [a.upper for a in args]))


def _every(pick: Callable[[list[Decimal]], Decimal], ends: list[Decimal | None]) -> Decimal | None:
    """`pick` of `ends`, None if one of them is."""
    known = [e for e in ends if e is not None]
    return pick(known) if len(known) == len(ends) else None


def _some(pick: Callable[[list[Decimal]], Decimal], ends: list[Decimal | None]) -> Decimal | None:
    """`pick` of the ends that are bounds, None if none is."""
    known = [e for e in ends if e is not None]
    return pick(known) if known else None


def _abs(bounds: Bounds, node: ast.Call, args: list[Interval]) -> Interval:
    (arg,) = args
    top = arg.magnitude
    lowest = Decimal(0)
    if arg.lower is not None and arg.lower > 0:
        lowest = arg.lower
    elif arg.upper is not None and arg.upper < 0:
        lowest = arg.upper.copy_negate()
    return Interval(lowest, top)


def _round(bounds: Bounds, node: ast.Call, args: list[Interval]) -> Interval:
    arg, places = args[0], node.args[1]
    if isinstance(node.ty, Int) or not isinstance(places, ast.Literal):
        return arg
    assert isinstance(places.value, int)
    half = Decimal(5).scaleb(-max(places.value, 0) - 1)
    return _capped(_sum(arg.lower, -half), _sum(arg.upper, half))


def _total(bounds: Bounds, node: ast.Call, args: list[Interval]) -> Interval:
    (items,) = args
    # a constant list is a parameter's: its total is known
    given = node.args[0]
    if isinstance(given, ast.ParamRef):
        values = bounds.params.get(given.name)
        if isinstance(values, list) and all(_is_number(v) for v in values):
            return point(reduce(_EXACT.add, (Decimal(v) for v in values), Decimal(0)))
    count = Decimal(MAX_LIST_ITEMS)
    lower = None if items.lower is None else min(Decimal(0), _EXACT.multiply(items.lower, count))
    upper = None if items.upper is None else max(Decimal(0), _EXACT.multiply(items.upper, count))
    return _capped(lower, upper)


def _fixed(interval: Interval) -> _Call:
    return lambda bounds, node, args: interval


_Call = Callable[[Bounds, ast.Call, list[Interval]], Interval]
_CALLS: dict[str, _Call] = {
    "min": _least,
    "max": _greatest,
    "abs": _abs,
    "round": _round,
    "sum": _total,
    "len": _fixed(Interval(Decimal(0), Decimal(MAX_LIST_ITEMS))),
    "consecutive_years": _fixed(Interval(Decimal(0), Decimal(MAX_LIST_ITEMS))),
    "year": _fixed(Interval(Decimal(1), Decimal(9999))),
    "years_between": _fixed(within(Decimal(9999))),
    "months_between": _fixed(within(Decimal(9999 * 12))),
    "days_between": _fixed(within(_LONGEST_DAYS)),
}


def field_bounds(profile: ProfileSpec) -> dict[str, Interval]:
    """The interval of each numeric field of a profile, as validation holds it (item fields as
    `list[*].field`, a list of numbers by its name)."""
    out: dict[str, Interval] = {}
    for name, spec in profile.fields.items():
        if spec.type != "list":
            out[name] = _domain_interval(spec.type, spec)
        elif spec.item is not None:
            out[name] = _domain_interval(spec.item, None)
        else:
            for item, item_spec in (spec.fields or {}).items():
                out[f"{name}[*].{item}"] = _domain_interval(item_spec.type, item_spec)
    return {name: interval for name, interval in out.items() if interval != UNBOUNDED}


def _domain_interval(kind: ScalarKind, spec: ScalarFieldSpec | None) -> Interval:
    domain = field_domain(kind, spec)
    if not domain.numeric:
        return UNBOUNDED
    return _capped(domain.lower, domain.upper)
