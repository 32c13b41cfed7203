"""Any table of profiles -> a Polars DataFrame, one row per enterprise, rows numbered from 0.

Accepts a Polars DataFrame or LazyFrame, a pyarrow Table or RecordBatch, a pandas DataFrame
(converted through Arrow; needs pandas), or a list of plain dicts. Columns are kept as they
are: typing them is `validate`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from subsidy_engine.batch.frames import ROW
from subsidy_engine.errors import InputError

Table = Any
"""A Polars DataFrame/LazyFrame, pyarrow Table/RecordBatch, pandas DataFrame or list of dicts."""


def to_polars(table: Table, row_offset: int = 0) -> pl.DataFrame:
    """`table` as a DataFrame with the input row number (from `row_offset`) in ROW."""
    frame = _frame(table)
    if frame.width and len(set(frame.n_chunks("all"))) > 1:
        frame = frame.rechunk()
    if ROW in frame.columns:
        frame = frame.drop(ROW)
    return frame.with_columns(_row_numbers(frame, row_offset))


def _row_numbers(frame: pl.DataFrame, row_offset: int) -> pl.Series:
    """Row numbers chunked like the frame's columns: a frame whose columns are chunked
    differently is rechunked by every operation that reads it."""
    lengths = [frame.to_series(i).chunk_lengths() for i in range(frame.width)]
    chunks = lengths[0] if lengths and all(x == lengths[0] for x in lengths) else []
    if len(chunks) <= 1:
        return pl.int_range(frame.height, dtype=pl.Int64, eager=True).alias(ROW) + row_offset
    parts, start = [], row_offset
    for length in chunks:
        parts.append(pl.int_range(start, start + length, dtype=pl.Int64, eager=True))
        start += length
    return pl.concat(parts, rechunk=False).alias(ROW)


def _frame(table: Table) -> pl.DataFrame:
    if isinstance(table, pl.DataFrame):
        return table
    if isinstance(table, pl.LazyFrame):
        return table.collect()
    module = type(table).__module__.split(".")[0]
    if module == "pyarrow":
        _check_arrow_types(table.schema)
        converted = pl.from_arrow(table)
        if isinstance(converted, pl.Series):
            return converted.to_frame()
        return converted
    if module == "pandas":
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

        try:
            return pl.from_pandas(table)
        except (pa.ArrowException, pl.exceptions.PolarsError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise InputError(f"the pandas table cannot be read as columns: {first}") from None
    if isinstance(table, Sequence) and all(isinstance(r, Mapping) for r in table):
        return pl.DataFrame(list(table), infer_schema_length=None)
    raise InputError(
        f"cannot score a {type(table).__name__}: pass a Polars DataFrame or LazyFrame, "
        "a pyarrow Table, a pandas DataFrame or a list of dicts"
    )


def _check_arrow_types(schema: Any) -> None:
    """InputError for a column whose Arrow type Polars cannot hold (it would abort, not raise)."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    def unsupported(dtype: Any) -> bool:
        if pa.types.is_decimal256(dtype):
            return True
        if pa.types.is_struct(dtype):
            return any(unsupported(dtype.field(i).type) for i in range(dtype.num_fields))
        if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
            return unsupported(dtype.value_type)
        return False

    for field in schema:
        if unsupported(field.type):
            raise InputError(
                f"column {field.name!r}: the Arrow type {field.type} is not supported; "
                "cast it to decimal128 (at most 38 digits) or to text"
            )
