"""Measure 6's deadlines over a generated application log: one Polars pass against a plain
Python loop over the same log, measured in the same run.

Both check every application of the period (deadline, on time or late, working days late)
and count them by department, kind and month. The loop gets its rows as `Application`
objects made before the clock starts; the Polars pass starts from the frame.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date

from benchmarks.timing import best_of, peak_rss_mb, report

PERIOD = (date(2018, 1, 1), date(2026, 12, 31))


def main(argv: list[str] | None = None) -> None:
    from subsidy_engine import Engine
    from subsidy_engine.results import Period
    from subsidy_engine.service_log import (
        Application,
        check_application,
        check_period,
        compliance_rates,
        log_shape,
    )
    from subsidy_engine.synthetic.applications import generate_applications

    parser = argparse.ArgumentParser(prog="benchmarks service-log")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    shape = log_shape(Engine().rulebook)
    log = generate_applications(shape, args.rows, seed=1)
    rows = [Application(**row) for row in log.iter_rows(named=True)]
    period = Period(*PERIOD)

    def vectorised() -> object:
        return compliance_rates(check_period(shape, log, period))

    def loop() -> object:
        counts: Counter[tuple[str, str, str, str]] = Counter()
        for row in rows:
            check = check_application(shape, row, PERIOD[1])
            month = row.applied_on.strftime("%Y-%m")
            counts[row.department, row.kind, month, check.status] += 1
        return counts

    measured = [
        best_of("Polars: check + rates (one pass)", args.rows, vectorised, args.repeat),
        best_of("plain Python loop: check_application per row", args.rows, loop, 1),
    ]
    title = f"service-log: {args.rows:,} applications, {len(shape.kinds)} kinds, 2018-2026"
    report(title, measured, "plain Python loop: check_application per row")
    for row in measured:
        print(f"  {row.name}: {row.seconds:.2f} s")
    print(f"  peak memory {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
