"""Run benchmark suites: `python -m benchmarks [evaluate] [gaps] [load] [score] [spark]
[service] [service-log] [changes] [suite options]`.

The suite names come first; options after them go to the suite when only one is named.
"""

from __future__ import annotations

import itertools
import sys

from benchmarks import (
    bench_changes,
    bench_evaluate,
    bench_gaps,
    bench_load,
    bench_score,
    bench_service,
    bench_service_log,
    bench_spark,
)

SUITES = {
    "evaluate": bench_evaluate.main,
    "gaps": bench_gaps.main,
    "load": bench_load.main,
    "score": bench_score.main,
    "spark": bench_spark.main,
    "service": bench_service.main,
    "service-log": bench_service_log.main,
    "changes": bench_changes.main,
}


def main(argv: list[str]) -> None:
    named = list(itertools.takewhile(lambda a: a in SUITES, argv))
    options = argv[len(named) :]
    names = named or list(SUITES)
    for name in names:
        SUITES[name](options if len(names) == 1 else [])


if __name__ == "__main__":
    main(sys.argv[1:])
