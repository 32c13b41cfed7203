"""Standard JSON Schema keywords for the bounds pydantic writes in its own words.

A pydantic Decimal field behind a before-validator is written `{"anyOf": [number, string],
"ge": "0", "le": ..., "decimal_places": 2}`: validators in other languages ignore `ge`/`le`, so
the bounds would go unchecked there. This rewrites them as `minimum`/`maximum` (numbers) on the
number branch, and the precision as `x-decimal-places`, an annotation validators skip. Bounds
held as Decimal are written as JSON numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_RENAMED = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def standard_bounds(schema: dict[str, Any], model: type | None = None) -> None:
    """Rewrite, in place, every property's bounds (pydantic's `json_schema_extra` hook)."""
    for prop in schema.get("properties", {}).values():
        for branch in prop.get("anyOf", [prop]):
            _rewrite(branch)


def _rewrite(node: dict[str, Any]) -> None:
    for key in _RENAMED.values():
        if key in node:
            node[key] = _number(node[key])
    bounds = {_RENAMED[k]: _number(node.pop(k)) for k in list(node) if k in _RENAMED}
    places = node.pop("decimal_places", None)
    if places is not None:
        node["x-decimal-places"] = places
    if not bounds:
        return
    numeric = [b for b in node.get("anyOf", []) if b.get("type") in ("number", "integer")]
    for target in numeric or [node]:
        target.update(bounds)


def _number(value: Any) -> Any:
    if isinstance(value, str):
        value = Decimal(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
