"""Field kinds, and values as the generator holds them (integers in units of the scale)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.domains import field_domain
from subsidy_engine.money import exact_decimal
from subsidy_engine.rulebook.models import ScalarFieldSpec, ScalarKind

EPOCH = date(1970, 1, 1)
INT64_SAFE = 2**62
NUMERIC = ("int", "year", "decimal", "money", "ratio")
ORDERED = (*NUMERIC, "date")
STRINGS = ("text", "enum", "industry_code", "credit_code")
REST_KINDS = ("enum", "bool", "industry_code")


def parse_amount(value: object) -> object:
    """Amounts as people write them (600万, 1.2亿, 20%); dates and the rest pass through."""
    if isinstance(value, str | float | int) and not isinstance(value, bool):
        try:
            return exact_decimal(value)
        except ValueError:
            return value
    return value


def declared_bounds(
    kind: ScalarKind, spec: ScalarFieldSpec | None
) -> tuple[Decimal | None, Decimal | None]:
    """The bounds of the field's domain (those the validators hold values to)."""
    domain = field_domain(kind, spec)
    return domain.lower, domain.upper


def scale_of(kind: ScalarKind, spec: ScalarFieldSpec | None) -> int:
    return field_domain(kind, spec).scale


def internal(kind: ScalarKind, scale: int, value: Any) -> Any:
    """A value as YAML writes it, in the internal representation of a field."""
    if kind == "date":
        return (value - EPOCH).days
    if kind in NUMERIC:
        return int((exact_decimal(value) * Decimal(10) ** scale).to_integral_value())
    return value
