"""Checks of the arguments the public API is given, so that a wrong type fails at the call
with a message saying what was expected, not deep inside an evaluation."""

from __future__ import annotations

from datetime import date, datetime


def as_of_date(as_of: object) -> date:
    """`as_of` itself when it is a `datetime.date` (today when None); TypeError otherwise."""
    if as_of is None:
        return date.today()
    if isinstance(as_of, datetime):
        raise TypeError(f"as_of must be a datetime.date, not a datetime ({as_of}); use .date()")
    if not isinstance(as_of, date):
        hint = "; e.g. date.fromisoformat(...)" if isinstance(as_of, str) else ""
        raise TypeError(
            f"as_of must be a datetime.date, not {type(as_of).__name__} {as_of!r:.40}{hint}"
        )
    return as_of
