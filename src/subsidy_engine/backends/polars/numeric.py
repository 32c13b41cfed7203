"""Exact decimal arithmetic on Polars columns, matching Python's `Decimal` in the scalar backend.

Polars' Decimal keeps the larger operand scale and rounds half to even. These helpers make every
operation exact or rounded half away from zero, as the scalar backend is:

* `+ -` at the larger scale, `*` at the sum of scales (`arith_scale`): exact, because the operands
  are cast so that Polars' result scale already holds every digit of the true result;
* `/` to DIVISION_SCALE places, half away from zero: Polars' quotient, corrected with the exact
  remainder (integers: an exact Int128 division);
* `round_half_away` to fewer places, half away from zero (Polars' own rounding mode).

Results that do not fit Decimal(38) make Polars raise (never a silent wrong figure). The
division's exact correction is applied while dividend, divisor and quotient stay below
10^(25 - the divisor's scale) (amounts are bounded by 10^15 yuan); beyond that the quotient is
Polars' own (half to even).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import reduce

import polars as pl

from subsidy_engine.backends.polars.dtypes import decimal
from subsidy_engine.backends.polars.vec import Vec, let
from subsidy_engine.lang.bounds import Interval, arith_interval
from subsidy_engine.lang.numbers import INT_MAX, largest, limit_at, working_scale
from subsidy_engine.lang.types import DIVISION_SCALE, Dec, Int, Type, scale_of


def as_decimal(expr: pl.Expr, ty: Type, scale: int | None = None) -> pl.Expr:
    """A numeric column as Decimal at `scale` (its own scale when None); never rounds."""
    own = scale_of(ty)
    target = own if scale is None else scale
    if target < own:
        raise ValueError(f"casting decimal({own}) to decimal({target}) would round")
    if isinstance(ty, Dec) and own == target:
        return expr
    return expr.cast(decimal(target))


def _unit(scale: int) -> pl.Expr:
    return pl.lit(Decimal(1).scaleb(-scale), dtype=decimal(scale))


def round_half_away(expr: pl.Expr, scale: int, places: int) -> pl.Expr:
    """A Decimal(38, scale) column rounded to `places` decimals, half away from zero."""
    if places >= scale:
        return expr.cast(decimal(places))
    return expr.round(places, mode="half_away_from_zero").cast(decimal(places))


def add(a: pl.Expr, ta: Type, b: pl.Expr, tb: Type, op: str) -> pl.Expr:
    if isinstance(ta, Int) and isinstance(tb, Int):
        return a + b if op == "+" else a - b
    scale = max(scale_of(ta), scale_of(tb))
    left, right = as_decimal(a, ta, scale), as_decimal(b, tb, scale)
    return left + right if op == "+" else left - right


def multiply(a: pl.Expr, ta: Type, b: pl.Expr, tb: Type) -> pl.Expr:
    if isinstance(ta, Int) and isinstance(tb, Int):
        return a * b
    scale = scale_of(ta) + scale_of(tb)
    # The result keeps the larger operand scale, `scale`, which holds the exact product.
    return as_decimal(a, ta, scale) * as_decimal(b, tb)


def divide(a: pl.Expr, ta: Type, b: pl.Expr, tb: Type) -> pl.Expr:
    """`a / b` to DIVISION_SCALE places, half away from zero. `b` must not be zero."""
    if isinstance(ta, Int) and isinstance(tb, Int):
        return _divide_integers(a, b)
    sa, sb, places = scale_of(ta), scale_of(tb), DIVISION_SCALE
    top = max(places, sa, sb)
    # Correct Polars' quotient (within an ulp or so of a / b) with the exact a - q * b.
    exact = max(places + sb, sa)
    limit = pl.lit(Decimal(10) ** (37 - exact), dtype=decimal(0))
    zero = pl.lit(0, dtype=decimal(0))
    unit = _unit(places)

    def correct(v: dict[str, pl.Expr]) -> pl.Expr:
        left, right, first = v["a"], v["b"], v["q"]
        safe = (left.abs() < limit) & (right.abs() < limit) & (first.abs() < limit)
        a_safe = pl.when(safe).then(left).otherwise(zero).cast(decimal(exact))
        b_safe = pl.when(safe).then(right).otherwise(zero).cast(decimal(sb))
        q_safe = pl.when(safe).then(first).otherwise(zero).cast(decimal(exact))
        rest = a_safe - q_safe * b_safe
        twice = pl.when(right < 0).then(-rest).otherwise(rest) * 2
        ulp_b = (right.abs().cast(decimal(places + sb)) * unit).cast(decimal(exact))
        positive = (left != 0) & ((left > 0) == (right > 0))
        negative = (left != 0) & ((left > 0) != (right > 0))
        up = safe & ((twice > ulp_b) | ((twice == ulp_b) & positive))
        down = safe & ((twice < -ulp_b) | ((twice == -ulp_b) & negative))
        return pl.when(up).then(first + unit).when(down).then(first - unit).otherwise(first)

    def quotient(v: dict[str, pl.Expr]) -> pl.Expr:
        left, right = v["a"], v["b"]
        first = (as_decimal(left, ta, top) / as_decimal(right, tb, top)).cast(decimal(places))
        return let({"a": left, "b": right, "q": first}, correct)

    return let({"a": as_decimal(a, ta), "b": as_decimal(b, tb)}, quotient)


def _divide_integers(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """`a / b` of two Int64 columns, exactly in Int128 (|a| * 10^DIVISION_SCALE fits): a few
    integer operations where the decimal quotient and its correction take dozens."""
    places = DIVISION_SCALE
    dividend, divisor = a.cast(pl.Int128) * 10**places, b.cast(pl.Int128)
    floor = dividend // divisor
    twice = 2 * (dividend - floor * divisor)
    # twice the fraction a / b - floor, times |b|: in [0, 2 |b|)
    fraction = pl.when(divisor < 0).then(pl.lit(0, dtype=pl.Int128) - twice).otherwise(twice)
    half = divisor.abs()
    up = (fraction > half) | ((fraction == half) & (floor >= 0))
    units = pl.when(up).then(floor + 1).otherwise(floor)
    return units.cast(decimal(0)) * _unit(places)


def checked_arith(
    op: str,
    a: pl.Expr,
    ta: Type,
    b: pl.Expr,
    tb: Type,
    result: Type,
    operands: tuple[Interval, Interval],
) -> tuple[pl.Expr, pl.Expr | None]:
    """(`a op b`, where it leaves the number domain) for `op` in `+ - * /` and a non-zero
    divisor (`lang.numbers`): null and flagged where an operand does not fit the working scale
    or the result does not fit its type, exactly as the scalar backend decides; never a Polars
    error, never a wrapped integer. `operands`: an interval holding each operand's values
    (`lang.bounds`); where they prove the operation stays in the domain, nothing is checked and
    the flag is None. Otherwise each operand is read once (however deep a chain nests), and so is
    the flag: its exact check near the bound runs in Python, which Polars never shares between
    the expressions that read it."""
    working = working_scale(op, ta, tb)
    limits = (_fit_limit(ta, operands[0], working), _fit_limit(tb, operands[1], working))
    reach = _may_reach_bound(op, (ta, tb), result, operands, working)
    if not reach and limits == (None, None):
        return _compute(op, a, ta, b, tb), None

    def flagged(v: dict[str, pl.Expr]) -> pl.Expr:
        a, b = v["a"], v["b"]
        outside = _operands_beyond(((a, ta, limits[0]), (b, tb, limits[1])))
        if reach:
            beyond = _result_outside(op, a, b, limit_at(scale_of(result))).fill_null(False)
            outside = outside | beyond
        return let({"a": a, "b": b, "out": outside}, body)

    def body(v: dict[str, pl.Expr]) -> pl.Expr:
        a, b, outside = v["a"], v["b"], v["out"]
        present = a.is_not_null() & b.is_not_null()
        return pl.struct(
            _value(op, a, ta, b, tb, outside).alias("value"), (present & outside).alias("outside")
        )

    def integers(v: dict[str, pl.Expr]) -> pl.Expr:
        a, b = v["a"], v["b"]
        present = a.is_not_null() & b.is_not_null()
        wide = _INT_OPS[op](a.cast(pl.Int128), b.cast(pl.Int128))
        fits = (wide >= -INT_MAX) & (wide <= INT_MAX)
        value = pl.when(fits).then(wide).cast(pl.Int64)
        return pl.struct(value.alias("value"), (present & ~fits).alias("outside"))

    pair = let({"a": a, "b": b}, integers if isinstance(result, Int) else flagged)
    return pair.struct.field("value"), pair.struct.field("outside")


def _clipped(ty: Type, interval: Interval, working: int | None) -> Interval:
    """`interval`, narrowed to the values of `ty` that fit the working scale (others are
    flagged before the operation)."""
    top = largest(ty) if working is None else min(largest(ty), limit_at(working))
    lower, upper = interval.lower, interval.upper
    return Interval(
        -top if lower is None else max(lower, -top), top if upper is None else min(upper, top)
    )


def _fit_limit(ty: Type, interval: Interval, working: int | None) -> Decimal | None:
    """The bound an operand of `ty` within `interval` must stay under to fit the working
    scale, or None when it always does."""
    if working is None:
        return None
    bound = limit_at(working)
    return bound if _may_reach(ty, interval, bound) else None


def _may_reach_bound(
    op: str,
    types: tuple[Type, Type],
    result: Type,
    operands: tuple[Interval, Interval],
    working: int | None,
) -> bool:
    """Whether `a op b` (of `types`) may leave its type's domain, for operands within
    `operands` that fit the working scale."""
    left, right = (_clipped(ty, i, working) for ty, i in zip(types, operands, strict=True))
    size = arith_interval(op, left, right, scale_of(types[1])).magnitude
    if size is None:
        return True
    if isinstance(result, Int):
        return size > INT_MAX
    return size >= limit_at(scale_of(result))


def _operands_beyond(operands: Sequence[tuple[pl.Expr, Type, Decimal | None]]) -> pl.Expr:
    """Where an operand (value, type, the bound it may reach) does not fit the working scale,
    even when the other is null (its cast would fail)."""
    fit: pl.Expr = pl.lit(True)
    for value, ty, bound in operands:
        if bound is not None:
            fit = fit & (value.abs() < _literal_bound(bound, ty))
    return (~fit).fill_null(False)


def _value(op: str, a: pl.Expr, ta: Type, b: pl.Expr, tb: Type, outside: pl.Expr) -> pl.Expr:
    return _compute(op, pl.when(~outside).then(a), ta, pl.when(~outside).then(b), tb)


def _compute(op: str, a: pl.Expr, ta: Type, b: pl.Expr, tb: Type) -> pl.Expr:
    if op in ("+", "-"):
        return add(a, ta, b, tb, op)
    if op == "*":
        return multiply(a, ta, b, tb)
    return divide(a, ta, b, tb)


_INT_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_EXACT = Context(prec=100, rounding=ROUND_HALF_UP)
_DECIMAL_OPS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": _EXACT.add,
    "-": _EXACT.subtract,
    "*": _EXACT.multiply,
    "/": lambda x, y: _EXACT.divide(x, y).quantize(
        Decimal(1).scaleb(-DIVISION_SCALE), context=_EXACT
    ),
}
_MARGIN = 0.001
"""Relative error allowed to a float estimate of a result: within it, the result is worked out
exactly."""


def _literal_bound(bound: Decimal, ty: Type) -> pl.Expr:
    if isinstance(ty, Int):
        return pl.lit(int(bound), dtype=pl.Int64)
    return pl.lit(bound, dtype=decimal(0))


def _result_outside(op: str, a: pl.Expr, b: pl.Expr, bound: Decimal) -> pl.Expr:
    """Where `a op b` reaches `bound` in magnitude: a float estimate decides, and the rows
    within `_MARGIN` of the bound are worked out exactly with Python's Decimal."""
    fa, fb = a.cast(pl.Float64), b.cast(pl.Float64)
    estimate = _INT_OPS[op](fa, fb) if op != "/" else fa / fb
    size, limit = estimate.abs(), float(bound)
    sure = size > limit * (1 + _MARGIN)
    near = (size >= limit * (1 - _MARGIN)) & ~sure
    pair = pl.when(near).then(pl.struct(a.alias("a"), b.alias("b")))
    exact = pair.map_batches(
        lambda pairs: _exactly_outside(pairs, op, bound),
        return_dtype=pl.Boolean,
        is_elementwise=True,
    )
    return sure | (near & exact)


