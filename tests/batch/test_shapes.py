"""The column-wise reading of text cells (`batch.shapes`, through `batch.cells`) gives every cell
the value or the problem the per-cell parser (`values.read_value`, `cells.read_one`) gives it.

Hypothesis draws whole columns of cells — plain numbers, grouping commas, underscores, 万/亿/元/%,
full-width digits, exponents, numbers past 28 or 38 digits, true/false words in any case, dates
(ISO, the formats a mapping names, days that do not exist), blanks and white space — so that
cells the fast path decides and cells it leaves sit side by side in one column, as in a CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from subsidy_engine.batch import cells, shapes

_DIGITS = "0123456789"
_FULL_WIDTH = "０１２３４５６７８９"
_SPACE = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\xa0"])


@st.composite
def _numbers(draw: st.DrawFn) -> str:
    """A number as a registry writes it: grouped or not, a fraction, a sign, a unit."""
    whole = draw(st.one_of(st.integers(0, 10**6), st.integers(0, 10**40)))
    text = f"{whole:,}" if draw(st.booleans()) else str(whole)
    if draw(st.booleans()):
        text = text.replace(",", "_") if draw(st.booleans()) else text
    if draw(st.booleans()):
        text += "." + draw(st.text(_DIGITS, min_size=1, max_size=12))
    if draw(st.booleans()):
        text = text.translate(str.maketrans(_DIGITS, _FULL_WIDTH))
    sign = draw(st.sampled_from(["", "-", "+", "－"]))
    unit = draw(st.sampled_from(["", "万", "亿", "元", "万元", "亿元", "%", " %", " 万", "％"]))
    exponent = draw(st.sampled_from(["", "", "", "e3", "E-2"]))
    return f"{draw(_SPACE)}{sign}{text}{exponent}{unit}{draw(_SPACE)}"


_scraps = st.lists(
    st.sampled_from([*_DIGITS, *_FULL_WIDTH, ",", "_", ".", "e", "-", "+", " ", "万", "亿", "元"]),
    min_size=1,
    max_size=16,
).map("".join)
_words = st.sampled_from(
    ["yes", "no", "YES", "True", " false ", "t", "F", "on", "Off", "1", "0", "2", "是", "ｙｅｓ"]
)
_dates = st.one_of(
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(
        lambda day: day.strftime(
            ["%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", " %Y-%m-%d ", "%Y-%m-%dT00:00"][day.day % 5]
        )
    ),
    st.sampled_from(["2019-02-30", "0000-01-01", "2019-5-1", "２０１９-０５-０１", "2019-13-01"]),
)
_blanks = st.sampled_from(["", " ", "\t", "\u3000"])
_cells = st.lists(st.one_of(_numbers(), _scraps, _words, _dates, _blanks), max_size=12)

_KINDS = [("int", 0), ("year", 0), ("money", 2), ("decimal", 2), ("ratio", 4), ("decimal", 0)]


def _column(values: list[str | None], read: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]) -> Any:
    frame = pl.DataFrame({"cell": values}, schema={"cell": pl.String})
    value, problem = read(pl.col("cell"))
    return frame.select(value.alias("value"), problem.alias("problem")).rows()


def _same(found: Any, expected: Any) -> bool:
    if isinstance(expected, Decimal):
        return isinstance(found, Decimal) and found == expected
    return bool(found == expected) and type(found) is type(expected)


def _agree(values: list[str | None], read: Callable[[pl.Expr], Any], kind: str, scale: int) -> None:
    for cell, (value, problem) in zip(values, _column(values, read), strict=True):
        if cell is None:
            assert (value, problem) == (None, None)
            continue
        expected_value, expected_problem = cells.read_one(cell, kind, scale)
        assert problem == expected_problem, (kind, cell, value, problem)
        assert _same(value, expected_value), (kind, cell, value, expected_value)


@pytest.mark.parametrize(("kind", "scale"), _KINDS)
@settings(max_examples=150, deadline=None)
@given(values=_cells)
@example(values=["1,500万", "12.500", "２０１９.0", "20%", "1_000", "5,000元", None, "-0"])
@example(values=["1" * 29 + "万", "9" * 37, "1" * 19, "-9223372036854775808", "1e3"])
def test_numbers_read_column_wise_as_cell_by_cell(
    kind: str, scale: int, values: list[str | None]
) -> None:
    if kind in ("int", "year"):
        _agree(values, lambda text: cells.read_whole(text, kind), kind, scale)
    else:
        _agree(values, lambda text: cells.read_decimal(text, kind, scale), kind, scale)


@settings(max_examples=150, deadline=None)
@given(values=_cells)
@example(values=["Yes", " no ", "ｙｅｓ", "", "2", None])
def test_true_false_read_column_wise_as_cell_by_cell(values: list[str | None]) -> None:
    _agree(values, cells.read_bool, "bool", 0)


@settings(max_examples=150, deadline=None)
@given(values=_cells)
@example(values=["2019-05-01", "2019-02-30", "0000-01-01", "2019/03/15", "20190315", None])
def test_dates_read_column_wise_as_cell_by_cell(values: list[str | None]) -> None:
    _agree(values, cells.read_date, "date", 0)


@pytest.mark.parametrize(("kind", "scale"), _KINDS)
@settings(max_examples=150, deadline=None)
@given(values=_cells)
def test_a_value_the_fast_path_gives_is_the_one_read_value_gives(
    kind: str, scale: int, values: list[str | None]
) -> None:
    """The fast path alone (the plain cast, then the wider shapes), not hidden by the fallback."""
    series = pl.Series("cell", values, dtype=pl.String)
    plain = shapes.whole if kind in ("int", "year") else lambda t: shapes.number(t, scale)
    cast = series.to_frame().select(plain(pl.col("cell"))).to_series()
    wide = shapes.wide(series, kind, scale)
    for cell, first, second in zip(values, cast, wide, strict=True):
        for found in (first, second):
            if found is not None:
                assert cell is not None
                expected, problem = cells.read_one(cell, kind, scale)
                assert problem is None and Decimal(found) == Decimal(expected), (cell, found)


@pytest.mark.parametrize(
    ("cell", "kind", "scale", "value"),
    [
        ("1,500万", "money", 2, Decimal(15_000_000)),
        ("1.2亿元", "money", 2, Decimal(120_000_000)),
        ("２０１９.0", "year", 0, 2019),
        ("12.5%", "ratio", 4, Decimal("0.125")),
        ("1_000", "int", 0, 1000),
        ("12.500", "money", 2, Decimal("12.5")),
    ],
)
def test_the_wider_shapes_are_decided_without_read_value(
    cell: str, kind: str, scale: int, value: Any
) -> None:
    found = shapes.wide(pl.Series([cell], dtype=pl.String), kind, scale)
    assert found.to_list() == [value]


@pytest.mark.parametrize(
    ("cell", "kind", "scale"),
    [
        ("1e3", "money", 2),  # an exponent
        ("20%", "money", 2),  # a unit the kind does not take
        ("5万", "year", 0),
        ("5元", "decimal", 2),
        ("1.234", "money", 2),  # places past the scale
        ("1" * 37, "money", 2),  # past the column's digits
        ("1" * 29 + "万", "money", 2),  # past the digits read_value multiplies exactly
        ("1,50,000", "money", 2),  # commas not in threes
        ("9223372036854775808", "int", 0),  # past Int64
    ],
)
def test_the_shapes_leave_what_they_cannot_decide(cell: str, kind: str, scale: int) -> None:
    found = shapes.wide(pl.Series([cell], dtype=pl.String), kind, scale)
    assert found.to_list() == [None]
