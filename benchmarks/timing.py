"""Timing helpers: best-of-N wall clock and peak memory, printed as a table with ratios.

`python -m benchmarks.timing MODULE ARGS` runs `python -m MODULE ARGS` and then writes its peak
memory (`own_peak_mb`) as the last line of stderr, `PEAK` and the megabytes: a child process's
own figure, where the `ru_maxrss` its parent gets from `wait4` starts from the parent's peak.
"""

from __future__ import annotations

import gc
import resource
import runpy
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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


PEAK = "peak MB: "


def own_peak_mb() -> float:
    """This process's peak resident set since it started its program (`VmHWM`, which starts
    afresh then, where `ru_maxrss` keeps the forking parent's; Linux: /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status: peak memory is measured on Linux")


def report(title: str, rows: list[Measurement], baseline: str) -> None:
    base = next(r for r in rows if r.name == baseline)
    print(f"\n{title}")
    print(f"{'':<52}{'per second':>14}  {'ratio to ' + baseline}")
    for row in rows:
        ratio = row.per_second / base.per_second
        print(f"{row.name:<52}{row.per_second:>14,.0f}  {ratio:.2f}×")


if __name__ == "__main__":
    sys.argv = sys.argv[1:]
    try:
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    finally:
        print(f"{PEAK}{own_peak_mb():.1f}", file=sys.stderr)
