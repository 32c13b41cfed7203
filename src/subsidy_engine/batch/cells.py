"""Text cells read as the profile model reads them: by `values.read_value`, once per distinct
cell.

A column of text (every column of a CSV file) is read in two parts. Cells in the plain form a
cast reads exactly as `read_value` does (`1234`, `-5`, `12.50` within the field's decimal
places, `2019-05-01`) are cast, column-wise; every other cell (`1,500万`, `２０１９.0`, `yes`, a
typo) goes through `read_value` itself, once per distinct value, so that its value or its
problem is the one `evaluate` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from subsidy_engine.backends.polars.dtypes import PRECISION, decimal
from subsidy_engine.values import DATE_PROBLEM, read_value

_WHOLE = r"^[+-]?[0-9]{1,18}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INT64 = 2**63


def read_whole(text: pl.Expr, kind: str) -> tuple[pl.Expr, pl.Expr]:
    """(Int64 value, problem) of text cells of a whole-number field of `kind`."""
    return _read(text, kind, pl.Int64(), _WHOLE, _to_int, lambda t: t.cast(pl.Int64))


def read_decimal(text: pl.Expr, kind: str, scale: int) -> tuple[pl.Expr, pl.Expr]:
    """(Decimal(38, scale) value, problem) of number text cells of a field of `kind`."""
    fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    plain = rf"^[+-]?[0-9]{{1,{PRECISION - scale}}}{fraction}$"
    target = decimal(scale)
    convert = _to_decimal(scale)
    return _read(text, kind, target, plain, convert, lambda t: t.cast(target))


def read_bool(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(Boolean value, problem) of true/false text cells (a handful of distinct spellings)."""
    no_cast = pl.lit(None, dtype=pl.Boolean)
    return _read(text, "bool", pl.Boolean(), None, bool, lambda _: no_cast)


def read_date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(Date value, problem) of date text cells."""
    to_date = lambda t: t.str.to_date("%Y-%m-%d", strict=False)  # noqa: E731
    return _read(text, "date", pl.Date(), _DATE, _same, to_date)


def _read(
    text: pl.Expr,
    kind: str,
    dtype: pl.DataType,
    plain: str | None,
    convert: Callable[[Any], Any],
    cast: Callable[[pl.Expr], pl.Expr],
) -> tuple[pl.Expr, pl.Expr]:
    stripped = text.str.strip_chars()
    fast = stripped.str.contains(plain) if plain is not None else pl.lit(False)
    others = pl.when(~fast).then(text)
    shape = pl.Struct({"value": dtype, "problem": pl.String()})
    read = others.map_batches(
        lambda cells: _read_cells(cells, kind, dtype, convert),
        return_dtype=shape,
        is_elementwise=True,
    )
    cast_value = cast(pl.when(fast).then(stripped))
    value = pl.when(fast).then(cast_value).otherwise(read.struct.field("value"))
    # a plain form a cast cannot read is a date that does not exist (2019-02-30)
    problem = (
        pl.when(fast & cast_value.is_null())
        .then(pl.lit(DATE_PROBLEM))
        .when(fast)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(read.struct.field("problem"))
    )
    return value, problem


def _read_cells(
    cells: pl.Series, kind: str, dtype: pl.DataType, convert: Callable[[Any], Any]
) -> pl.Series:
    distinct = cells.drop_nulls().unique()
    values: list[Any] = []
    problems: list[str | None] = []
    for cell in distinct.to_list():
        try:
            values.append(convert(read_value(kind, cell)))
            problems.append(None)
        except ValueError as error:
            values.append(None)
            problems.append(str(error))
    table = pl.DataFrame(
        {
            "raw": distinct,
            "value": pl.Series(values, dtype=dtype),
            "problem": pl.Series(problems, dtype=pl.String),
        }
    )
    joined = cells.alias("raw").to_frame().join(table, on="raw", how="left", maintain_order="left")
    return joined.select(pl.struct("value", "problem").alias(cells.name)).to_series()


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
