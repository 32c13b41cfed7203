"""Timing helpers: best-of-N wall clock and peak memory, printed as a table with ratios."""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    items: int

    @property
    def per_second(self) -> float:
        return self.items / self.seconds


def best_of(name: str, items: int, fn: Callable[[], Any], repeat: int = 3) -> Measurement:
    """The fastest of `repeat` runs (the least disturbed by other load on a shared machine)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Measurement(name, min(times), items)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(title: str, rows: list[Measurement], baseline: str) -> None:
    base = next(r for r in rows if r.name == baseline)
    print(f"\n{title}")
    print(f"{'':<52}{'per second':>14}  {'ratio to ' + baseline}")
    for row in rows:
        ratio = row.per_second / base.per_second
        print(f"{row.name:<52}{row.per_second:>14,.0f}  {ratio:.2f}×")
