"""The Polars type of each rule-language type, and typed literals.

Every value column has the dtype `dtype_of` gives its static type: `Int` is Int64, `Dec(s)` is
Decimal(38, s) (so a column's scale is always the static scale `arith_scale` computed, which
holds every digit the scalar backend's exact `Decimal` would), texts and enumerations are String.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from subsidy_engine.lang import types as t

PRECISION = 38


def decimal(scale: int) -> pl.Decimal:
    return pl.Decimal(PRECISION, scale)


def dtype_of(ty: t.Type) -> pl.DataType:
    """The Polars dtype holding values of `ty`."""
    if isinstance(ty, t.Bool):
        return pl.Boolean()
    if isinstance(ty, t.Int):
        return pl.Int64()
    if isinstance(ty, t.Dec):
        return decimal(ty.scale)
    if isinstance(ty, t.Str | t.Enum):
        return pl.String()
    if isinstance(ty, t.Date):
        return pl.Date()
    if isinstance(ty, t.List):
        return pl.List(dtype_of(ty.item))
    if isinstance(ty, t.Record):
        return pl.Struct({name: dtype_of(field) for name, field in ty.fields})
    raise TypeError(f"the vectorised backend has no column type for {ty}")


def literal(value: Any, ty: t.Type) -> pl.Expr:
    """A typed literal; None gives a typed null."""
    if isinstance(ty, t.Table):
        raise TypeError("a parameter table is not a value; look an entry up with table[key]")
    if isinstance(ty, t.List):
        if value is None:
            return pl.lit(None, dtype=dtype_of(ty))
        return pl.lit(pl.Series([list(value)], dtype=dtype_of(ty)))
    return pl.lit(value, dtype=dtype_of(ty))


def common_type(types: Sequence[t.Type]) -> t.Type:
    """The type two comparable operands are compared in: numbers at the larger scale."""
    if all(t.is_numeric(ty) for ty in types):
        if all(isinstance(ty, t.Int) for ty in types):
            return types[0]
        return t.Dec(max(t.scale_of(ty) for ty in types))
    if all(isinstance(ty, t.Str | t.Enum) for ty in types):
        return t.Str()
    return types[0]


def cast_to(expr: pl.Expr, source: t.Type, target: t.Type) -> pl.Expr:
    """`expr` (of type `source`) as `target`, exactly: only widening casts are made."""
    if source == target or dtype_of(source) == dtype_of(target):
        return expr
    if isinstance(target, t.Dec) and t.is_numeric(source):
        if t.scale_of(source) > target.scale:
            raise TypeError(f"narrowing {source} to {target} would round")
        return expr.cast(decimal(target.scale))
    if isinstance(target, t.Int) and isinstance(source, t.Int):
        return expr
    if isinstance(target, t.List) and isinstance(source, t.List):
        return expr.cast(dtype_of(target))
    return expr.cast(dtype_of(target))
