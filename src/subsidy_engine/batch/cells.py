"""Text cells read as the profile model reads them: by `values.read_value`.

A column of text (every column of a CSV file) is read in three steps, each on the cells the one
before left: cells in the plain form a cast reads exactly (`1234`, `-12.50`, `yes`,
`2019-05-01`) are cast, column-wise (`shapes`); number cells in a wider shape (`1,500万`,
`２０１９.0`, `20%`) are read by Polars string operations, once per distinct cell
(`shapes.wide`); every other cell (a typo, `1e3`, a value out of range) goes through
`read_value` itself, once per distinct cell, so that its value or its problem is the one
`evaluate` gives. The value of a column is one Python call per batch: `validate` computes it
once, and finds a bad cell as text given but no value; the messages are another call, made on
the rejected rows alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from subsidy_engine.backends.polars.dtypes import PRECISION, decimal
from subsidy_engine.batch import shapes
from subsidy_engine.values import NUMBER_KINDS, WHOLE_KINDS, read_value

_INT64 = 2**63
_RAW = "raw"


@dataclass(frozen=True, slots=True)
class _Reader:
    """How to read the text cells of one kind of field."""

    kind: str
    dtype: pl.DataType
    plain: Callable[[pl.Expr], pl.Expr]
    """The values of the cells in the plain form (`shapes`), null elsewhere."""
    convert: Callable[[Any], Any]
    """`read_value`'s answer checked against the column's type (range, decimal places)."""
    wide: Callable[[pl.Series], pl.Series] | None = None

    def read(self, text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """(value, problem) of the text cells `text`; the value is null where the problem is
        not, and the problem null where the value is not."""
        value = text.map_batches(self.values, return_dtype=self.dtype, is_elementwise=True)
        problem = text.map_batches(self.problems, return_dtype=pl.String, is_elementwise=True)
        return value, problem

    def values(self, cells: pl.Series) -> pl.Series:
        value = cells.to_frame(_RAW).select(self.plain(pl.col(_RAW))).to_series()
        undecided = cells.is_not_null() & value.is_null()
        if not undecided.any():
            return value.alias(cells.name)
        where = undecided.arg_true()
        found = self._distinct(cells.gather(where))
        return value.scatter(where, found["value"]).alias(cells.name)

    def problems(self, cells: pl.Series) -> pl.Series:
        value = cells.to_frame(_RAW).select(self.plain(pl.col(_RAW))).to_series()
        undecided = cells.is_not_null() & value.is_null()
        problem = pl.repeat(None, cells.len(), dtype=pl.String, eager=True).alias(cells.name)
        if not undecided.any():
            return problem
        where = undecided.arg_true()
        return problem.scatter(where, self._distinct(cells.gather(where))["problem"])

    def one(self, cell: str) -> tuple[Any, str | None]:
        """(value, None) or (None, problem) of one cell, by `read_value` alone."""
        try:
            return self.convert(read_value(self.kind, cell)), None
        except ValueError as error:
            return None, str(error)

    def _distinct(self, cells: pl.Series) -> pl.DataFrame:
        """(value, problem) of each of `cells` (not null), worked out once per distinct cell:
        by `wide` where it decides, by `read_value` elsewhere."""
        distinct = cells.unique()
        table = pl.DataFrame({_RAW: distinct}).with_columns(
            value=pl.repeat(None, distinct.len(), dtype=self.dtype, eager=True)
            if self.wide is None
            else self.wide(distinct),
            problem=pl.lit(None, dtype=pl.String),
        )
        decided = table["value"].is_not_null()
        values: list[Any] = []
        problems: list[str | None] = []
        left = table.filter(~decided)[_RAW].to_list()
        for cell in left:
            value, problem = self.one(cell)
            values.append(value)
            problems.append(problem)
        read = pl.DataFrame(
            {
                _RAW: pl.Series(left, dtype=pl.String),
                "value": pl.Series(values, dtype=self.dtype),
                "problem": pl.Series(problems, dtype=pl.String),
            }
        )
        table = pl.concat([table.filter(decided), read])
        return cells.alias(_RAW).to_frame().join(table, on=_RAW, how="left", maintain_order="left")


def read_whole(text: pl.Expr, kind: str) -> tuple[pl.Expr, pl.Expr]:
    """(Int64 value, problem) of text cells of a whole-number field of `kind`."""
    return _reader(kind, 0).read(text)


def read_decimal(text: pl.Expr, kind: str, scale: int) -> tuple[pl.Expr, pl.Expr]:
    """(Decimal(38, scale) value, problem) of number text cells of a field of `kind`."""
    return _reader(kind, scale).read(text)


def read_bool(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(Boolean value, problem) of true/false text cells."""
    return _reader("bool", 0).read(text)


def read_date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(Date value, problem) of date text cells."""
    return _reader("date", 0).read(text)


def read_one(cell: str, kind: str, scale: int = 0) -> tuple[Any, str | None]:
    """(value, None) or (None, problem) of one text cell of a field of `kind` (and `scale`),
    by `read_value` alone: what the column-wise reading gives that cell.

    >>> read_one("1,500万", "money", 2), read_one("1.5", "int")
    ((Decimal('15000000'), None), (None, 'must be a whole number'))
    """
    return _reader(kind, scale).one(cell)


def _reader(kind: str, scale: int) -> _Reader:
    if kind in WHOLE_KINDS:
        wide = lambda cells: shapes.wide(cells, kind, 0)  # noqa: E731
        return _Reader(kind, pl.Int64(), shapes.whole, _to_int, wide)
    if kind in NUMBER_KINDS:
        wide = lambda cells: shapes.wide(cells, kind, scale)  # noqa: E731
        plain = lambda cells: shapes.number(cells, scale)  # noqa: E731
        return _Reader(kind, decimal(scale), plain, _to_decimal(scale), wide)
    if kind == "bool":
        return _Reader(kind, pl.Boolean(), shapes.boolean, bool)
    assert kind == "date", kind
    return _Reader(kind, pl.Date(), shapes.day, _same)


def _same(value: date) -> date:
    return value


def _to_int(value: int) -> int:
    if not -_INT64 <= value < _INT64:
        raise ValueError("is out of range")
    return value


def _to_decimal(scale: int) -> Callable[[Decimal], Decimal]:
    limit = Decimal(10) ** (PRECISION - scale)

    def convert(value: Decimal) -> Decimal:
        if abs(value) >= limit:
            raise ValueError("is out of range")
        if _places(value) > scale:
            raise ValueError(f"must have at most {scale} decimal places")
        return value

    return convert


def _places(value: Decimal) -> int:
    """Decimal places of `value`, trailing zeros not counted (1.50 has 1)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(-exponent - zeros, 0)
