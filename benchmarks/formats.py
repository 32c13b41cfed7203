"""One registry in several file formats, scored by `Engine.score`: the cost per row of reading
text (CSV) beside typed columns (Parquet), measured in the same run.

`python -m benchmarks score --formats csv,parquet [--sizes 100000] [--repeat 3]`. The registry
is the workload's generated one, its scalar columns only (a CSV cell holds no list), written
once per format; each run reads the file batch by batch as `score_file` does
(`registry_batches`) and scores it (eligible rows out, kept in memory), in a process of its own.
The formats take turns, run after run, so that load from other work on the machine falls on
each alike; the best run of each is kept. The ratio of the seconds per row is the figure: on a
loaded machine the rates move, their ratio much less.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).parents[1]
BASE = "parquet"
GOAL = {"csv": 2.0}
"""Most seconds per row of a format, as a multiple of Parquet's."""


def flat_registry(source: Path, fmt: str) -> Path:
    """The scalar columns of the Parquet registry `source`, written as `fmt` beside it."""
    target = source.with_name(f"{source.stem}-flat.{fmt}")
    if target.exists():
        return target
    frame = pl.read_parquet(source)
    flat = frame.select(c for c, t in frame.schema.items() if not isinstance(t, pl.List))
    partial = target.with_suffix(".partial")
    if fmt == "csv":
        flat.write_csv(partial)
    else:
        flat.write_parquet(partial)
    partial.rename(target)
    return target


def worker(argv: list[str]) -> None:
    """One timed run in this process: prints seconds, rows read and scored as one JSON line."""
    parser = argparse.ArgumentParser(prog="benchmarks.formats --worker")
    parser.add_argument("path", type=Path)
    parser.add_argument("as_of", type=date.fromisoformat)
    parser.add_argument("--rulebook", type=Path, default=None)
    parser.add_argument("--batch-rows", type=int, required=True)
    args = parser.parse_args(argv)
    from subsidy_engine import Engine
    from subsidy_engine.batch import score_batches
    from subsidy_engine.batch.registry import registry_batches

    engine = Engine(args.rulebook)
    start = time.perf_counter()
    read = scored = written = 0
    batches = registry_batches(args.path, None, args.batch_rows)
    for result in score_batches(engine, batches, args.as_of, statuses=("eligible",)):
        read += result.rows_read
        scored += result.rows_scored
        written += result.results.height
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "read": read, "scored": scored, "written": written}))


def _run(path: Path, as_of: date, rulebook: Path | None, batch_rows: int) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.formats",
        "--worker",
        str(path),
        as_of.isoformat(),
        f"--batch-rows={batch_rows}",
        *([f"--rulebook={rulebook}"] if rulebook is not None else []),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"scoring {path} failed:\n{done.stderr}")
    report: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def compare(
    source: Path,
    formats: list[str],
    as_of: date,
    rulebook: Path | None,
    batch_rows: int,
    repeat: int,
) -> list[str]:
    """The table of seconds per row by format, and the goal lines, for the registry `source`."""
    paths = {fmt: flat_registry(source, fmt) for fmt in dict.fromkeys([BASE, *formats])}
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for fmt, path in paths.items():
            run = _run(path, as_of, rulebook, batch_rows)
            if fmt not in best or run["seconds"] < best[fmt]["seconds"]:
                best[fmt] = run
    outputs = {(r["read"], r["scored"], r["written"]) for r in best.values()}
    same = "the same rows scored and results" if len(outputs) == 1 else "DIFFERENT outputs"
    base = best[BASE]["seconds"] / best[BASE]["read"]
    lines = [
        f"scalar columns only; best of {repeat} run(s) each, formats in turn; {same}",
        f"{'format':<10}{'rows':>12}{'scored':>12}{'seconds':>10}{'rows/s':>12}{'per row':>10}",
    ]
    for fmt, run in best.items():
        per_row = run["seconds"] / run["read"]
        lines.append(
            f"{fmt:<10}{run['read']:>12,.0f}{run['scored']:>12,.0f}{run['seconds']:>10.2f}"
            f"{run['read'] / run['seconds']:>12,.0f}{per_row / base:>9.2f}×"
        )
    for fmt, goal in GOAL.items():
        if fmt in best:
            ratio = best[fmt]["seconds"] / best[fmt]["read"] / base
            met = "met" if ratio <= goal else "NOT met"
            lines.append(f"goal {fmt} within {goal}× of {BASE} per row: {ratio:.2f}×, {met}")
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2:])
