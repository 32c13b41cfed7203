"""Synthetic service-hall application logs: the subject kind of measure 6's deadlines.

`generate_applications(shape, n)` draws a log with the columns `service_log.LOG_COLUMNS`: kinds
from the rulebook's deadline rules (the shorter a kind's limit, the more often it is applied
for), applications accepted on working days from the first day a limit is in force to the
calendar's last year, and completion counted in working days so that holidays and adjusted
working days fall inside many of them. Most are done within their limit, some are late, some
still open. The same seed gives the same log.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from subsidy_engine.service_log.shape import LogShape

DEPARTMENTS = 8
LATE_SHARE = 0.08
STUCK_SHARE = 0.002


def generate_applications(shape: LogShape, n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    working = np.array(shape.calendar.working_days(), dtype="datetime64[D]")
    first = min(span.start or date.min for kind in shape.kinds for span in kind.spans)
    days = working[working >= np.datetime64(first)] if first != date.min else working
    limits = np.array([kind.spans[-1].working_days for kind in shape.kinds], dtype=np.int64)
    weights = 1 / limits
    kind_index = rng.choice(len(limits), size=n, p=weights / weights.sum())
    limit = limits[kind_index]
    applied = rng.integers(0, len(days), size=n)
    took = np.ceil(rng.random(n) * limit).astype(np.int64)  # 1..limit working days
    late = rng.random(n) < LATE_SHARE
    took[late] = limit[late] + 1 + rng.geometric(1 / (1 + limit[late] / 3)) - 1
    done_index = applied + took
    # the log is taken on the calendar's last day: open are those due to finish after it, and a
    # few left stuck
    open_ = (rng.random(n) < STUCK_SHARE) | (done_index >= len(days))
    completed = days[np.minimum(done_index, len(days) - 1)]
    names = pl.Series([kind.name for kind in shape.kinds])
    departments = pl.Series([f"政务服务中心{i + 1:02d}" for i in range(DEPARTMENTS)])
    return pl.DataFrame(
        {
            "id": pl.Series(np.arange(1, n + 1)),
            "kind": names.gather(kind_index),
            "applied_on": pl.Series(days[applied]).cast(pl.Date),
            "completed_on": pl.Series(completed).cast(pl.Date).set(pl.Series(open_), None),
            "department": departments.gather(rng.integers(0, DEPARTMENTS, size=n)),
        }
    ).with_columns(pl.format("A{}", pl.col("id")).alias("id"))


def write_applications(shape: LogShape, n: int, path: Path, seed: int = 0) -> None:
    generate_applications(shape, n, seed).write_parquet(path, compression="zstd")
