"""Progress of a long scoring run where no one watches a terminal: a line on a log stream at
most every few seconds, with the rows done, the rate and the time left when the total is known.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

EVERY_SECONDS = 5.0


def rate_text(rows: int, seconds: float, total: int | None) -> str:
    """`12,000 of 100,000 rows (12%), 3,500 rows/s, about 25 s left` (what is known of it)."""
    rate = rows / seconds if seconds > 0 else 0.0
    done = f"{rows:,} of {total:,} rows ({rows / total:.0%})" if total else f"{rows:,} rows"
    parts = [done, f"{rate:,.0f} rows/s"]
    if total and rate > 0 and rows < total:
        parts.append(f"about {_duration((total - rows) / rate)} left")
    return ", ".join(parts)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def log_progress(
    stream: TextIO,
    total: int | None,
    every: float = EVERY_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Callable[[int], None]:
    """A progress callback writing `rate_text` lines to `stream`, at most one per `every`
    seconds."""
    started = clock()
    last = started

    def report(rows: int) -> None:
        nonlocal last
        now = clock()
        if now - last < every:
            return
        last = now
        print(f"scoring: {rate_text(rows, now - started, total)}", file=stream, flush=True)

    return report
