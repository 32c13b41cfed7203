"""Calendar arithmetic on Date columns, with the scalar backend's `dateutil` semantics.

* `add_months` is `d + relativedelta(months=n)`: the day is clamped to the end of the target
  month (2020-02-29 plus one year is 2021-02-28); `add_years` is the same with 12n months.
* `months_between(a, b)` is `relativedelta(b, a)` in whole months (towards zero), and
  `years_between` that divided by 12 towards zero.
* `add_working_days` counts days of a `WorkingDayCalendar` strictly after the start.

Each shift also returns where its result is out of the dates Python can hold (years 1-9999),
which the scalar backend reports as unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from subsidy_engine.backends.polars.vec import let
from subsidy_engine.workdays import WorkingDayCalendar

_EPOCH = date(1970, 1, 1)
_FIRST = (date(1, 1, 1) - _EPOCH).days
_LAST = (date(9999, 12, 31) - _EPOCH).days
_MAX_DAYS = 4_000_000
_MAX_MONTHS = 130_000


def add_days(day: pl.Expr, n: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(day + n days, whether that is a valid date) — the flag is null where an input is."""

    def total(v: dict[str, pl.Expr]) -> pl.Expr:
        small = v["n"].abs() <= _MAX_DAYS
        days = v["d"].cast(pl.Int64) + pl.when(small).then(v["n"]).otherwise(0)
        return pl.when(small).then(days)

    def result(v: dict[str, pl.Expr]) -> pl.Expr:
        return pl.when(_in_range(v["t"])).then(v["t"]).cast(pl.Date)

    days = let({"d": day, "n": n}, total)
    return let({"t": days}, result), let({"t": days}, lambda v: _in_range(v["t"]).fill_null(False))


def _in_range(days: pl.Expr) -> pl.Expr:
    return (days >= _FIRST) & (days <= _LAST)


def _month_index(day: pl.Expr, n: pl.Expr, per_unit: int) -> pl.Expr:
    """year * 12 + month - 1 of the shifted date (null when the shift is absurdly large)."""
    small = n.abs() <= _MAX_MONTHS // per_unit
    months = pl.when(small).then(n) * per_unit
    return day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1 + months


def _valid_index(index: pl.Expr) -> pl.Expr:
    return (index >= 12) & (index < 12 * 10_000)


def add_months(day: pl.Expr, n: pl.Expr, *, per_unit: int = 1) -> tuple[pl.Expr, pl.Expr]:
    """(day + n * per_unit months, clamped to the month's end; whether that is a valid date)."""

    def shifted(v: dict[str, pl.Expr]) -> pl.Expr:
        index, d = v["i"], v["d"]
        ok = _valid_index(index)
        year = pl.when(ok).then(index // 12).otherwise(2000)
        month = index % 12 + 1
        last = pl.date(year, month, 1).dt.month_end().dt.day().cast(pl.Int64)
        clamped = pl.min_horizontal(d.dt.day().cast(pl.Int64), last)
        return pl.when(ok).then(pl.date(year, month, clamped))

    def both(v: dict[str, pl.Expr]) -> pl.Expr:
        return let({"i": _month_index(v["d"], v["n"], per_unit), "d": v["d"]}, shifted)

    value = let({"d": day, "n": n}, both)
    ok = let(
        {"d": day, "n": n},
        lambda v: _valid_index(_month_index(v["d"], v["n"], per_unit)).fill_null(False),
    )
    return value, ok


def months_between(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Whole months from a to b (negative when b is before a), as `relativedelta(b, a)`."""

    def adjust(v: dict[str, pl.Expr]) -> pl.Expr:
        a, b, guess = v["a"], v["b"], v["g"]
        landed, _ = add_months(a, guess)
        forward = b >= a
        return (
            pl.when(forward & (landed > b))
            .then(guess - 1)
            .when(~forward & (landed < b))
            .then(guess + 1)
            .otherwise(guess)
        )

    def body(v: dict[str, pl.Expr]) -> pl.Expr:
        a, b = v["a"], v["b"]
        years = b.dt.year().cast(pl.Int64) - a.dt.year().cast(pl.Int64)
        guess = years * 12 + (b.dt.month().cast(pl.Int64) - a.dt.month().cast(pl.Int64))
        return let({"a": a, "b": b, "g": guess}, adjust)

    return let({"a": a, "b": b}, body)


def years_between(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    def whole(v: dict[str, pl.Expr]) -> pl.Expr:
        m = v["m"]
        return pl.when(m >= 0).then(m // 12).otherwise(-((-m) // 12))

    return let({"m": months_between(a, b)}, whole)


def days_between(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return (b.cast(pl.Int64) - a.cast(pl.Int64)).cast(pl.Int64)


def add_working_days(
    day: pl.Expr, n: pl.Expr, calendar: WorkingDayCalendar
) -> tuple[pl.Expr, pl.Expr]:
    """(the n-th working day after `day`, or `day` when n == 0; whether the calendar knows it).

    The flag is false where the start's year is not in the calendar or counting runs past its
    last year — the cases `WorkingDayCalendar.add_working_days` answers None. n must be >= 0.
    """
    days = pl.Series("working_days", calendar.working_days(), dtype=pl.Date)
    if days.len() == 0:
        return pl.lit(None, dtype=pl.Date), pl.lit(False)
    years = sorted(calendar.known_years)

    def known(v: dict[str, pl.Expr]) -> pl.Expr:
        return v["d"].dt.year().is_in(years) & ((v["n"] == 0) | _in_calendar(v["i"], days))

    def found(v: dict[str, pl.Expr]) -> pl.Expr:
        day = pl.lit(days).gather(v["i"].clip(0, days.len() - 1))
        return pl.when(~known(v)).then(None).when(v["n"] == 0).then(v["d"]).otherwise(day)

    def index(v: dict[str, pl.Expr]) -> pl.Expr:
        steps = pl.min_horizontal(v["n"], pl.lit(days.len() + 1, dtype=pl.Int64))
        start = pl.lit(days).search_sorted(v["d"], side="right").cast(pl.Int64)
        return start + steps - 1

    def with_index(body: Callable[[dict[str, pl.Expr]], pl.Expr]) -> pl.Expr:
        return let(
            {"d": day, "n": n},
            lambda v: let({"d": v["d"], "n": v["n"], "i": index(v)}, body),
        )

    return with_index(found), with_index(known)


def _in_calendar(index: pl.Expr, days: pl.Series) -> pl.Expr:
    return (index >= 0) & (index < days.len())
