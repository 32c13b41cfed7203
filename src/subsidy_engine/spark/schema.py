"""Polars result schemas as Spark StructTypes and as the Arrow schemas Spark expects.

`score`'s output is read from its own empty result (so the Spark schema follows the batch
backend if a column is added), then each Polars type is mapped: integers to LongType/int64,
decimals to DecimalType(p, s)/decimal128(p, s), texts and enumerations to StringType/string,
dates to DateType/date32, lists to ArrayType/list, records to StructType/struct. The Arrow
types are the ones Spark's own converter uses (`string`, `list`, not the `large_` variants
Polars writes), so a batch cast to them is taken by `mapInArrow` as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

if TYPE_CHECKING:
    from pyspark.sql.types import DataType, StructType

_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)


def plain(dtype: pl.DataType) -> pl.DataType:
    """`dtype` with enumerations and categoricals as String and integers as Int64 (recursively):
    the Polars type of what a Spark column gives back."""
    if isinstance(dtype, pl.Enum | pl.Categorical | pl.String | pl.Null):
        return pl.String()
    if isinstance(dtype, _INTEGERS):
        return pl.Int64()
    if isinstance(dtype, pl.Float32 | pl.Float64):
        return pl.Float64()
    if isinstance(dtype, pl.Decimal):
        return pl.Decimal(dtype.precision or 38, dtype.scale)
    if isinstance(dtype, pl.Boolean | pl.Date):
        return dtype
    if isinstance(dtype, pl.List):
        return pl.List(plain(_instance(dtype.inner)))
    if isinstance(dtype, pl.Struct):
        return pl.Struct({f.name: plain(_instance(f.dtype)) for f in dtype.fields})
    raise TypeError(f"no Spark column type for the Polars type {dtype}")


def plain_schema(schema: pl.Schema | dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """Every column's `plain` type."""
    return {name: plain(dtype) for name, dtype in schema.items()}


def arrow_type(dtype: pl.DataType, *, large: bool = False) -> pa.DataType:
    """The Arrow type Spark uses for a column of (plain) Polars type `dtype` (`large`: with
    `spark.sql.execution.arrow.useLargeVarTypes`)."""
    dtype = plain(dtype)
    if isinstance(dtype, pl.String):
        return pa.large_string() if large else pa.string()
    if isinstance(dtype, pl.Int64):
        return pa.int64()
    if isinstance(dtype, pl.Float64):
        return pa.float64()
    if isinstance(dtype, pl.Decimal):
        return pa.decimal128(dtype.precision or 38, dtype.scale)
    if isinstance(dtype, pl.Boolean):
        return pa.bool_()
    if isinstance(dtype, pl.Date):
        return pa.date32()
    if isinstance(dtype, pl.List):
        return pa.list_(pa.field("element", arrow_type(_instance(dtype.inner), large=large)))
    assert isinstance(dtype, pl.Struct)
    return pa.struct(
        [pa.field(f.name, arrow_type(_instance(f.dtype), large=large)) for f in dtype.fields]
    )


def arrow_schema(schema: dict[str, pl.DataType], *, large: bool = False) -> pa.Schema:
    """The Arrow schema of a frame of Polars `schema`, as Spark sends and expects it."""
    return pa.schema(
        [pa.field(name, arrow_type(dtype, large=large)) for name, dtype in schema.items()]
    )


def spark_type(dtype: pl.DataType) -> DataType:
    """The Spark SQL type of a column of Polars type `dtype`."""
    from pyspark.sql import types as t

    dtype = plain(dtype)
    simple: dict[type[pl.DataType], Any] = {
        pl.String: t.StringType,
        pl.Int64: t.LongType,
        pl.Float64: t.DoubleType,
        pl.Boolean: t.BooleanType,
        pl.Date: t.DateType,
    }
    for polars_type, spark in simple.items():
        if isinstance(dtype, polars_type):
            made: DataType = spark()
            return made
    if isinstance(dtype, pl.Decimal):
        return t.DecimalType(dtype.precision or 38, dtype.scale)
    if isinstance(dtype, pl.List):
        return t.ArrayType(spark_type(_instance(dtype.inner)), containsNull=True)
    assert isinstance(dtype, pl.Struct)
    return t.StructType(
        [t.StructField(f.name, spark_type(_instance(f.dtype)), True) for f in dtype.fields]
    )


def spark_schema(schema: dict[str, pl.DataType]) -> StructType:
    """The Spark StructType of a frame of Polars `schema` (every column nullable)."""
    from pyspark.sql import types as t

    return t.StructType([t.StructField(n, spark_type(d), True) for n, d in schema.items()])


def _instance(dtype: Any) -> pl.DataType:
    """A dtype instance (Polars may give a dtype class for a nested field)."""
    instance = dtype() if isinstance(dtype, type) else dtype
    assert isinstance(instance, pl.DataType)
    return instance
