"""The applications of a period: those accepted within it, judged at its last day."""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

from subsidy_engine.errors import InputError
from subsidy_engine.results import Period
from subsidy_engine.service_log.shape import LogShape
from subsidy_engine.service_log.vector import check_frame

_QUARTER = re.compile(r"(\d{4})Q([1-4])")


def quarter(text: str) -> Period:
    """The quarter written YYYYQn (2020Q1 is 2020-01-01 to 2020-03-31).

    >>> quarter("2019Q4")
    Period(start=datetime.date(2019, 10, 1), end=datetime.date(2019, 12, 31))
    """
    match = _QUARTER.fullmatch(text.strip().upper())
    if match is None:
        raise InputError(f"{text!r} is not a quarter YYYYQn, e.g. 2020Q1")
    year, number = int(match[1]), int(match[2])
    start = date(year, 3 * number - 2, 1)
    following = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, following - timedelta(days=1))


def between(start: date, end: date) -> Period:
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    return Period(start, end)


def check_period(
    shape: LogShape, applications: pl.DataFrame | pl.LazyFrame, period: Period
) -> pl.DataFrame:
    """The applications accepted within `period`, checked at its end."""
    if period.start is None or period.end is None:
        raise InputError("a log is checked over a period with a first and a last day")
    applied = pl.col("applied_on")
    within = applications.lazy().filter((applied >= period.start) & (applied <= period.end))
    return check_frame(shape, within, period.end).collect()
