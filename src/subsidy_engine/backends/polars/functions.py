"""The built-in functions of the rule language, for the vectorised compiler.

One implementation per entry of `lang.functions.FUNCTIONS`, each with the scalar backend's
semantics: strict in every argument (except `known`), and where the scalar backend gives an
`Unknown` for known arguments (an empty list's minimum, a date out of range, a negative number
of working days, a year the calendar lacks) the same names are reported missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import reduce
from typing import TYPE_CHECKING, Any

import polars as pl
from dateutil.relativedelta import relativedelta

from subsidy_engine.backends.polars import dates
from subsidy_engine.backends.polars.dtypes import cast_to, decimal, dtype_of, literal
from subsidy_engine.backends.polars.missing import Missing, union
from subsidy_engine.backends.polars.numeric import as_decimal, beyond, guarded, round_half_away
from subsidy_engine.backends.polars.partial import code_starts_with
from subsidy_engine.backends.polars.vec import Vec, strict
from subsidy_engine.lang import ast
from subsidy_engine.lang.bounds import Interval
from subsidy_engine.lang.numbers import INT_MAX, OVERFLOW, compare_bound, limit_at, sum_fits
from subsidy_engine.lang.partial import is_code_operand
from subsidy_engine.lang.types import BOOL, DATE, INT, Int, Type, is_text, scale_of

if TYPE_CHECKING:
    from subsidy_engine.backends.polars.compiler import VectorCompiler

Impl = Callable[["VectorCompiler", ast.Call], Vec]


def _ty(node: ast.Node) -> Type:
    assert node.ty is not None
    return node.ty


def _args(compiler: VectorCompiler, node: ast.Call) -> list[Vec]:
    return [compiler.compile(a) for a in node.args]


def _missing(args: list[Vec]) -> Missing:
    return union(*(a.missing for a in args))


def _extremum(which: str) -> Impl:
    def make(compiler: VectorCompiler, node: ast.Call) -> Vec:
        ty = _ty(node)
        args = _args(compiler, node)
        if len(args) > 1:
            bound = compare_bound([a.ty for a in args])
            outside = beyond(args, bound, compiler.intervals(node.args))
            values = [cast_to(guarded(a.value, outside), a.ty, ty) for a in args]
            horizontal = pl.min_horizontal if which == "min" else pl.max_horizontal
            vec = Vec(strict(horizontal(values), *args), _missing(args), ty)
            return compiler.out_of_domain(node, vec, outside)
        (items,) = args
        empty_bits = compiler.static_fact_bits(node.args[0])
        if items.is_const:
            if not items.const:
                return Vec(literal(None, ty), Missing.of(empty_bits), ty)
            pick = min if which == "min" else max
            value = pick(items.const)
            return Vec(literal(value, ty), Missing.none(), ty, value)
        column = items.value.list.min() if which == "min" else items.value.list.max()
        empty = (items.value.list.len() == 0).fill_null(False)
        found = Missing.of(empty_bits, empty)
        return Vec(column.cast(dtype_of(ty)), union(items.missing, found), ty)

    return make


def _abs(compiler: VectorCompiler, node: ast.Call) -> Vec:
    (x,) = _args(compiler, node)
    return Vec(x.value.abs(), x.missing, x.ty)


def _round(compiler: VectorCompiler, node: ast.Call) -> Vec:
    x = compiler.compile(node.args[0])
    places = node.args[1]
    assert isinstance(places, ast.Literal) and isinstance(places.value, int)
    ty = _ty(node)
    if isinstance(ty, Int):
        return x
    scale = scale_of(x.ty)
    value = round_half_away(as_decimal(x.value, x.ty), scale, max(places.value, 0))
    return Vec(value.cast(dtype_of(ty)), x.missing, ty)


def _list_fold(python: Callable[[list[Any]], Any], column: Callable[[pl.Expr], pl.Expr]) -> Impl:
    def make(compiler: VectorCompiler, node: ast.Call) -> Vec:
        (items,) = _args(compiler, node)
        ty = _ty(node)
        if items.is_const:
            value = python(list(items.const))
            return Vec(literal(value, ty), Missing.none(), ty, value)
        return Vec(column(items.value).cast(dtype_of(ty)), items.missing, ty)

    return make


def _sum(compiler: VectorCompiler, node: ast.Call) -> Vec:
    """`sum(list)`: unknown, for an overflow, where the total leaves its type's domain (an
    integer total is added in 128 bits, so that it cannot wrap), unless the bounds of the
    items prove it cannot."""
    (items,) = _args(compiler, node)
    ty = _ty(node)
    fits = sum_fits(ty)
    if items.is_const:
        value = _sum_of(list(items.const))
        if fits(value):
            return Vec(literal(value, ty), Missing.none(), ty, value)
        return Vec(literal(None, ty), Missing.of(compiler.fault_bits(OVERFLOW, node)), ty)
    size = compiler.bounds.of(node).magnitude
    if size is not None and fits(size):  # no partial total can leave the domain either
        return Vec(items.value.list.sum().cast(dtype_of(ty)), items.missing, ty)
    if isinstance(ty, Int):
        total = items.value.list.eval(pl.element().cast(pl.Int128)).list.sum()
        bound = pl.lit(INT_MAX, dtype=pl.Int128)
        outside = (total.abs() > bound).fill_null(False)
    else:
        total = items.value.list.sum()
        limit = pl.lit(limit_at(scale_of(ty)), dtype=decimal(0))
        outside = (total.abs() >= limit).fill_null(False)
    value = pl.when(~outside).then(total).cast(dtype_of(ty))
    return compiler.out_of_domain(node, Vec(value, items.missing, ty), outside)


def _unary(fn: Callable[[pl.Expr], pl.Expr]) -> Impl:
    def make(compiler: VectorCompiler, node: ast.Call) -> Vec:
        (x,) = _args(compiler, node)
        return Vec(fn(x.value), x.missing, _ty(node))

    return make


def _binary(fn: Callable[[pl.Expr, pl.Expr], pl.Expr]) -> Impl:
    def make(compiler: VectorCompiler, node: ast.Call) -> Vec:
        a, b = _args(compiler, node)
        return Vec(strict(fn(a.value, b.value), a, b), _missing([a, b]), _ty(node))

    return make


def _shift(
    fn: Callable[[pl.Expr, pl.Expr], tuple[pl.Expr, pl.Expr]], step: Callable[[int], relativedelta]
) -> Impl:
    """A date shift (`step` of a number, as the scalar backend shifts): unknown, for an
    overflow, where the result is no date (beyond year 9999), unless the bounds of the number
    prove it cannot be."""

    def make(compiler: VectorCompiler, node: ast.Call) -> Vec:
        d, n = _args(compiler, node)
        value, ok = fn(d.value, n.value)
        missing = union(d.missing, n.missing)
        if not _always_dated(d, compiler.bounds.of(node.args[1]), step):
            bits = compiler.fault_bits(OVERFLOW, node)
            out = Missing.of(bits, d.value.is_not_null() & n.value.is_not_null() & ~ok)
            missing = union(missing, out)
        return Vec(strict(value, d, n), missing, DATE)

    return make


def _always_dated(day: Vec, shift: Interval, step: Callable[[int], relativedelta]) -> bool:
    """Whether a constant date shifted by any number within `shift` is a date: a shift is
    monotonic in the number, so its two ends decide."""
    if not isinstance(day.const, date) or shift.lower is None or shift.upper is None:
        return False
    try:
        for end in (shift.lower, shift.upper):
            day.const + step(int(end))
    except (ValueError, OverflowError):
        return False
    return True


def _add_working_days(compiler: VectorCompiler, node: ast.Call) -> Vec:
    d, n = _args(compiler, node)
    calendar = compiler.calendar
    result, known = dates.add_working_days(d.value, n.value, calendar)
    both = d.value.is_not_null() & n.value.is_not_null()
    negative = both & (n.value < 0)
    unknown_year = both & (n.value >= 0) & ~known
    bit = compiler.leaves.static(f"{calendar.name}_working_day_calendar", fact=False)
    missing = union(
        d.missing,
        n.missing,
        Missing.of(compiler.static_fact_bits(node.args[1]), negative),
        Missing.of([bit], unknown_year),
    )
    value = pl.when(negative | unknown_year).then(None).otherwise(result)
    return Vec(strict(value, d, n), missing, DATE)


def _known(compiler: VectorCompiler, node: ast.Call) -> Vec:
    (x,) = _args(compiler, node)
    return Vec(x.value.is_not_null(), Missing.none(), BOOL)


def _starts_with(compiler: VectorCompiler, node: ast.Call) -> Vec:
    text, prefix = _args(compiler, node)
    if prefix.is_const and is_code_operand(node.args[0], compiler.code_fields):
        prefixes = [prefix.const] if isinstance(prefix.const, str) else list(prefix.const)
        return code_starts_with(text, prefixes)
    if is_text(prefix.ty):
        found = text.value.str.starts_with(prefix.value)
    elif prefix.is_const:
        tests = [text.value.str.starts_with(pl.lit(p, dtype=pl.String)) for p in prefix.const]
        found = (
            reduce(lambda a, b: a | b, tests)
            if tests
            else pl.when(text.value.is_not_null()).then(False)
        )
    else:
        escaped = prefix.value.list.eval(pl.element().str.escape_regex()).list.join("|")
        pattern = pl.concat_str(pl.lit("^(?:"), escaped, pl.lit(")"))
        found = (
            pl.when(prefix.value.list.len() == 0)
            .then(False)
            .otherwise(text.value.str.contains(pattern))
        )
    # a constant prefix: `found` is already null exactly where the text is
    value = found if prefix.is_const else strict(found, text, prefix)
    return Vec(value, _missing([text, prefix]), BOOL)


def _consecutive_years(compiler: VectorCompiler, node: ast.Call) -> Vec:
    years, start = _args(compiler, node)
    if years.is_const:
        present = set(years.const)
        runs = {y: _run(present, y) for y in present}
        count = start.value.replace_strict(
            list(runs), list(runs.values()), default=0, return_dtype=pl.Int64
        )
    else:
        offsets = years.value - start.value
        count = offsets.list.eval(
            pl.element()
            .filter(pl.element() >= 0)
            .unique()
            .sort()
            .pipe(lambda x: (x == pl.int_range(0, x.len())).sum())
        ).list.first()
    value = strict(count.cast(pl.Int64), years, start)
    return Vec(value, _missing([years, start]), INT)


def _run(present: set[int], start: int) -> int:
    count = 0
    while start + count in present:
        count += 1
    return count


def _date_literal(compiler: VectorCompiler, node: ast.Call) -> Vec:
    """`date('YYYY-MM-DD')` (the checker already folds it into a literal)."""
    (text,) = node.args
    assert isinstance(text, ast.Literal) and isinstance(text.value, str)
    day = date.fromisoformat(text.value)
    return Vec(pl.lit(day, dtype=pl.Date), Missing.none(), DATE, day)


def _sum_of(values: list[Any]) -> Any:
    return sum(values, start=0)


FUNCTIONS: dict[str, Impl] = {
    "min": _extremum("min"),
    "max": _extremum("max"),
    "abs": _abs,
    "round": _round,
    "sum": _sum,
    "len": _list_fold(len, lambda e: e.list.len()),
    "date": _date_literal,
    "year": _unary(lambda d: d.dt.year().cast(pl.Int64)),
    "years_between": _binary(dates.years_between),
    "months_between": _binary(dates.months_between),
    "days_between": _binary(dates.days_between),
    "add_years": _shift(
        lambda d, n: dates.add_months(d, n, per_unit=12), lambda n: relativedelta(years=n)
    ),
    "add_months": _shift(dates.add_months, lambda n: relativedelta(months=n)),
    "add_days": _shift(dates.add_days, lambda n: relativedelta(days=n)),
    "add_working_days": _add_working_days,
    "known": _known,
    "starts_with": _starts_with,
    "consecutive_years": _consecutive_years,
}
"""Every built-in, by name: a function of the compiler and the call node."""

__all__ = ["FUNCTIONS", "Impl"]
