"""A parameter's figures, read and checked where they enter: `parameters.yaml` or a reform.

A figure is refused, with a message the caller places at its file, line and key, when it is
not a finite number (`.nan`, `.inf`), lies outside the parameter's bounds (declared `min`/`max`;
by default money and ratios are at least 0, so a negative amount must be declared possible with
a negative `min`, and money is at most `domains.MONEY_MAX`), has more decimal places than the
number domain allows, or is larger than it (`domains.NUMBER_LIMIT`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.domains import MAX_SCALE, MONEY_MAX, NUMBER_LIMIT
from subsidy_engine.money import exact_decimal
from subsidy_engine.rulebook.models import ParameterSpec

_DEFAULT_MIN = {"money": Decimal(0), "ratio": Decimal(0)}
_DEFAULT_MAX = {"money": MONEY_MAX}


def parameter_value(spec: ParameterSpec, raw: Any) -> Any:
    """The value of a parameter from its YAML form; ValueError saying why it is not one."""
    if spec.table_key is not None:
        if not isinstance(raw, dict):
            raise ValueError("a table parameter needs a mapping {key: value}")
        key_type = int if spec.table_key == "int" else str
        return {key_type(k): scalar_value(spec, v) for k, v in raw.items()}
    if spec.list:
        if not isinstance(raw, list):
            raise ValueError("a list parameter needs a list")
        return [scalar_value(spec, v) for v in raw]
    return scalar_value(spec, raw)


def scalar_value(spec: ParameterSpec, raw: Any) -> Any:
    kind = spec.type
    if kind in ("decimal", "money", "ratio"):
        return _bounded(spec, exact_decimal(raw))
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{raw!r} is not a whole number")
        _bounded(spec, Decimal(raw))
        return raw
    if kind == "text":
        return str(raw)
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not true or false")
        return raw
    if isinstance(raw, date):
        return raw
    raise ValueError(f"{raw!r} is not a date")


def _bounded(spec: ParameterSpec, value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    if abs(value) > NUMBER_LIMIT:
        raise ValueError(f"{value} is beyond the number domain (at most 10^18 in magnitude)")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_SCALE:
        raise ValueError(f"{value} has more than {MAX_SCALE} decimal places")
    lower = spec.min if spec.min is not None else _DEFAULT_MIN.get(spec.type)
    upper = spec.max if spec.max is not None else _DEFAULT_MAX.get(spec.type)
    if lower is not None and value < lower:
        hint = " (declare a negative `min` if it may be negative)" if value < 0 else ""
        raise ValueError(f"{value} is below the parameter's minimum {lower}{hint}")
    if upper is not None and value > upper:
        raise ValueError(f"{value} is above the parameter's maximum {upper}")
    return value
