"""Run benchmark suites: `python -m benchmarks [evaluate] [load] [-- suite options]`."""

from __future__ import annotations

import sys

from benchmarks import bench_evaluate, bench_load

SUITES = {"evaluate": bench_evaluate.main, "load": bench_load.main}


def main(argv: list[str]) -> None:
    names = [a for a in argv if a in SUITES] or list(SUITES)
    options = [a for a in argv if a not in SUITES]
    for name in names:
        SUITES[name](options if len(names) == 1 else [])


if __name__ == "__main__":
    main(sys.argv[1:])
