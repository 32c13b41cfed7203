"""One reading of a field's value, whatever it comes from: a YAML or JSON value, an API dict, or
a cell of a CSV, JSONL, Parquet or Excel registry.

The profile model reads every value of a number, true/false or date field through `read_value`,
and batch validation reads every text cell the same way (`batch.coerce` sends the cells it
cannot read with a plain cast through `read_value`), so a value is accepted by `evaluate` exactly
when it is accepted by `score`, and gives the same value. The rules:

* numbers: integers, Decimals, floats (by their shortest repr) or text in the grammar of
  `money.NUMBER` (full-width digits read as ASCII; commas only between groups of three digits;
  underscores between digits); 万 and 亿 in money, decimal and int fields, 元 in money fields
  only, `%` in ratio fields only; a whole-number field takes `2019.0` but not `2019.5`;
* true/false: booleans, the numbers 0 and 1, and the spellings of `TRUE_WORDS`/`FALSE_WORDS`
  (any case, white space around ignored) — never in a number field;
* dates: dates, datetimes at midnight, and text `YYYY-MM-DD` — never a number (no epoch);
* anything else (texts, enumerations, codes) is left to the model's own checks.

>>> read_value("money", "1,500万"), read_value("ratio", "20%"), read_value("year", "２０１９.0")
(Decimal('15000000'), Decimal('0.2'), 2019)
>>> read_value("money", "20%")
Traceback (most recent call last):
...
ValueError: a percentage is only for a ratio field
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, DecimalException
from typing import Any

from subsidy_engine.money import MAX_NUMBER_TEXT, NUMBER, normal_text, number_of

TRUE_WORDS = ("1", "on", "t", "true", "y", "yes")
FALSE_WORDS = ("0", "off", "f", "false", "n", "no")

_NUMBER_TEXT = re.compile(rf"^({NUMBER})\s*(万|亿)?\s*(元)?\s*(%)?$")
_DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MAGNITUDE = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}
_MAGNITUDE_KINDS = ("money", "decimal", "int")
DATE_PROBLEM = "must be a date YYYY-MM-DD"
NUMBER_KINDS = ("int", "year", "decimal", "money", "ratio")
WHOLE_KINDS = ("int", "year")


def reader(kind: str) -> Callable[[Any], Any]:
    """`read_value` for one kind, with a short path for a value already of its Python type
    (what most profiles hold)."""
    if kind in WHOLE_KINDS:
        return lambda value: value if value.__class__ is int else read_value(kind, value)
    if kind in NUMBER_KINDS:
        return lambda value: (
            value if value.__class__ is Decimal and value.is_finite() else read_value(kind, value)
        )
    if kind == "bool":
        return lambda value: value if value.__class__ is bool else read_bool(value)
    if kind == "date":
        return lambda value: value if value.__class__ is date else read_date(value)
    return lambda value: value


def read_value(kind: str, value: Any) -> Any:
    """`value` as the Python value of a field of `kind`; ValueError saying why it is not one.
    Kinds without a reading here (texts, enumerations, codes) return `value` unchanged."""
    if kind in NUMBER_KINDS:
        number = read_number(kind, value)
        return int(number) if kind in WHOLE_KINDS else number
    if kind == "bool":
        return read_bool(value)
    if kind == "date":
        return read_date(value)
    return value


def read_number(kind: str, value: Any) -> Decimal:
    """The number a value of a field of `kind` stands for (whole for int and year fields)."""
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = _number_text(kind, value)
    else:
        raise ValueError("must be a number")
    if not number.is_finite():
        raise ValueError("must be a finite number")
    if kind in WHOLE_KINDS and number != number.to_integral_value():
        raise ValueError("must be a whole number")
    return number


def _number_text(kind: str, text: str) -> Decimal:
    normal = normal_text(text)
    if len(normal) > MAX_NUMBER_TEXT:
        raise ValueError("is out of range")
    match = _NUMBER_TEXT.match(normal)
    if match is None:
        what = "a whole number" if kind in WHOLE_KINDS else "a number"
        hint = " (commas only between groups of three digits)" if "," in normal else ""
        raise ValueError(f"must be {what}{hint}")
    digits, magnitude, yuan, percent = match.groups()
    if percent and kind != "ratio":
        raise ValueError("a percentage is only for a ratio field")
    if magnitude and kind not in _MAGNITUDE_KINDS:
        raise ValueError(f"{magnitude} is only for an amount or a count")
    if yuan and kind != "money":
        raise ValueError("元 is only for a money field")
    try:
        number = number_of(digits)
        if magnitude:
            number *= _MAGNITUDE[magnitude]
        if percent:
            number /= 100
    except DecimalException:
        raise ValueError("is out of range") from None
    # 1.2亿 is 120000000, not 1.20000000E+8
    return Decimal(int(number)) if number == number.to_integral_value() else number


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value == 1)
    if isinstance(value, str):
        word = normal_text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError("must be true or false")


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError("must be a date without a time of day")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        normal = normal_text(value)
        if _DATE_TEXT.match(normal):
            try:
                return date.fromisoformat(normal)
            except ValueError:
                pass
    raise ValueError(DATE_PROBLEM)
