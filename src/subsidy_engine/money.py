"""Amounts as people write them, read exactly, and rounded once at output.

A number is written with ASCII or full-width digits, an optional sign, commas only between
groups of three digits (`1,500万`; never `1,5亿`) or underscores between digits (`1_000`), an
optional fraction and exponent; an amount may add 万 or 亿 and 元; a percentage ends in `%`.

>>> parse_amount("5000万"), parse_amount("1.2亿"), parse_amount("3,500.5元")
(Decimal('50000000'), Decimal('120000000'), Decimal('3500.5'))
>>> parse_amount("1,500万"), parse_amount("６０００万")
(Decimal('15000000'), Decimal('60000000'))
>>> to_fen(Decimal("1.005"))
Decimal('1.01')
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException

FEN = Decimal("0.01")
_WIDE = Context(prec=80, rounding=ROUND_HALF_UP)
WAN = Decimal(10) ** 4
_MAGNITUDE = {"": Decimal(1), "万": WAN, "亿": Decimal(10) ** 8}
NUMBER = (
    r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:_[0-9]+)*)(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?:[eE][+-]?[0-9]{1,2})?"
)
"""A number as text (ASCII digits, after `normal_text`): grouping commas only in threes."""
MAX_NUMBER_TEXT = 64
"""Longest number text read: beyond it a value is refused before any arithmetic."""
_AMOUNT = re.compile(rf"^({NUMBER})\s*(万|亿)?\s*元?$")
_PERCENT = re.compile(rf"^({NUMBER})\s*%$")


def normal_text(text: str) -> str:
    """Full-width digits and signs as ASCII (NFKC), white space stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def number_of(digits: str) -> Decimal:
    """The Decimal of text matched by `NUMBER`."""
    return Decimal(digits.replace(",", "").replace("_", ""))


def parse_amount(text: str) -> Decimal:
    """An amount in yuan from text such as `5000万`, `1.2亿`, `3,500元`; ValueError otherwise."""
    normal = normal_text(text)
    match = _AMOUNT.match(normal) if len(normal) <= MAX_NUMBER_TEXT else None
    if not match:
        hint = "; commas only between groups of three digits" if "," in normal else ""
        raise ValueError(f"{_shown(text)} is not an amount (examples: 50000, 5000万, 1.2亿{hint})")
    magnitude = match.group(2) or ""
    try:
        value = number_of(match.group(1)) * _MAGNITUDE[magnitude]
    except DecimalException:
        raise ValueError(f"{_shown(text)} is not an amount") from None
    if magnitude and value == value.to_integral_value():
        return Decimal(int(value))
    return value


def parse_percent(text: str) -> Decimal:
    """`20%` -> Decimal('0.20'); ValueError for anything else."""
    normal = normal_text(text)
    match = _PERCENT.match(normal) if len(normal) <= MAX_NUMBER_TEXT else None
    if not match:
        raise ValueError(f"{_shown(text)} is not a percentage such as 20%")
    return number_of(match.group(1)) / 100


def _shown(text: str) -> str:
    """`text` quoted for a message, cut short when long."""
    return repr(text) if len(text) <= MAX_NUMBER_TEXT else repr(text[:MAX_NUMBER_TEXT] + "…")


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen (0.01 yuan), half away from zero (四舍五入), at any size the rule
    language's numbers reach (38 digits)."""
    return value.quantize(FEN, context=_WIDE)


def add_exact(total: Decimal, amount: Decimal) -> Decimal:
    """`total + amount` without rounding at any size a total of the rule language's amounts
    (38 digits each) reaches, rather than in the default 28-digit context."""
    return _WIDE.add(total, amount)


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
        return parse_percent(value) if normal_text(value).endswith("%") else parse_amount(value)
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
