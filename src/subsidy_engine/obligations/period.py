"""The period an obligation is checked over: a quarter (`2020Q1`) or a year (`2020`).

>>> parse_period("2020Q1")
Period(start=datetime.date(2020, 1, 1), end=datetime.date(2020, 3, 31))
>>> parse_period("2019")
Period(start=datetime.date(2019, 1, 1), end=datetime.date(2019, 12, 31))
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from subsidy_engine.errors import InputError
from subsidy_engine.results import Period

_QUARTER = re.compile(r"^\s*(\d{4})\s*(?:[Qq]([1-4]))?\s*$")


def parse_period(text: str) -> Period:
    """`YYYYQn` (a quarter) or `YYYY` (a year) as a Period; InputError otherwise."""
    match = _QUARTER.match(text)
    if match is None or not 1 <= int(match.group(1)) <= 9998:
        raise InputError(f"{text!r} is not a quarter (e.g. 2020Q1) or a year (e.g. 2020)")
    year = int(match.group(1))
    if match.group(2) is None:
        return Period(date(year, 1, 1), date(year, 12, 31))
    quarter = int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(start, after - timedelta(days=1))


def period_label(period: Period) -> str:
    """`2020Q1` for a calendar quarter, `2020` for a year, else `start..end`."""
    start, end = period.start, period.end
    if start is not None and end is not None and start.day == 1 and start.year == end.year:
        for text in (str(start.year), f"{start.year}Q{(start.month + 2) // 3}"):
            if parse_period(text) == period:
                return text
    return f"{start or ''}..{end or ''}"
