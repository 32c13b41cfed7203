"""One reading of values: a text cell means for batch validation (a CSV registry) what the same
text means in a profile for `evaluate`'s validation: both accept it or both refuse it, and an
accepted cell gives the same value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError
from subsidy_engine.batch.frames import ROW
from subsidy_engine.batch.validate import validate
from subsidy_engine.rulebook.models import ScalarFieldSpec

ENGINE = Engine(Path(__file__).parent / "fixtures" / "bounds")
FIELDS = {
    name: spec
    for name, spec in ENGINE.rulebook.profile.spec.fields.items()
    if isinstance(spec, ScalarFieldSpec)
    and spec.type in ("int", "year", "money", "ratio", "decimal", "bool", "date")
}

_DIGITS = "0123456789"
_FULL_WIDTH = "０１２３４５６７８９"
_pieces = st.sampled_from(
    [*_DIGITS, *_FULL_WIDTH, ",", "_", ".", "e", "-", "+", " ", "万", "亿", "元", "%", "５"]
)
_number_like = st.lists(_pieces, min_size=1, max_size=14).map("".join)


@st.composite
def _grouped(draw: st.DrawFn) -> str:
    """A well-formed number, perhaps with grouping commas, a fraction, a unit."""
    whole = draw(st.integers(0, 10**10))
    text = f"{whole:,}" if draw(st.booleans()) else str(whole)
    if draw(st.booleans()):
        text += "." + draw(st.text(_DIGITS, min_size=1, max_size=7))
    sign = draw(st.sampled_from(["", "-", "+"]))
    suffix = draw(st.sampled_from(["", "万", "亿", "元", "万元", "%", " %"]))
    return f" {sign}{text}{suffix} " if draw(st.booleans()) else f"{sign}{text}{suffix}"


_words = st.sampled_from(
    [
        "yes",
        "no",
        "YES",
        " true ",
        "False",
        "t",
        "f",
        "on",
        "off",
        "1",
        "0",
        "2",
        "是",
        "y",
        "ｙｅｓ",
        "",
    ]
)
_dates = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    st.sampled_from(
        [
            "2019-02-30",
            "2019-5-1",
            "1554076800",
            "20190501",
            " 2019-05-01 ",
            "2019-05-01T00:00",
            "２０１９-０５-０１",
        ]
    ),
)
_cells = st.one_of(_number_like, _grouped(), _words, _dates)


def _evaluate_reads(name: str, cell: str) -> tuple[bool, Any]:
    try:
        model = ENGINE.validate({name: cell})
    except ProfileError:
        return False, None
    return True, getattr(model, name)


def _batch_reads(name: str, cell: str) -> tuple[bool, Any]:
    frame = pl.DataFrame({name: [cell]}, schema={name: pl.String}).with_row_index(ROW)
    kept, rejects = validate(frame.with_columns(pl.col(ROW).cast(pl.Int64)), ENGINE.rulebook)
    if rejects.height:
        return False, None
    return True, kept[name][0]


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a) == Decimal(b)
    return bool(a == b) and type(a) is type(b)


@pytest.mark.parametrize("name", sorted(FIELDS))
@settings(max_examples=120, deadline=None)
@given(cell=_cells)
@example(cell="1,5亿")
@example(cell="1,500万")
@example(cell="20%")
@example(cell="yes")
@example(cell="1_000")
@example(cell="2019.0")
@example(cell="６０００万")
@example(cell="３.0")
@example(cell="  true ")
@example(cell="1554076800")
def test_a_cell_reads_the_same_in_both(name: str, cell: str) -> None:
    evaluated = _evaluate_reads(name, cell)
    batched = _batch_reads(name, cell)
    assert evaluated[0] == batched[0], (name, cell, evaluated, batched)
    if evaluated[0]:
        assert _same_value(evaluated[1], batched[1]), (name, cell, evaluated, batched)