def _exactly_outside(pairs: pl.Series, op: str, bound: Decimal) -> pl.Series:
    near = pairs.is_not_null()
    # false where no pair is near the bound: built in Polars, as a Python list of every row's
    # flag would cost more than the whole check on a batch where none is (the usual case)
    out = near & False
    rows = near.arg_true()
    if rows.len():
        compute = _DECIMAL_OPS[op]
        chosen = pairs.gather(rows)
        flags = [
            abs(compute(Decimal(x), Decimal(y))) >= bound
            for x, y in zip(chosen.struct.field("a"), chosen.struct.field("b"), strict=True)
        ]
        out = out.scatter(rows, flags)
    return out


def beyond(
    operands: Sequence[Vec], bound: Decimal | None, intervals: Sequence[Interval]
) -> pl.Expr | None:
    """Where a known operand of a comparison reaches `bound` in magnitude (None: nowhere), for
    operands within `intervals` (`lang.bounds`)."""
    if bound is None:
        return None
    flags = [
        (o.value.abs() >= _literal_bound(bound, o.ty)).fill_null(False)
        for o, interval in zip(operands, intervals, strict=True)
        if _may_reach(o.ty, interval, bound)
    ]
    return reduce(operator.or_, flags) if flags else None


def _may_reach(ty: Type, interval: Interval, bound: Decimal) -> bool:
    """Whether a value of `ty` within `interval` may reach `bound` in magnitude."""
    size = interval.magnitude
    return largest(ty) > bound and (size is None or size >= bound)


def guarded(value: pl.Expr, outside: pl.Expr | None) -> pl.Expr:
    """`value`, null where `outside` flags it (so that casting it to a finer scale cannot
    fail)."""
    return value if outside is None else pl.when(~outside).then(value)
