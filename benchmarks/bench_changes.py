"""Change-only runs (免申即享): every enterprise evaluated again against only the changed ones.

`python -m benchmarks changes [--rows 1000000] [--changed 0.01] [--repeat 1]`. A synthetic
Shuozhou registry of `--rows` rows is written to Parquet, with a copy in which `--changed` of
the rows have one fact changed (ownership, park membership or employees, in turn). The old
registry is scored once (the previous run: key, rule, item, status, amount, with its basis in
the file's metadata); that run is not timed. Then `changes` is timed twice on the same inputs:

- full: the previous results and the new snapshot, so every row is evaluated again;
- changed only: the previous snapshot given too, so only rows whose hash changed are
  evaluated (reading and hashing both snapshots is counted).

Both must give the same list of changes (`changed_facts` aside, which only the second names);
the table gives each time, its rows per second and the speed-up.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks.timing import Measurement, best_of, peak_rss_mb
from subsidy_engine import Engine
from subsidy_engine.batch import score_file
from subsidy_engine.batch.changes import ChangeRun, changes
from subsidy_engine.synthetic import write_parquet

AS_OF = date(2019, 12, 31)
PREVIOUS_COLUMNS = "row,credit_code,rule_id,item,status,amount"


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
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as folder:
        old, new = Path(folder) / "old.parquet", Path(folder) / "new.parquet"
        results = Path(folder) / "old.results.parquet"
        write_parquet(engine.rulebook, args.rows, old, seed=7)
        touched = changed_copy(old, new, args.changed)
        score_file(engine, old, results, as_of=AS_OF, columns=PREVIOUS_COLUMNS)
        print(f"{args.rows:,} enterprises, {touched:,} changed ({touched / args.rows:.2%})")
        runs: dict[str, ChangeRun] = {}

        def full() -> None:
            runs["full"] = changes(engine, results, new, as_of=AS_OF)

        def changed_only() -> None:
            runs["changed only"] = changes(engine, results, new, as_of=AS_OF, previous_registry=old)

        rows = [
            best_of("full: every enterprise evaluated again", args.rows, full, args.repeat),
            best_of("changed only: the previous snapshot given", args.rows, changed_only,
                    args.repeat),
        ]  # fmt: skip
        _check(runs["full"], runs["changed only"], touched)
    _report(rows, runs)


def _check(full: ChangeRun, fast: ChangeRun, touched: int) -> None:
    if fast.full_run_reason is not None:
        raise SystemExit(f"the shortcut was not taken: {fast.full_run_reason}")
    if fast.evaluated != touched:
        raise SystemExit(f"{fast.evaluated:,} enterprises evaluated, {touched:,} changed")
    if not fast.changes.drop("changed_facts").equals(full.changes.drop("changed_facts")):
        raise SystemExit("the two runs give different lists of changes")


def _report(rows: list[Measurement], runs: dict[str, ChangeRun]) -> None:
    print(f"\n{'':<46}{'seconds':>10}{'evaluated':>12}{'rows/s':>14}")
    for row, run in zip(rows, runs.values(), strict=True):
        print(f"{row.name:<46}{row.seconds:>10.1f}{run.evaluated:>12,}{row.per_second:>14,.0f}")
    full, fast = rows
    changed = runs["full"].changes.height
    print(f"speed-up of the changed-only run: {full.seconds / fast.seconds:.1f}×; "
          f"{changed:,} changes listed; peak memory {peak_rss_mb():,.0f} MB")  # fmt: skip
