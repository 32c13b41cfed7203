"""Loading and compiling a rulebook: a fresh process each time, so nothing is cached."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

PROGRAM = """
import time
start = time.perf_counter()
from subsidy_engine import Engine
imported = time.perf_counter()
Engine({path!r})
done = time.perf_counter()
print(imported - start, done - imported)
"""


def main(argv: list[str] | None = None) -> None:
    from subsidy_engine import bundled_rulebook_path

    parser = argparse.ArgumentParser(prog="benchmarks load")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    path = str(bundled_rulebook_path())
    imports, loads = [], []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", PROGRAM.format(path=path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        imports.append(float(out[0]))
        loads.append(float(out[1]))
    print(f"\nload + type-check + compile {path}, {args.runs} fresh processes")
    print(f"  import subsidy_engine: median {statistics.median(imports) * 1000:.0f} ms")
    print(
        f"  Engine(rulebook):      median {statistics.median(loads) * 1000:.0f} ms, "
        f"min {min(loads) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
