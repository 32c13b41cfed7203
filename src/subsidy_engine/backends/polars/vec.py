"""`Vec`: what the vectorised compiler makes of an expression."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from subsidy_engine.backends.polars.missing import Missing
from subsidy_engine.lang.types import Dec, Type

_NOT_CONST = object()


@dataclass(frozen=True, slots=True)
class Vec:
    """A compiled expression: its value (null when unknown), what it lacks, its type, and the
    Python value itself when it is a constant known at compile time (literals, parameters).

    Invariant: `missing` is empty on every row where `value` is not null.
    """

    value: pl.Expr
    missing: Missing
    ty: Type
    const: Any = _NOT_CONST
    possible: pl.Expr | None = None
    """For a finite-valued expression, the values it may take as a bit set on every row (see
    `backends.polars.partial`); None when only its value says."""

    @property
    def is_const(self) -> bool:
        return self.const is not _NOT_CONST


def strict(value: pl.Expr, *operands: Vec) -> pl.Expr:
    """`value`, null wherever an operand is (for operations that do not propagate nulls)."""
    nulls = [o.value.is_null() for o in operands if not o.is_const]
    if not nulls:
        return value
    return pl.when(pl.any_horizontal(nulls)).then(None).otherwise(value)


def convert(value: Any, ty: Type) -> Any:
    """A Python value as a column of type `ty` holds it (numbers as Decimal for decimals)."""
    if isinstance(ty, Dec) and not isinstance(value, bool):
        return Decimal(value)
    return value


def let(values: dict[str, pl.Expr], body: Callable[[dict[str, pl.Expr]], pl.Expr]) -> pl.Expr:
    """`body` over `values` computed once each (a struct's fields): an expression that reads an
    operand several times stays linear in size, however deeply such expressions nest."""
    fields = {name: pl.field(name) for name in values}
    result = body(fields).alias("__let")
    struct = pl.struct([value.alias(name) for name, value in values.items()])
    return struct.struct.with_fields(result).struct.field("__let")
