"""Amounts as people write them, read exactly, and rounded once at output.

>>> parse_amount("5000万"), parse_amount("1.2亿"), parse_amount("3,500.5元")
(Decimal('50000000'), Decimal('120000000'), Decimal('3500.5'))
>>> to_fen(Decimal("1.005"))
Decimal('1.01')
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
WAN = Decimal(10) ** 4
_MAGNITUDE = {"": Decimal(1), "万": WAN, "亿": Decimal(10) ** 8}
_AMOUNT = re.compile(r"^\s*([+-]?[\d,]*\.?\d+)\s*(万|亿)?\s*元?\s*$")
_PERCENT = re.compile(r"^\s*([+-]?\d*\.?\d+)\s*%\s*$")


def parse_amount(text: str) -> Decimal:
    """An amount in yuan from text such as `5000万`, `1.2亿`, `3,500元`; ValueError otherwise."""
    match = _AMOUNT.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an amount (examples: 50000, 5000万, 1.2亿)")
    digits, magnitude = match.group(1).replace(",", ""), match.group(2) or ""
    try:
        value = Decimal(digits) * _MAGNITUDE[magnitude]
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if magnitude and value == value.to_integral_value():
        return Decimal(int(value))
    return value


def parse_percent(text: str) -> Decimal:
    """`20%` -> Decimal('0.20'); ValueError for anything else."""
    match = _PERCENT.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a percentage such as 20%")
    return Decimal(match.group(1)) / 100


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen (0.01 yuan), half away from zero (四舍五入)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def exact_decimal(value: object) -> Decimal:
    """A Decimal from an int, Decimal, float (by its shortest repr) or amount text."""
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        return parse_percent(value) if value.strip().endswith("%") else parse_amount(value)
    raise ValueError(f"{value!r} is not a number")


def in_wan(value: Decimal) -> str | None:
    """`value` yuan written in 万, or None when that does not help: below 1万, or more than six
    significant digits.

    >>> in_wan(Decimal("45000000")), in_wan(Decimal("-2000000.00")), in_wan(Decimal("518.50"))
    ('4500万', '-200万', None)
    """
    if abs(value) < WAN:
        return None
    digits = f"{(value / WAN).normalize():f}"
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return f"{digits}万" if len(digits.lstrip("-").replace(".", "")) <= 6 else None
