"""The built-in functions: their signatures and result types.

Each backend implements every function listed here (a test holds them to it). All functions are
strict — an unknown argument makes the result unknown — except `known`, which asks exactly that;
each backend writes that strictness into its implementations, and the differential tests hold
the two to the same unknowns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from subsidy_engine.lang.types import (
    BOOL,
    DATE,
    INT,
    Date,
    Int,
    List,
    Str,
    Type,
    is_numeric,
    is_text,
    unify_numeric,
)

Checker = Callable[[list[Type]], "Type | str"]
"""Given the argument types, the result type, or a message saying what is wrong."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    signature: str
    check: Checker


def _takes(n: int) -> Callable[[Checker], Checker]:
    """`check`, run once the call has exactly `n` arguments."""

    def wrap(check: Checker) -> Checker:
        def checked(types: list[Type]) -> Type | str:
            if len(types) != n:
                return f"takes {n} argument(s), got {len(types)}"
            return check(types)

        return checked

    return wrap


def _one(kind: type[Type], result: Type, need: str) -> Checker:
    """One argument of type `kind`, giving `result`; `need` says what it should be."""

    @_takes(1)
    def check(types: list[Type]) -> Type | str:
        return result if isinstance(types[0], kind) else need

    return check


def _extremum(types: list[Type]) -> Type | str:
    if len(types) == 1:
        (only,) = types
        if isinstance(only, List) and (is_numeric(only.item) or isinstance(only.item, Date)):
            return only.item
        return "with one argument, it needs a list of numbers or dates"
    if len(types) < 2:
        return "needs a list, or two or more values"
    if all(is_numeric(t) for t in types):
        return unify_numeric(types)
    if all(isinstance(t, Date) for t in types):
        return DATE
    return "needs numbers only or dates only"


@_takes(1)
def _abs(types: list[Type]) -> Type | str:
    return types[0] if is_numeric(types[0]) else "needs a number"


@_takes(2)
def _round(types: list[Type]) -> Type | str:
    if not is_numeric(types[0]) or not isinstance(types[1], Int):
        return "needs a number and a whole number of decimal places"
    return types[0]  # the checker narrows the scale from the literal places


def _date_to(result: Type) -> Checker:
    @_takes(2)
    def check(types: list[Type]) -> Type | str:
        if not all(isinstance(t, Date) for t in types):
            return "needs two dates"
        return result

    return check


@_takes(2)
def _date_plus(types: list[Type]) -> Type | str:
    if not isinstance(types[0], Date) or not isinstance(types[1], Int):
        return "needs a date and a whole number"
    return DATE


@_takes(1)
def _known(types: list[Type]) -> Type | str:
    return BOOL


@_takes(1)
def _sum(types: list[Type]) -> Type | str:
    if isinstance(types[0], List) and is_numeric(types[0].item):
        return types[0].item
    return "needs a list of numbers"


@_takes(2)
def _starts_with(types: list[Type]) -> Type | str:
    text, prefix = types
    prefixes_ok = is_text(prefix) or (isinstance(prefix, List) and is_text(prefix.item))
    if not is_text(text) or not prefixes_ok:
        return "needs a text and a prefix (a text or a list of texts)"
    return BOOL


@_takes(2)
def _consecutive_years(types: list[Type]) -> Type | str:
    years, start = types
    if isinstance(years, List) and isinstance(years.item, Int) and isinstance(start, Int):
        return INT
    return "needs a list of years and a starting year"


_SPECS = [
    # min, max: the smallest / largest value
    FunctionSpec("min", "min(a, b, ...) | min(list)", _extremum),
    FunctionSpec("max", "max(a, b, ...) | max(list)", _extremum),
    FunctionSpec("abs", "abs(x)", _abs),
    # rounded half away from zero to `places` decimals
    FunctionSpec("round", "round(x, places)", _round),
    # the total of a list of numbers (0 when empty)
    FunctionSpec("sum", "sum(list)", _sum),
    FunctionSpec("len", "len(list)", _one(List, INT, "needs a list")),
    FunctionSpec("date", "date('YYYY-MM-DD')", _one(Str, DATE, "needs a text 'YYYY-MM-DD'")),
    FunctionSpec("year", "year(d)", _one(Date, INT, "needs a date")),
    # whole years / whole months / days from a to b
    FunctionSpec("years_between", "years_between(a, b)", _date_to(INT)),
    FunctionSpec("months_between", "months_between(a, b)", _date_to(INT)),
    FunctionSpec("days_between", "days_between(a, b)", _date_to(INT)),
    # d plus n calendar years / months / days
    FunctionSpec("add_years", "add_years(d, n)", _date_plus),
    FunctionSpec("add_months", "add_months(d, n)", _date_plus),
    FunctionSpec("add_days", "add_days(d, n)", _date_plus),
    # the n-th working day after d in the rulebook's calendar (unknown for a year it lacks)
    FunctionSpec("add_working_days", "add_working_days(d, n)", _date_plus),
    # true when x is known, false when it is missing: the one function that is not strict
    FunctionSpec("known", "known(x)", _known),
    # whether text starts with the prefix (or any of the prefixes)
    FunctionSpec("starts_with", "starts_with(text, prefix | prefixes)", _starts_with),
    # how many consecutive years from `start` on are all in `years` (0 if start is not)
    FunctionSpec("consecutive_years", "consecutive_years(years, start)", _consecutive_years),
]

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in _SPECS}
