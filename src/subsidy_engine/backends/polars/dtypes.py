"""The Polars type of each rule-language type, and typed literals.

Every value column has the dtype `dtype_of` gives its static type: `Int` is Int64, `Dec(s)` is
Decimal(38, s) (so a column's scale is always the static scale `arith_scale` computed, which
holds every digit the scalar backend's exact `Decimal` would), texts and enumerations are String.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from subsidy_engine.lang.types import (
    Bool,
    Date,
    Dec,
    Enum,
    Int,
    List,
    Record,
    Str,
    Table,
    Type,
    is_numeric,
    scale_of,
)

PRECISION = 38


def decimal(scale: int) -> pl.Decimal:
    return pl.Decimal(PRECISION, scale)


def dtype_of(ty: Type) -> pl.DataType:
    """The Polars dtype holding values of `ty`."""
    if isinstance(ty, Bool):
        return pl.Boolean()
    if isinstance(ty, Int):
        return pl.Int64()
    if isinstance(ty, Dec):
        return decimal(ty.scale)
    if isinstance(ty, Str | Enum):
        return pl.String()
    if isinstance(ty, Date):
        return pl.Date()
    if isinstance(ty, List):
        return pl.List(dtype_of(ty.item))
    if isinstance(ty, Record):
        return pl.Struct({name: dtype_of(t) for name, t in ty.fields})
    raise TypeError(f"the vectorised backend has no column type for {ty}")


def literal(value: Any, ty: Type) -> pl.Expr:
    """A typed literal; None gives a typed null."""
    if isinstance(ty, Table):
        raise TypeError("a parameter table is not a value; look an entry up with table[key]")
    if isinstance(ty, List):
        if value is None:
            return pl.lit(None, dtype=dtype_of(ty))
        return pl.lit(pl.Series([list(value)], dtype=dtype_of(ty)))
    return pl.lit(value, dtype=dtype_of(ty))


def common_type(types: Sequence[Type]) -> Type:
    """The type two comparable operands are compared in: numbers at the larger scale."""
    if all(is_numeric(t) for t in types):
        if all(isinstance(t, Int) for t in types):
            return types[0]
        return Dec(max(scale_of(t) for t in types))
    if all(isinstance(t, Str | Enum) for t in types):
        return Str()
    return types[0]


def cast_to(expr: pl.Expr, source: Type, target: Type) -> pl.Expr:
    """`expr` (of type `source`) as `target`, exactly: only widening casts are made."""
    if source == target or dtype_of(source) == dtype_of(target):
        return expr
    if isinstance(target, Dec) and is_numeric(source):
        if scale_of(source) > target.scale:
            raise TypeError(f"narrowing {source} to {target} would round")
        return expr.cast(decimal(target.scale))
    if isinstance(target, Int) and isinstance(source, Int):
        return expr
    if isinstance(target, List) and isinstance(source, List):
        return expr.cast(dtype_of(target))
    return expr.cast(dtype_of(target))
