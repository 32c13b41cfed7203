"""Change-only runs (免申即享): every enterprise evaluated again against only the changed ones.

`python -m benchmarks changes [--rows 1000000] [--changed 0.01] [--repeat 1]`. A synthetic
Shuozhou registry of `--rows` rows is written to Parquet, with a copy in which `--changed` of
the rows have one fact changed (ownership, park membership or employees, in turn). The old
registry is scored once (the previous run: key, rule, item, status, amount, with its basis in
the file's metadata); that run is not timed. Then `changes` is timed twice on the same inputs:

- full: the previous results and the new snapshot, so every row is evaluated again;
- changed only: the previous snapshot given too, so only rows whose hash changed are
  evaluated (reading and hashing both snapshots is counted).

Each side runs in a process of its own, so that its peak memory is its own: the high-water mark
of its resident set (`VmHWM`, which starts afresh when the process starts its program, where
`ru_maxrss` keeps the forking parent's); `idle` is such a process that only loads the rulebook,
the floor under both. Both must give the same list of changes (`changed_facts` aside, which
only the second names); the table gives each time, its rows per second, its peak memory and the
speed-up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks.timing import own_peak_mb
from subsidy_engine import Engine
from subsidy_engine.batch import score_file
from subsidy_engine.batch.changes import changes
from subsidy_engine.synthetic import write_parquet

AS_OF = date(2019, 12, 31)
PREVIOUS_COLUMNS = "row,credit_code,rule_id,item,status,amount"
SIDES = {
    "idle": "idle: the rulebook loaded, nothing else",
    "full": "full: every enterprise evaluated again",
    "changed": "changed only: the previous snapshot given",
}


@dataclass(frozen=True)
class Side:
    name: str
    seconds: float
    evaluated: int
    peak_mb: float
    reason: str | None


def changed_copy(old: Path, new: Path, share: float) -> int:
    """`old` with every 1/share-th row changed in one fact, written to `new`; how many rows
    differ (a change may give a value the row already had)."""
    frame = pl.read_parquet(old)
    before = frame.select(pl.struct(pl.all()).hash()).to_series()
    step = max(1, round(1 / share))
    at = pl.int_range(pl.len())
    chosen = at % step == 0
    turn = (at // step) % 3
    ownership = frame.schema["ownership"]
    frame = frame.with_columns(
        pl.when(chosen & (turn == 0))
        .then(pl.lit("state_owned"))
        .otherwise(pl.col("ownership").cast(pl.String))
        .cast(ownership)
        .alias("ownership"),
        pl.when(chosen & (turn == 1)).then(~pl.col("in_park").fill_null(False))
        .otherwise(pl.col("in_park")).alias("in_park"),
        pl.when(chosen & (turn == 2)).then(pl.col("employees").fill_null(0) + 7)
        .otherwise(pl.col("employees")).alias("employees"),
    )  # fmt: skip
    frame.write_parquet(new)
    after = frame.select(pl.struct(pl.all()).hash()).to_series()
    return int((before != after).sum())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks changes")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changed", type=float, default=0.01, help="share of rows changed")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    engine = Engine()
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as name:
        folder = Path(name)
        old, new = folder / "old.parquet", folder / "new.parquet"
        write_parquet(engine.rulebook, args.rows, old, seed=7)
        touched = changed_copy(old, new, args.changed)
        score_file(engine, old, folder / "old.results.parquet", as_of=AS_OF,
                   columns=PREVIOUS_COLUMNS)  # fmt: skip
        print(f"{args.rows:,} enterprises, {touched:,} changed ({touched / args.rows:.2%})")
        sides = [_side(side, folder, args.repeat) for side in SIDES]
        listed = _check(folder, sides, touched)
    _report(sides, args.rows, listed)


def _side(side: str, folder: Path, repeat: int) -> Side:
    """One side run in a process of its own: its best time and its own peak memory."""
    command = [sys.executable, "-m", "benchmarks.bench_changes", side, str(folder), str(repeat)]
    done = subprocess.run(command, stdout=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {side} side failed (exit {done.returncode})")
    found = json.loads(done.stdout)
    return Side(side, found["seconds"], found["evaluated"], found["peak_mb"], found["reason"])


def run_side(side: str, folder: Path, repeat: int) -> None:
    """In the side's own process: run it `repeat` times, write its changes, say how it went."""
    engine = Engine()
    old, new = folder / "old.parquet", folder / "new.parquet"
    results = folder / "old.results.parquet"
    best, evaluated, reason = float("inf"), 0, None
    for _ in range(repeat if side != "idle" else 0):
        started = time.perf_counter()
        given = old if side == "changed" else None
        run = changes(engine, results, new, as_of=AS_OF, previous_registry=given)
        best = min(best, time.perf_counter() - started)
        evaluated, reason = run.evaluated, run.full_run_reason
        run.changes.write_parquet(folder / f"{side}.changes.parquet")
    print(json.dumps({"seconds": best if side != "idle" else 0.0, "evaluated": evaluated,
                      "reason": reason, "peak_mb": own_peak_mb()}))  # fmt: skip


def _check(folder: Path, sides: list[Side], touched: int) -> int:
    """How many changes both sides listed, once they are seen to list the same ones."""
    fast = next(s for s in sides if s.name == "changed")
    if fast.reason is not None:
        raise SystemExit(f"the shortcut was not taken: {fast.reason}")
    if fast.evaluated != touched:
        raise SystemExit(f"{fast.evaluated:,} enterprises evaluated, {touched:,} changed")
    full, quick = (pl.read_parquet(folder / f"{s}.changes.parquet") for s in ("full", "changed"))
    if not quick.drop("changed_facts").equals(full.drop("changed_facts")):
        raise SystemExit("the two runs give different lists of changes")
    return full.height


def _report(sides: list[Side], rows: int, listed: int) -> None:
    print(f"\n{'':<46}{'seconds':>10}{'evaluated':>12}{'rows/s':>12}{'peak MB':>10}")
    for side in sides:
        timed = side.name != "idle"
        seconds = f"{side.seconds:>10.1f}" if timed else f"{'':>10}"
        rate = f"{rows / side.seconds:>12,.0f}" if timed else f"{'':>12}"
        print(f"{SIDES[side.name]:<46}{seconds}{side.evaluated:>12,}{rate}{side.peak_mb:>10,.0f}")
    full, fast = (next(s for s in sides if s.name == n) for n in ("full", "changed"))
    print(f"speed-up of the changed-only run: {full.seconds / fast.seconds:.1f}×; "
          f"{listed:,} changes listed")  # fmt: skip


if __name__ == "__main__":
    run_side(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
