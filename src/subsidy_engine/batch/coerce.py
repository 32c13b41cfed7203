"""One input column -> the profile's type for it, and why a value cannot be (per row).

Mirrors the pydantic model `profile.py` builds: numbers from integers, floats (exactly, by their
value) or decimals, never from booleans; the bounds and decimal places of the field's domain
(`domains.field_domain`, which the model reads too); true/false from booleans or 0/1; dates
from dates or midnight datetimes; text cells of those kinds read as the model reads them
(`cells`, by `values.read_value`); texts stripped and not empty; enumeration values exactly.
Codes are normalised as pydantic does and then checked (`codes`).

Each function returns a `Checked`: the value, right on every row the checks pass (it may be
anything on a bad row, which is never scored), and the checks, each a condition that is true
where the input is bad with its message. The first true one names the problem. Scoring only
needs `Checked.bad` (cheap Boolean columns); the messages are built for the rejected rows alone.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from subsidy_engine.backends.polars.dtypes import PRECISION, decimal
from subsidy_engine.batch import cells, codes
from subsidy_engine.domains import field_domain
from subsidy_engine.rulebook.models import ScalarFieldSpec, ScalarKind

NOT_A_NUMBER = "a true/false value is not a number"
CODE_PROBLEM = "is not a valid code"
"""Placeholder for a bad credit or industry code; the rejects get the exact reason."""

_WORDS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
"""Integer types of 64 bits at most: any of their values fits a decimal of `PRECISION`."""

Check = tuple[pl.Expr, "str | pl.Expr"]
"""A condition true where the input is bad (null counts as false), and the message there."""


@dataclass(frozen=True, slots=True)
class Checked:
    """A coerced column: its value and the checks its input must pass, in order."""

    value: pl.Expr
    checks: tuple[Check, ...] = ()
    order: pl.Expr | None = None
    """An expression ordered as `value` and cheaper to compare (the integers a decimal column
    was made from), or None."""
    of_value: tuple[Callable[[pl.Expr], Check], ...] = ()
    """Checks of the value itself, run after `checks`, given the value: a caller that computes
    the value once as a column passes that column, instead of computing it again per check."""

    def all_checks(self, value: pl.Expr | None = None) -> tuple[Check, ...]:
        """Every check, in order; those of the value read `value` (default: `self.value`)."""
        given = self.value if value is None else value
        return (*self.checks, *(check(given) for check in self.of_value))

    def problem(self, value: pl.Expr | None = None) -> pl.Expr:
        """The message of the first failing check, or null (String)."""
        checks = self.all_checks(value)
        if not checks:
            return pl.lit(None, dtype=pl.String)
        parts = [_problem(condition, message) for condition, message in checks]
        return pl.coalesce(parts) if len(parts) > 1 else parts[0]

    def bad(self, value: pl.Expr | None = None) -> pl.Expr | None:
        """Whether any check fails (Boolean, never null), or None when nothing is checked."""
        checks = self.all_checks(value)
        if not checks:
            return None
        flags = [condition.fill_null(False) for condition, _ in checks]
        return pl.any_horizontal(flags) if len(flags) > 1 else flags[0]

    def then(self, *checks: Callable[[pl.Expr], Check]) -> Checked:
        """With more checks of the value."""
        return Checked(self.value, self.checks, self.order, (*self.of_value, *checks))


def _problem(condition: pl.Expr, message: str | pl.Expr) -> pl.Expr:
    text = pl.lit(message) if isinstance(message, str) else message
    return pl.when(condition).then(text).otherwise(pl.lit(None, dtype=pl.String))


def _is_text(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.String | pl.Categorical | pl.Enum)


def coerce(
    expr: pl.Expr,
    source: pl.DataType,
    kind: ScalarKind,
    spec: ScalarFieldSpec | None,
    target: pl.DataType,
) -> Checked:
    """`expr` (of dtype `source`) as the canonical column (of dtype `target`) of a field of
    `kind` declared by `spec` (None for the items of a list of plain values)."""
    if isinstance(source, pl.Null):
        return Checked(pl.lit(None, dtype=target))
    domain = field_domain(kind, spec)
    if kind in ("int", "year"):
        return _bounded(_whole(expr, source, kind), domain.lower, domain.upper)
    if kind in ("decimal", "money", "ratio"):
        checked = _decimal(expr, source, kind, domain.scale)
        return _bounded(checked, domain.lower, domain.upper)
    if kind == "bool":
        return _bool(expr, source)
    if kind == "date":
        return _date(expr, source)
    if not _is_text(source):
        return Checked(pl.lit(None, dtype=pl.String), ((expr.is_not_null(), "must be text"),))
    text = expr.cast(pl.String)
    if kind == "enum":
        assert spec is not None and spec.values is not None
        ok = text.is_in(pl.Series(spec.values, dtype=pl.String).implode())
        message = "must be one of " + ", ".join(spec.values)
        return Checked(text, ((text.is_not_null() & ~ok, message),))
    if kind == "credit_code":
        code = text.str.strip_chars().str.to_uppercase()
        ok = codes.credit_code_valid(code).fill_null(False)
        return Checked(code, ((code.is_not_null() & ~ok, CODE_PROBLEM),))
    if kind == "industry_code":
        found = codes.checked_industry_code(text)
        code, ok = found.struct.field("code"), found.struct.field("ok")
        return Checked(code, ((code.is_not_null() & ~ok, CODE_PROBLEM),))
    stripped = text.str.strip_chars()
    return Checked(stripped, ((stripped.str.len_bytes() == 0, "must not be empty"),))


def _bounded(checked: Checked, lower: Decimal | None, upper: Decimal | None) -> Checked:
    limits: list[tuple[Callable[[pl.Expr, pl.Expr], pl.Expr], pl.Expr, str]] = []
    if lower is not None:
        limits.append((operator.lt, _bound(lower), f"must be >= {lower}"))
    if upper is not None:
        limits.append((operator.gt, _bound(upper), f"must be <= {upper}"))
    order = checked.order
    if order is None:
        return checked.then(*(_limit(compare, bound, text) for compare, bound, text in limits))
    # the bounds read `order`, not the value: checks of the input, after those (a column with an
    # order has no checks of its value)
    assert not checked.of_value
    bounds = tuple((compare(order, bound), message) for compare, bound, message in limits)
    return Checked(checked.value, (*checked.checks, *bounds), order)


def _limit(
    compare: Callable[[pl.Expr, pl.Expr], pl.Expr], bound: pl.Expr, message: str
) -> Callable[[pl.Expr], Check]:
    return lambda value: (compare(value, bound), message)


def _bound(value: Decimal) -> pl.Expr:
    exponent = value.as_tuple().exponent
    scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if scale == 0:
        return pl.lit(int(value), dtype=pl.Int64) if abs(value) < 2**62 else pl.lit(value)
    return pl.lit(value, dtype=decimal(scale))


def _whole(expr: pl.Expr, source: pl.DataType, kind: ScalarKind) -> Checked:
    not_whole = "must be a whole number"
    if isinstance(source, pl.Int64):
        return Checked(expr)
    if isinstance(source, pl.Boolean):
        return Checked(pl.lit(None, dtype=pl.Int64), ((expr.is_not_null(), NOT_A_NUMBER),))
    if source.is_integer():
        value = expr.cast(pl.Int64, strict=False)
        return Checked(value, ((expr.is_not_null() & value.is_null(), "is out of range"),))
    if source.is_float():
        finite = expr.is_finite()
        whole = finite & (expr == expr.floor())
        value = pl.when(whole).then(expr).cast(pl.Int64, strict=False)
        return Checked(
            value,
            (
                (~finite, "must be a finite number"),
                (expr.is_not_null() & (~whole | value.is_null()), not_whole),
            ),
        )
    if isinstance(source, pl.Decimal):
        whole = expr == expr.cast(decimal(0), strict=False)
        value = pl.when(whole).then(expr).cast(pl.Int64, strict=False)
        return Checked(value, ((expr.is_not_null() & (~whole | value.is_null()), not_whole),))
    if _is_text(source):
        return _read_text(expr, lambda text: cells.read_whole(text, kind))
    return Checked(pl.lit(None, dtype=pl.Int64), ((expr.is_not_null(), not_whole),))


def _decimal(expr: pl.Expr, source: pl.DataType, kind: ScalarKind, scale: int) -> Checked:
    target = decimal(scale)
    places = f"must have at most {scale} decimal places"
    if source.is_integer():
        value = expr.cast(target, strict=False)
        if isinstance(source, _WORDS) and scale <= PRECISION - 20:  # 2**64 has 20 digits
            return Checked(value, order=expr)
        return Checked(value).then(_out_of_range(expr))
    if source.is_float():
        finite = expr.is_finite()
        exact = finite & (expr.round(scale) == expr)  # its shortest decimal fits the scale
        value = pl.when(exact).then(expr).cast(target, strict=False)
        checks = ((~finite, "must be a finite number"), (~exact, places))
        return Checked(value, checks).then(_out_of_range(expr))
    if isinstance(source, pl.Decimal):
        if source == target:
            return Checked(expr)
        return _exact(expr, source.scale or 0, scale, places)
    if _is_text(source):
        return _read_text(expr, lambda text: cells.read_decimal(text, kind, scale))
    return Checked(pl.lit(None, dtype=target), ((expr.is_not_null(), "must be a number"),))


def _read_text(expr: pl.Expr, read: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]) -> Checked:
    """Text cells read by `cells`: a cell is bad where it is given but has no value, so that
    the check reads the value (computed once, as a column, by `validate`) and the messages are
    worked out only where a check fails."""
    text = expr.cast(pl.String)
    value, problem = read(text)
    return Checked(value).then(lambda value: (text.is_not_null() & value.is_null(), problem))


def _out_of_range(expr: pl.Expr) -> Callable[[pl.Expr], Check]:
    """The check that a non-null input gave a value."""
    return lambda value: (expr.is_not_null() & value.is_null(), "is out of range")


def _exact(expr: pl.Expr, own: int, scale: int, places: str) -> Checked:
    """A decimal of scale `own` at `scale`, or a problem if that loses digits."""
    if own <= scale:
        return Checked(expr.cast(decimal(scale)))
    rounded = expr.cast(decimal(scale), strict=False)
    exact = rounded.cast(decimal(own)) == expr
    return Checked(pl.when(exact).then(rounded), ((expr.is_not_null() & ~exact, places),))


def _bool(expr: pl.Expr, source: pl.DataType) -> Checked:
    message = "must be true or false"
    if isinstance(source, pl.Boolean):
        return Checked(expr)
    if source.is_integer() or source.is_float():
        ok = (expr == 0) | (expr == 1)
        return Checked(expr == 1, ((expr.is_not_null() & ~ok, message),))
    if _is_text(source):
        return _read_text(expr, cells.read_bool)
    return Checked(pl.lit(None, dtype=pl.Boolean), ((expr.is_not_null(), message),))


def _date(expr: pl.Expr, source: pl.DataType) -> Checked:
    if isinstance(source, pl.Date):
        return Checked(expr)
    if isinstance(source, pl.Datetime):
        midnight = (expr.dt.hour() == 0) & (expr.dt.minute() == 0) & (expr.dt.second() == 0)
        midnight = midnight & (expr.dt.nanosecond() == 0)
        return Checked(
            expr.dt.date(),
            ((expr.is_not_null() & ~midnight, "must be a date without a time of day"),),
        )
    if _is_text(source):
        return _read_text(expr, cells.read_date)
    return Checked(pl.lit(None, dtype=pl.Date), ((expr.is_not_null(), "must be a date"),))
