"""The scalar backend: three-valued logic, exact numbers, missing facts, functions."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsidy_engine.backends.python.compiler import Frame, ScalarCompiler, Unknown
from subsidy_engine.lang import types as t
from subsidy_engine.lang.checker import Scope, check
from subsidy_engine.lang.parser import parse
from subsidy_engine.workdays import WorkingDayCalendar

PROJECT = t.Record("projects", (("grade", t.INT), ("area", t.Dec(2))))
SCOPE = Scope(
    fields={
        "a": t.BOOL,
        "b": t.BOOL,
        "c": t.BOOL,
        "sales": t.Dec(2),
        "staff": t.INT,
        "share": t.Dec(4),
        "applied": t.DATE,
        "years": t.List(t.INT),
    },
    params={"price": t.Table(t.INT, t.Dec(0)), "unset": t.Dec(2)},
    items={"project": ("projects", PROJECT)},
)
COMPILER = ScalarCompiler({}, WorkingDayCalendar.bundled())
PARAMS = {
    "price": {1: Decimal(840), 2: Decimal(720)},
    "unset": Unknown(params=frozenset({"unset"})),
}


def run(text: str, item: dict[str, Any] | None = None, **facts: Any) -> Any:
    fn = COMPILER.compile(check(parse(text), SCOPE))
    frame = Frame(facts, PARAMS, date(2019, 6, 1))
    if item is not None:
        frame = frame.for_item(item, "projects[4]")
    return fn(frame)


def missing(*facts: str, params: tuple[str, ...] = ()) -> Unknown:
    return Unknown(frozenset(facts), frozenset(params))


TRUTH = {True: {"a": True}, False: {"a": False}, None: {}}
TRUTH_B = {True: {"b": True}, False: {"b": False}, None: {}}


@pytest.mark.parametrize("left", [True, False, None])
@pytest.mark.parametrize("right", [True, False, None])
def test_kleene_and_or(left: bool | None, right: bool | None) -> None:
    facts = {**TRUTH[left], **TRUTH_B[right]}
    expected_and = False if False in (left, right) else None if None in (left, right) else True
    expected_or = True if True in (left, right) else None if None in (left, right) else False
    for text, expected in (("a and b", expected_and), ("a or b", expected_or)):
        result = run(text, **facts)
        if expected is None:
            names = {n for n, v in (("a", left), ("b", right)) if v is None}
            assert result == missing(*names), text
        else:
            assert result is expected, text


@pytest.mark.parametrize("value", [True, False, None])
def test_not(value: bool | None) -> None:
    result = run("not a", **TRUTH[value])
    assert result == (missing("a") if value is None else (not value))


@pytest.mark.parametrize(
    ("sales", "expected"),
    [("49999999.99", False), ("50000000", True), ("50000000.01", True)],
)
def test_inclusive_bound_at_just_below_and_just_above(sales: str, expected: bool) -> None:
    assert run("sales >= 5000万", sales=Decimal(sales)) is expected


@pytest.mark.parametrize(
    ("share", "expected"), [("0.1999", False), ("0.2", True), ("0.2001", True)]
)
def test_percent_bound(share: str, expected: bool) -> None:
    assert run("share >= 20%", share=Decimal(share)) is expected


@pytest.mark.parametrize(
    ("staff", "expected"), [(0, False), (1, True), (2, True), (3, False), (None, None)]
)
def test_chained_comparison(staff: int | None, expected: bool | None) -> None:
    result = run("1 <= staff < 3", staff=staff)
    assert result == (missing("staff") if expected is None else expected)


def test_false_decides_regardless_of_unknowns() -> None:
    assert run("staff > 5 and sales > 1", staff=1) is False
    assert run("staff > 5 or sales > 1", staff=9) is True


def test_unknown_names_only_the_undecided_operands() -> None:
    assert run("(staff > 5 or a) and sales > 1", staff=9) == missing("sales")
    assert run("staff + sales > 1") == missing("staff", "sales")


def test_arithmetic_is_exact() -> None:
    assert run("sales * 0.7", sales=Decimal("2.25")) == Decimal("1.575")
    assert run("sales / 3", sales=Decimal("10.01")) == Decimal("3.336666666667")
    assert run("round(sales * 0.7, 2)", sales=Decimal("2.25")) == Decimal("1.58")
    assert run("round(sales * -1, 0)", sales=Decimal("2.5")) == Decimal("-3")


def test_division_by_zero_is_unknown_for_that_fault_naming_no_fact() -> None:
    by_zero = Unknown(faults=frozenset({"division_by_zero: sales / staff"}))
    assert run("sales / staff > 1", sales=Decimal(1), staff=0) == by_zero
    assert run("sales / staff > 1", sales=Decimal(1), staff=-1) is False
    assert run("sales / staff > 1", staff=0) == missing("sales")
    assert run("sales / (staff - 3) > 1 or staff > 2", sales=Decimal(1), staff=3) is True


def test_parameters() -> None:
    item = {"grade": 2, "area": Decimal("100.5")}
    assert run("price[project.grade] * 0.7 * project.area", item=item) == Decimal("50652.000")
    assert run("price[project.grade] > 0", item={"grade": 9}) == missing(params=("price[9]",))
    assert run("price[project.grade] > 0", item={}) == missing("projects[4].grade")
    assert run("sales >= unset", sales=Decimal(1)) == missing(params=("unset",))


def test_known_is_never_unknown() -> None:
    assert run("known(staff)") is False
    assert run("known(staff)", staff=0) is True


def test_working_days() -> None:
    assert run("add_working_days(applied, 3)", applied=date(2019, 9, 30)) == date(2019, 10, 10)
    unknown_year = run("add_working_days(applied, 3)", applied=date(2031, 1, 2))
    assert unknown_year == missing(params=("cn_working_day_calendar",))


def test_dates() -> None:
    assert run("years_between(applied, as_of)", applied=date(2016, 6, 2)) == 2
    assert run("months_between(applied, as_of)", applied=date(2019, 1, 1)) == 5
    assert run("add_years(applied, 1)", applied=date(2016, 2, 29)) == date(2017, 2, 28)
    assert run("year(applied) >= 2018", applied=date(2018, 1, 1)) is True


def test_lists() -> None:
    assert run("consecutive_years(years, min(years))", years=[2018, 2019, 2021]) == 2
    assert run("consecutive_years(years, 2020)", years=[2018, 2019]) == 0
    assert run("min(years)", years=[]) == missing("years")
    assert run("len(years) > 0 and min(years) >= 2018", years=[]) is False
    assert run("2019 in years", years=[2019]) is True


@given(
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.booleans()),
)
def test_de_morgan_holds_in_three_valued_logic(
    a: bool | None, b: bool | None, c: bool | None
) -> None:
    facts = {k: v for k, v in (("a", a), ("b", b), ("c", c)) if v is not None}
    left = run("not (a and (b or c))", **facts)
    right = run("not a or (not b and not c)", **facts)
    assert left == right
