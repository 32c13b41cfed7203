"""One registry in several file formats, scored by `Engine.score`: the cost per row of reading
text (CSV) beside typed columns (Parquet), measured in the same run.

`python -m benchmarks score --formats csv,parquet[,csv-wanyuan,csv-quoted] [--sizes 100000]
[--repeat 3]`. The registry is the workload's generated one, its scalar columns only (a CSV cell
holds no list), written once per format; `csv-wanyuan` is the CSV a registry office keeps, every
money column in 万元 (`1435.496677`), read with a mapping that says so; `csv-quoted` has every
cell in quotes, as some exports write, which makes the bad-line pass read it record by record
(`batch.salvage`). Each run reads the file batch
by batch as `score_file` does (`registry_batches`) and scores it (eligible rows out, kept in
memory), in a process of its own.
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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).parents[1]
BASE = "parquet"
FORMATS = ("parquet", "csv", "csv-wanyuan", "csv-quoted")
WANYUAN, QUOTED = "csv-wanyuan", "csv-quoted"
GOAL = {"csv": 2.0, WANYUAN: 2.0, QUOTED: 2.0}
"""Most seconds per row of a format, as a multiple of Parquet's."""


def flat_registry(source: Path, fmt: str, rulebook: Path | None) -> Path:
    """The scalar columns of the Parquet registry `source`, written as `fmt` beside it."""
    if fmt not in FORMATS:
        raise SystemExit(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    suffix = "parquet" if fmt == BASE else "csv"
    target = source.with_name(f"{source.stem}-flat-{fmt}.{suffix}")
    if target.exists():
        return target
    frame = pl.read_parquet(source)
    flat = frame.select(c for c, t in frame.schema.items() if not isinstance(t, pl.List))
    if fmt == WANYUAN:
        wan = [pl.col(f).cast(pl.Decimal(38, 6)) / 10_000 for f in _money_fields(rulebook)]
        flat = flat.with_columns(wan)
    partial = target.with_suffix(".partial")
    if fmt == BASE:
        flat.write_parquet(partial)
    else:
        flat.write_csv(partial, quote_style="always" if fmt == QUOTED else "necessary")
    partial.rename(target)
    return target


def _money_fields(rulebook: Path | None) -> list[str]:
    from subsidy_engine import Engine
    from subsidy_engine.rulebook.models import ScalarFieldSpec

    fields = Engine(rulebook).rulebook.profile.spec.fields.items()
    return [f for f, s in fields if isinstance(s, ScalarFieldSpec) and s.type == "money"]


def _mapping(rulebook: Path | None) -> Any:
    """Every money field read from its column in 万元."""
    from subsidy_engine.batch.mapping import ColumnMapping, FieldMapping

    fields = _money_fields(rulebook)
    return ColumnMapping(columns={f: FieldMapping(column=f, unit="万元") for f in fields})


def worker(argv: list[str]) -> None:
    """One timed run in this process: prints seconds, rows read and scored as one JSON line."""
    parser = argparse.ArgumentParser(prog="benchmarks.formats --worker")
    parser.add_argument("path", type=Path)
    parser.add_argument("as_of", type=date.fromisoformat)
    parser.add_argument("--rulebook", type=Path, default=None)
    parser.add_argument("--batch-rows", type=int, required=True)
    parser.add_argument("--wanyuan", action="store_true", help="money columns in 万元")
    args = parser.parse_args(argv)
    from subsidy_engine import Engine
    from subsidy_engine.batch import score_batches
    from subsidy_engine.batch.registry import registry_batches

    engine = Engine(args.rulebook)
    mapping = _mapping(args.rulebook) if args.wanyuan else None
    start = time.perf_counter()
    read = scored = written = 0
    batches = registry_batches(args.path, None, args.batch_rows)
    for result in score_batches(
        engine, batches, args.as_of, statuses=("eligible",), mapping=mapping
    ):
        read += result.rows_read
        scored += result.rows_scored
        written += result.results.height
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "read": read, "scored": scored, "written": written}))


def _run(
    fmt: str, path: Path, as_of: date, rulebook: Path | None, batch_rows: int
) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.formats",
        "--worker",
        str(path),
        as_of.isoformat(),
        f"--batch-rows={batch_rows}",
        *([f"--rulebook={rulebook}"] if rulebook is not None else []),
        *(["--wanyuan"] if fmt == WANYUAN else []),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"scoring {path} failed:\n{done.stderr}")
    report: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@dataclass(frozen=True)
class Runs:
    """How every format is run: the day, the rulebook (None: the bundled one), rows per batch,
    and how many runs each, the best kept."""

    as_of: date
    rulebook: Path | None
    batch_rows: int
    repeat: int


def compare(source: Path, formats: list[str], runs: Runs) -> list[str]:
    """The table of seconds per row by format, and the goal lines, for the registry `source`."""
    as_of, rulebook, batch_rows, repeat = runs.as_of, runs.rulebook, runs.batch_rows, runs.repeat
    paths = {fmt: flat_registry(source, fmt, rulebook) for fmt in dict.fromkeys([BASE, *formats])}
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for fmt, path in paths.items():
            run = _run(fmt, path, as_of, rulebook, batch_rows)
            if fmt not in best or run["seconds"] < best[fmt]["seconds"]:
                best[fmt] = run
    outputs = {(r["read"], r["scored"], r["written"]) for r in best.values()}
    same = "the same rows scored and results" if len(outputs) == 1 else "DIFFERENT outputs"
    base = best[BASE]["seconds"] / best[BASE]["read"]
    lines = [
        f"scalar columns only; best of {repeat} run(s) each, formats in turn; {same}",
        f"{'format':<14}{'rows':>12}{'scored':>12}{'seconds':>10}{'rows/s':>12}{'per row':>10}",
    ]
    for fmt, run in best.items():
        per_row = run["seconds"] / run["read"]
        lines.append(
            f"{fmt:<14}{run['read']:>12,.0f}{run['scored']:>12,.0f}{run['seconds']:>10.2f}"
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
