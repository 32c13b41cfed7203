"""Bounds on numeric expressions: a field's declared domain, constants, and interval arithmetic
through every operator and function that computes a number."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.bounds import UNBOUNDED, Bounds, Interval, arith_interval, field_bounds
from subsidy_engine.lang.checker import Scope, check
from subsidy_engine.lang.parser import parse
from subsidy_engine.lang.types import DIVISION_SCALE
from subsidy_engine.limits import MAX_LIST_ITEMS
from subsidy_engine.rulebook.models import ProfileSpec

PROFILE = ProfileSpec.model_validate(
    {
        "fields": {
            "staff": {"type": "int", "min": 0, "max": 500},
            "count": {"type": "int"},
            "sales": {"type": "money"},
            "loss": {"type": "money", "min": -1000, "max": 0},
            "share": {"type": "ratio"},
            "rate": {"type": "decimal", "scale": 2, "min": "-0.5", "max": "1.5"},
            "founded": {"type": "year"},
            "name": {"type": "text"},
            "years": {"type": "list", "item": "year"},
            "projects": {
                "type": "list",
                "fields": {"area": {"type": "decimal", "scale": 1, "min": 1, "max": 90}},
            },
        }
    }
)
PROJECT = t.Record("projects", (("area", t.Dec(1)),))
SCOPE = Scope(
    fields={
        "staff": t.INT,
        "count": t.INT,
        "sales": t.Dec(2),
        "loss": t.Dec(2),
        "share": t.Dec(6),
        "rate": t.Dec(2),
        "founded": t.INT,
        "name": t.STR,
        "years": t.List(t.INT),
        "projects": t.List(PROJECT),
    },
    derived={"headcount": t.INT},
    params={
        "award": t.Dec(0),
        "unset": t.Dec(0),
        "price": t.Table(t.INT, t.Dec(0)),
        "steps": t.List(t.INT),
    },
    items={"project": ("projects", PROJECT)},
)
PARAMS: dict[str, Any] = {
    "award": Decimal(200000),
    "unset": None,
    "price": {1: Decimal(50), 2: Decimal(-20), 3: Decimal(80)},
    "steps": [3, -1, 7],
}


def _typed(text: str) -> ast.Node:
    return check(parse(text), SCOPE)


def _bounds() -> Bounds:
    derived = {"headcount": _typed("staff + 1 if staff > 0 else 0")}
    return Bounds(field_bounds(PROFILE), PARAMS, derived)


def _interval(text: str) -> Interval:
    return _bounds().of(_typed(text))


def _between(lower: int | str | None, upper: int | str | None) -> Interval:
    return Interval(
        None if lower is None else Decimal(lower), None if upper is None else Decimal(upper)
    )


def test_a_field_holds_its_declared_bounds_or_its_kinds() -> None:
    fields = field_bounds(PROFILE)
    assert fields["staff"] == _between(0, 500)
    assert fields["loss"] == _between(-1000, 0)
    assert fields["sales"] == _between(0, 10**15)  # money, undeclared
    assert fields["share"] == _between(0, 1)
    assert fields["founded"] == _between(1900, 2200)
    assert fields["count"] == _between(-(10**18), 10**18)  # no bound but validation's own
    assert fields["years"] == _between(1900, 2200)  # a list of numbers: its items
    assert fields["projects[*].area"] == _between(1, 90)
    assert "name" not in fields


def test_an_expression_the_analysis_does_not_know_is_unbounded() -> None:
    bounds = Bounds({}, {}, {})
    assert bounds.of(_typed("staff * 2")) == UNBOUNDED
    assert bounds.of(_typed("headcount")) == UNBOUNDED
    assert bounds.of(_typed("award")) == UNBOUNDED  # no value given for the parameter
    assert bounds.of(_typed("staff * 0")) == UNBOUNDED  # one side unbounded: the product too
    assert UNBOUNDED.magnitude is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", _between(7, 7)),
        ("-loss", _between(0, 1000)),
        ("staff + loss", _between(-1000, 500)),
        ("staff - loss", _between(0, 1500)),
        ("loss - staff", _between(-1500, 0)),
        ("staff * loss", _between(-500000, 0)),
        ("loss * loss", _between(0, 1000000)),
        ("rate * loss", _between(-1500, 500)),
        ("staff * award", _between(0, 100000000)),
        ("staff * unset", _between(0, 0)),  # never a value: any bound holds
        ("price[staff] * 2", _between(-40, 160)),
        ("staff if founded > 2000 else loss", _between(-1000, 500)),
        ("headcount * 2", _between(0, 1002)),
        ("project.area * staff", _between(0, 45000)),
        ("min(staff, loss)", _between(-1000, 0)),
        ("max(staff, loss)", _between(0, 500)),
        ("min(staff, count)", _between(-(10**18), 500)),
        ("max(staff, count)", _between(0, 10**18)),
        ("min(years)", _between(1900, 2200)),
        ("abs(rate)", _between(0, "1.5")),
        ("abs(loss - 5)", _between(5, 1005)),
        ("round(rate * share, 1)", _between("-0.55", "1.55")),
        ("sum(years)", _between(0, 2200 * MAX_LIST_ITEMS)),
        ("sum(steps)", _between(9, 9)),
        ("len(years)", _between(0, MAX_LIST_ITEMS)),
        ("year(as_of)", _between(1, 9999)),
    ],
)
def test_intervals_follow_each_operator_and_function(text: str, expected: Interval) -> None:
    assert _interval(text) == expected


def test_a_quotient_is_bounded_by_the_smallest_divisor_other_than_zero() -> None:
    ulp = Decimal(1).scaleb(-DIVISION_SCALE)
    # a divisor that may be zero is no smaller than one unit of its last place when it is not
    assert _interval("loss / staff") == _between(-1000 - ulp, 1000 + ulp)
    assert _interval("loss / rate") == _between(-100000 - ulp, 100000 + ulp)
    assert _interval("loss / project.area") == _between(-1000 - ulp, 1000 + ulp)
    quarter = Decimal(10**15) / 4
    assert _interval("sales / 4") == Interval(-quarter - ulp, quarter + ulp)
    assert _interval("sales / count").magnitude == 10**15 + ulp


def test_ends_far_beyond_any_domain_are_dropped() -> None:
    # 10^18 ^ 6 = 10^108: past the cap, the product is no longer bounded
    power = " * ".join(["count"] * 6)
    assert _interval(" * ".join(["count"] * 5)).magnitude == Decimal(10) ** 90
    assert _interval(power) == UNBOUNDED


def test_ends_of_more_than_28_digits_stay_exact() -> None:
    # Python's default context would round these to 28 digits, possibly inwards
    end = Decimal("-123456789012345678.901234567891")
    bounds = Bounds({"sales": Interval(end, Decimal(0))}, {}, {})
    assert bounds.of(_typed("-sales")) == Interval(Decimal(0), end.copy_negate())
    assert bounds.of(_typed("sales * 3")).lower == Decimal("-370370367037037036.703703703673")
    assert bounds.of(_typed("abs(sales)")).magnitude == end.copy_negate()


_ENDS = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False)


@st.composite
def _interval_and_value(draw: st.DrawFn) -> tuple[Interval, Decimal]:
    a, b = sorted((draw(_ENDS), draw(_ENDS)))
    value = draw(st.decimals(min_value=a, max_value=b, places=2, allow_nan=False))
    return Interval(a, b), value


_EXACT = Context(prec=100, rounding=ROUND_HALF_UP)


@given(st.sampled_from(["+", "-", "*", "/"]), _interval_and_value(), _interval_and_value())
def test_every_result_of_values_within_the_operands_lies_within_the_result(
    op: str, left: tuple[Interval, Decimal], right: tuple[Interval, Decimal]
) -> None:
    (a_range, a), (b_range, b) = left, right
    assume(op != "/" or b != 0)  # a division by zero has no value
    result = {
        "+": lambda: _EXACT.add(a, b),
        "-": lambda: _EXACT.subtract(a, b),
        "*": lambda: _EXACT.multiply(a, b),
        "/": lambda: _EXACT.divide(a, b).quantize(
            Decimal(1).scaleb(-DIVISION_SCALE), context=_EXACT
        ),
    }[op]()
    bound = arith_interval(op, a_range, b_range, 2)
    assert bound.lower is not None and bound.upper is not None
    assert bound.lower <= result <= bound.upper
