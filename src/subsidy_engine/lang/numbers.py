"""The rule language's number domain, which every backend implements alike.

* A number is exact: an integer (`Int`) or a decimal with a static scale (`Dec(scale)`).
* An integer lies in the 64-bit range, |n| <= `INT_MAX`: integer arithmetic never wraps.
* A decimal of scale s has at most `PRECISION` (38) digits: |x| < 10^(38 - s). An operation
  brings its operands to the scale it computes at (`+ -`: the larger scale; `*`: the sum of
  scales; `/`: the largest of the operands' scales and `DIVISION_SCALE`), so they too must fit
  38 digits there.
* Operands brought to one scale to be compared or chosen among (a comparison, `min`/`max` of
  several values, the branches of `… if … else …`, an `in` set) must fit 38 digits there
  (`compare_bound`); a `sum` must fit its type (`sum_fits`).
* A value that would leave the domain is not a wrong figure but no figure: the operation is
  unknown for an arithmetic fault, `overflow` (a result or operand beyond the domain) or
  `division_by_zero`, named with the expression's text (`fault`), in every backend; a date
  shifted past the year 9999 is an `overflow` too. A fault names no fact: the facts it read
  were given.
* At load (`lint`), an expression whose scale exceeds `MAX_SCALE` and a number literal larger
  than `LITERAL_LIMIT` or with more than `LITERAL_SCALE` decimal places are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from subsidy_engine.errors import Diagnostic
from subsidy_engine.lang import ast
from subsidy_engine.lang.types import DIVISION_SCALE, Dec, Int, Type, scale_of
from subsidy_engine.lang.unparse import unparse

PRECISION = 38
"""Most significant digits of a decimal, the width of the vectorised backend's columns."""
INT_MAX = 2**63 - 1
MAX_SCALE = 24
"""Most decimal places an expression may carry (a product adds its operands' scales)."""
LITERAL_LIMIT = Decimal(10) ** 18
LITERAL_SCALE = 12
OVERFLOW = "overflow"
DIVISION_BY_ZERO = "division_by_zero"


def fault(kind: str, node: ast.Node) -> str:
    """How a result names an arithmetic fault of `node`: `"division_by_zero: a / b"`."""
    return f"{kind}: {unparse(node)}"


def limit_at(scale: int) -> Decimal:
    """Decimals of `scale` are smaller than this in magnitude."""
    return Decimal(10) ** (PRECISION - scale)


def working_scale(op: str, left: Type, right: Type) -> int | None:
    """The scale `left op right` computes at, or None for two integers (no decimal involved)."""
    if isinstance(left, Int) and isinstance(right, Int):
        return None
    if op == "*":
        return scale_of(left) + scale_of(right)
    if op == "/":
        return max(DIVISION_SCALE, scale_of(left), scale_of(right))
    return max(scale_of(left), scale_of(right))


def arith_fits(op: str, left: Type, right: Type, result: Type) -> Callable[[Any, Any, Any], bool]:
    """A test of whether operands `a`, `b` and the result `r` of `a op b` stay in the domain
    (a closure, since backends run it per value; operands whose type always fits the working
    scale are not tested)."""
    if isinstance(result, Int):
        return lambda a, b, r: -INT_MAX <= r <= INT_MAX
    top = limit_at(scale_of(result))
    working = working_scale(op, left, right)
    bound = limit_at(working) if working is not None else top
    check_a = working is not None and largest(left) > bound
    check_b = working is not None and largest(right) > bound
    if check_a and check_b:
        return lambda a, b, r: -top < r < top and -bound < a < bound and -bound < b < bound
    if check_a:
        return lambda a, b, r: -top < r < top and -bound < a < bound
    if check_b:
        return lambda a, b, r: -top < r < top and -bound < b < bound
    return lambda a, b, r: -top < r < top


def largest(ty: Type) -> Decimal:
    """A bound on the magnitude of any value of numeric type `ty`."""
    return Decimal(INT_MAX) if isinstance(ty, Int) else limit_at(scale_of(ty))


def compare_bound(types: Sequence[Type]) -> Decimal | None:
    """Operands of a comparison (or of `min`/`max`, the branches of a conditional, an `in` set)
    are brought to the larger scale among them and must fit 38 digits there: the bound their
    magnitude must stay under, or None when every value of `types` always does (same scales,
    integers, or not numbers)."""
    if not all(isinstance(t, Int | Dec) for t in types) or all(isinstance(t, Int) for t in types):
        return None
    bound = limit_at(max(scale_of(t) for t in types))
    return bound if any(largest(t) > bound for t in types) else None


def sum_fits(ty: Type) -> Callable[[Any], bool]:
    """A test of whether a total of type `ty` (a `sum`) stays in the domain."""
    if isinstance(ty, Int):
        return lambda total: -INT_MAX <= total <= INT_MAX
    top = limit_at(scale_of(ty))
    return lambda total: -top < total < top


def literal_problem(value: int | Decimal) -> str | None:
    """Why a number literal lies outside what a rule may write, or None."""
    if not -LITERAL_LIMIT <= value <= LITERAL_LIMIT:
        return "is larger than a rule's number may be (at most 10^18 in magnitude)"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > LITERAL_SCALE:
            return f"has more than {LITERAL_SCALE} decimal places"
    return None


def scale_problems(tree: ast.Node) -> list[Diagnostic]:
    """A diagnostic for each subexpression of a checked tree whose scale exceeds `MAX_SCALE`
    (the outermost only)."""
    for node in tree.walk():
        if isinstance(node.ty, Dec) and node.ty.scale > MAX_SCALE:
            message = (
                f"this expression carries {node.ty.scale} decimal places, more than the "
                f"{MAX_SCALE} a rule's number may have"
            )
            return [Diagnostic("number-domain", message, node.span)]
    return []
