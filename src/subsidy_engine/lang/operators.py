"""The comparison operators, written once: what each computes, its negation and its mirror.

Every consumer reads these tables: both backends compare with `COMPARE`, the gap planner and
the DNF export negate with `NEGATED` and move a field to the left with `MIRRORED`.

>>> COMPARE["<="](3, 3), NEGATED["<="], MIRRORED["<="]
(True, '>', '>=')
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

ORDERINGS: Final = ("<", "<=", ">", ">=")
COMPARISONS: Final = (*ORDERINGS, "==", "!=")

COMPARE: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
"""`a op b` for Python values and Polars expressions alike."""

NEGATED: Final[Mapping[str, str]] = {
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    "==": "!=",
    "!=": "==",
}
"""`not (a op b)` is `a NEGATED[op] b`, for known, ordered values."""

MIRRORED: Final[Mapping[str, str]] = {
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
    "==": "==",
    "!=": "!=",
}
"""`a op b` is `b MIRRORED[op] a`."""
