"""Batch scoring, Parquet to Parquet or in memory: `Engine.score` beside a hand-written Polars
query of the same rules, `evaluate` in a loop and durable-rules (those two on a sample,
extrapolated).

`python -m benchmarks score [--sizes 100000,1000000,10000000] [--quick] [--in-memory]`;
`--formats csv,parquet` compares instead the same registry read from each file format
(`benchmarks.formats`), `--formats postgresql,sqlite` the score command reading and writing a
database against Parquet in and out (`benchmarks.databases`). Two
workloads: the eight-rule anchor workload (its generated data, shared/bench/ANCHOR-WORKLOAD.md)
and the bundled Shuozhou rulebook (`synthetic.write_parquet` data, 5% of facts missing). Each
engine runs in a process of its own, reads the input Parquet file in batches, writes the
eligible (row, rule) rows to a Parquet file, and reports its best time of `--repeat` runs and
its peak resident memory (interpreter and libraries included). With `--in-memory`, the input is
read into memory before the clock starts and the output is kept in memory: tables in, tables
out, as the anchor workload's reference figures were measured. `score` runs twice: writing its
full default output, and writing the hand-written query's columns (row, rule_id, amount), like
for like.
Before the table, the outputs of `score` and of the hand-written query are compared on the rules
the query covers.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks import anchor_workload, shuozhou_polars
from benchmarks.databases import DATABASES, compare_databases
from benchmarks.formats import BASE as BASE_FORMAT
from benchmarks.formats import Runs, compare, flat_registry
from benchmarks.timing import Measurement
from subsidy_engine import Engine, Status

ROOT = Path(__file__).parents[1]
ENGINES = ("score", "score-columns", "polars", "evaluate", "durable")
SCORED = ("score", "score-columns")
HAND_COLUMNS = ("row", "rule_id", "amount")
"""What the hand-written query writes: `score-columns` writes the same."""
SAMPLED = ("evaluate", "durable")
BASELINE = "polars"


@dataclass(frozen=True)
class Workload:
    name: str
    as_of: date
    rulebook: Path | None
    """None: the bundled rulebook."""
    write_input: Callable[[int, Path], None]
    hand: Callable[[pl.DataFrame, int], pl.DataFrame]
    """The hand-written query: a batch and its first row number -> (row, rule_id, amount)."""
    covered: tuple[str, ...]
    """The rule ids the hand-written query computes."""
    samples: dict[str, int]
    """Rows evaluate() and durable-rules are timed on."""
    goal_rate: float
    goal_ratio: float

    def engine(self) -> Engine:
        return _engine(self.rulebook)


@cache
def _engine(rulebook: Path | None) -> Engine:
    return Engine(rulebook)


def _write_anchor(n: int, path: Path) -> None:
    c = anchor_workload.columns(n)
    frame = pl.DataFrame({f: c[f] for f in anchor_workload.FIELDS})
    missing = pl.Series(c["fasy_null"])
    year = pl.when(missing).then(None).otherwise(pl.col("first_above_scale_year"))
    frame.with_columns(year.alias("first_above_scale_year")).write_parquet(path)


def _anchor_hand(frame: pl.DataFrame, row_offset: int) -> pl.DataFrame:
    """The anchor's eight rules, hand-written (ANCHOR-WORKLOAD.md)."""
    ceramics = pl.col("industry") == "ceramics"
    sales = pl.col("annual_sales") >= 50_000_000
    entered = pl.col("first_above_scale_year") >= 2018
    streak = pl.col("consecutive_above_scale_years")
    price = pl.col("land_grade").replace_strict(
        dict(enumerate(anchor_workload.PRICE, start=1)), return_dtype=pl.Float64
    )
    zero = pl.lit(0.0)
    rules = {
        "r.r1": (ceramics & sales, zero),
        "r.r2": (ceramics & sales & (pl.col("employees") >= 500), zero),
        "r.r3": (entered & (streak >= 2), pl.lit(200_000.0)),
        "r.r4": (entered & (streak >= 3), pl.lit(60_000.0)),
        "r.r5": (
            ceramics & (pl.col("fly_ash_ratio") >= 0.2) & (pl.col("fly_ash_tons") >= 100_000),
            zero,
        ),
        "r.r6": (pl.col("military_contract_amount") >= 10_000_000, zero),
        "r.r7": (pl.col("layoffs_rate") <= 0.055, 0.5 * pl.col("unemployment_insurance_paid")),
        "r.r8": (
            ceramics | (pl.col("industry") == "equipment"),
            0.7 * price * pl.col("land_area_m2"),
        ),
    }
    return shuozhou_polars.eligible_rows(
        frame.lazy().with_row_index("row", offset=row_offset), rules
    )


def _write_shuozhou(n: int, path: Path) -> None:
    from subsidy_engine.synthetic import write_parquet

    write_parquet(Engine().rulebook, n, path)


WORKLOADS = {
    "anchor": Workload(
        "anchor",
        date(2024, 6, 1),
        anchor_workload.RULEBOOK,
        _write_anchor,
        _anchor_hand,
        tuple(f"r.r{i}" for i in range(1, 9)),
        {"evaluate": 20_000, "durable": 5_000},
        goal_rate=4_600_000,
        goal_ratio=1.25,
    ),
    "shuozhou": Workload(
        "shuozhou",
        shuozhou_polars.AS_OF,
        None,
        _write_shuozhou,
        shuozhou_polars.eligible,
        shuozhou_polars.COVERED,
        {"evaluate": 5_000, "durable": 2_000},
        goal_rate=1_000_000,
        goal_ratio=1.5,
    ),
}


# One engine, in its own process -----------------------------------------------------------------


class _Source:
    """The input, read in batches: from the Parquet file, or from memory (read beforehand)."""

    def __init__(self, path: Path, in_memory: bool) -> None:
        self.path = path
        self.table = pq.read_table(path) if in_memory else None

    def batches(self, batch_rows: int, limit: int | None) -> Iterator[pa.RecordBatch]:
        read = 0
        if self.table is None:
            found = pq.ParquetFile(self.path).iter_batches(batch_size=batch_rows)
        else:
            found = iter(self.table.to_batches(max_chunksize=batch_rows))
        for batch in found:
            wanted = batch.num_rows if limit is None else min(batch.num_rows, limit - read)
            read += wanted
            yield batch.slice(0, wanted)
            if limit is not None and read >= limit:
                return

    def profiles(self, limit: int) -> list[dict[str, Any]]:
        frame = pl.from_arrow(pa.Table.from_batches(list(self.batches(limit, limit))))
        assert isinstance(frame, pl.DataFrame)
        return frame.to_dicts()


class _Sink:
    """The output: a Parquet file written table by table, or tables kept in memory and saved
    to the file only when `save` is called (after the clock stops)."""

    def __init__(self, target: Path, in_memory: bool) -> None:
        self.target = target
        self.in_memory = in_memory
        self.writer: Any = None
        self.kept: list[pa.Table] = []
        self.rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        self.rows += frame.height
        if self.in_memory:
            self.kept.append(table)
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.target, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.in_memory:
            return
        if self.writer is None:
            _write_empty(self.target)
        else:
            self.writer.close()

    def save(self) -> None:
        """The tables kept in memory, as the Parquet file a written run gives."""
        if self.kept:
            pq.write_table(pa.concat_tables(self.kept), self.target)
        else:
            _write_empty(self.target)


def _write_empty(target: Path) -> None:
    """Nothing eligible: still a file, for the comparison of outputs."""
    pl.DataFrame({"row": [], "rule_id": []}).write_parquet(target)


def _rows_frame(rows: list[tuple[int, str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"row": pl.Int64, "rule_id": pl.String, "amount": pl.Float64},
        orient="row",
    )


Runner = Callable[[Workload, _Source, _Sink, int, int], int]


def _scorer(columns: tuple[str, ...] | None) -> Runner:
    """`score` writing `columns` (None: its default output)."""

    def run(workload: Workload, source: _Source, sink: _Sink, batch_rows: int, limit: int) -> int:
        from subsidy_engine.batch import score_batches

        read = 0
        batches = source.batches(batch_rows, None)
        engine, day = workload.engine(), workload.as_of
        for result in score_batches(engine, batches, day, statuses=("eligible",), columns=columns):
            sink.write(result.results)
            read += result.rows_read
        return read

    return run


def _hand(workload: Workload, source: _Source, sink: _Sink, batch_rows: int, limit: int) -> int:
    read = 0
    for batch in source.batches(batch_rows, None):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        sink.write(workload.hand(frame, read))
        read += frame.height
    return read


def _evaluate(workload: Workload, source: _Source, sink: _Sink, batch_rows: int, limit: int) -> int:
    engine = workload.engine()
    profiles = source.profiles(limit)
    sink.write(
        _rows_frame(
            [
                (row, result.rule_id, _number(result.amount.value))
                for row, profile in enumerate(profiles)
                for result in engine.evaluate(profile, workload.as_of).results
                if result.status is Status.ELIGIBLE
            ]
        )
    )
    return len(profiles)


def _durable(workload: Workload, source: _Source, sink: _Sink, batch_rows: int, limit: int) -> int:
    from subsidy_engine.export import run

    profiles = source.profiles(limit)
    found = run(_export(workload.name), profiles)
    sink.write(_rows_frame([(row, rule_id, _number(a)) for row, rule_id, a in found]))
    return len(profiles)


@cache
def _export(name: str) -> Any:
    """The durable-rules export, made once per process (a one-time cost, timed apart)."""
    from subsidy_engine.export import to_durable

    workload = WORKLOADS[name]
    return to_durable(workload.engine().rulebook, workload.as_of)


def _number(amount: Any) -> float | None:
    return float(amount) if isinstance(amount, Decimal | float | int) else None


RUNNERS: dict[str, Runner] = {
    "score": _scorer(None),
    "score-columns": _scorer(HAND_COLUMNS),
    "polars": _hand,
    "evaluate": _evaluate,
    "durable": _durable,
}


def worker(argv: list[str]) -> None:
    """Entry point of an engine's process: prints one JSON line."""
    parser = argparse.ArgumentParser(prog="benchmarks.bench_score --worker")
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--batch-rows", type=int, required=True)
    parser.add_argument("--limit", type=int, required=True)
    parser.add_argument("--repeat", type=int, required=True)
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args(argv)
    workload = WORKLOADS[args.workload]
    source = _Source(args.source, args.in_memory)
    setup = 0.0
    if args.engine == "durable":
        start = time.perf_counter()
        _export(workload.name)
        setup = time.perf_counter() - start
    times = []
    for _ in range(args.repeat):
        sink = _Sink(args.target, args.in_memory)
        start = time.perf_counter()
        read = RUNNERS[args.engine](workload, source, sink, args.batch_rows, args.limit)
        sink.close()
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.in_memory:
        sink.save()
    report = {"seconds": min(times), "rows": read, "written": sink.rows, "setup": setup}
    print(json.dumps({**report, "peak_mb": peak_mb}))


# The run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    engine: str
    measurement: Measurement
    peak_mb: float
    setup: float
    output: Path


def _measure(
    engine_name: str, workload: Workload, source: Path, out_dir: Path, args: argparse.Namespace
) -> Result:
    target = out_dir / f"{workload.name}-{engine_name}.parquet"
    limit = 0
    if engine_name in SAMPLED:
        default = workload.samples[engine_name] // (4 if args.quick else 1)
        limit = args.sample or default
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_score",
        "--worker",
        engine_name,
        workload.name,
        str(source),
        str(target),
        f"--batch-rows={args.batch_rows}",
        f"--limit={limit}",
        f"--repeat={args.repeat}",
        *(["--in-memory"] if args.in_memory else []),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{engine_name} on {workload.name} failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    measurement = Measurement(engine_name, report["seconds"], report["rows"])
    return Result(engine_name, measurement, report["peak_mb"], report["setup"], target)


def _input(workload: Workload, n: int, data_dir: Path) -> Path:
    path = data_dir / f"{workload.name}-{n}.parquet"
    if not path.exists():
        start = time.perf_counter()
        partial = path.with_suffix(".partial")
        workload.write_input(n, partial)
        partial.rename(path)
        print(f"  wrote {path} in {time.perf_counter() - start:.1f} s")
    return path


def _agreement(workload: Workload, score_out: Path, hand_out: Path) -> str:
    """Whether score and the hand-written query give the same eligible rows and amounts on the
    covered rules."""
    covered = pl.Series(workload.covered, dtype=pl.String).implode()
    engine = (
        pl.scan_parquet(score_out)
        .select("row", pl.col("rule_id").cast(pl.String), pl.col("amount").cast(pl.Float64))
        .filter(pl.col("rule_id").is_in(covered))
    )
    hand = pl.scan_parquet(hand_out)
    joined = engine.join(hand, on=["row", "rule_id"], how="full", suffix="_hand").collect()
    only = joined.filter(pl.col("row").is_null() | pl.col("row_hand").is_null()).height
    off = joined.filter((pl.col("amount") - pl.col("amount_hand")).abs() > 0.01).height
    if only or off:
        return f"DISAGREE: {only:,} rows in one output only, {off:,} amounts differ"
    return f"agree on all {joined.height:,} eligible (row, rule) rows and their amounts"


def _table(workload: Workload, n: int, results: dict[str, Result], rule_count: int) -> list[str]:
    labels = {
        "score": "Engine.score, all columns",
        "score-columns": "Engine.score, " + ", ".join(HAND_COLUMNS),
        "polars": f"hand-written Polars ({len(workload.covered)}/{rule_count} rules)",
        "evaluate": "evaluate() loop",
        "durable": "durable-rules (assert + retract)",
    }
    base = results.get(BASELINE)
    lines = [
        f"{'engine':<40}{'rows timed':>12}{'seconds':>10}{'profiles/s':>13}"
        f"{'vs hand Polars':>16}{'peak MB':>10}"
    ]
    for name, result in results.items():
        m = result.measurement
        seconds = n / m.per_second
        ratio = f"{m.per_second / base.measurement.per_second:.2f}×" if base else "—"
        label = labels[name]
        if name in SAMPLED:
            label += " *"
        lines.append(
            f"{label:<40}{m.items:>12,}{seconds:>10.2f}{m.per_second:>13,.0f}"
            f"{ratio:>16}{result.peak_mb:>10,.0f}"
        )
    return lines


def _goals(workload: Workload, n: int, results: dict[str, Result]) -> list[str]:
    lines = []
    hand = results.get(BASELINE)
    for name in (s for s in SCORED if s in results):
        score = results[name]
        rate = score.measurement.per_second
        met = _met(rate >= workload.goal_rate)
        lines.append(f"goal {name} ≥ {workload.goal_rate:,.0f}/s: {rate:,.0f}/s, {met}")
        if hand is not None:
            slower = hand.measurement.per_second / rate
            lines.append(
                f"goal {name} within {workload.goal_ratio}× of hand Polars: {slower:.2f}× "
                f"slower, {_met(slower <= workload.goal_ratio)}"
            )
        if n >= 10_000_000:
            peak = score.peak_mb
            lines.append(
                f"goal {name} 10^7 rows under 2 GB peak: {peak:,.0f} MB, {_met(peak < 2048)}"
            )
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _formats(workload: Workload, source: Path, args: argparse.Namespace) -> list[str]:
    """The file formats' table (scoring in memory), then the databases' (the command in and
    out), for the registry `source`."""
    formats = args.formats.split(",")
    files = [f for f in formats if f not in DATABASES]
    databases = [f for f in formats if f in DATABASES]
    runs = Runs(workload.as_of, workload.rulebook, args.batch_rows, args.repeat)
    lines = compare(source, files, runs) if files else []
    if databases:
        flat = flat_registry(source, BASE_FORMAT, workload.rulebook)
        lines += compare_databases(flat, databases, runs)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks score")
    parser.add_argument("--sizes", default=None, help="rows, comma-separated")
    parser.add_argument("--quick", action="store_true", help="10^5 rows, one run, small samples")
    parser.add_argument("--workloads", default="anchor,shuozhou")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--sample", type=int, default=None, help="rows for evaluate/durable")
    parser.add_argument("--batch-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=None, help="runs per engine (best kept)")
    parser.add_argument(
        "--in-memory", action="store_true", help="tables in and out, no Parquet I/O timed"
    )
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "subsidy-bench")
    parser.add_argument(
        "--formats",
        default=None,
        help="registry formats to compare, e.g. csv,parquet (`Engine.score` only), "
        "postgresql,sqlite (the score command in and out)",
    )
    args = parser.parse_args(argv)
    sizes = [
        int(s) for s in (args.sizes or ("100000" if args.quick else "100000,1000000")).split(",")
    ]
    args.repeat = args.repeat or (1 if args.quick else 2)
    engines = [e for e in args.engines.split(",") if e]
    args.data.mkdir(parents=True, exist_ok=True)
    print(
        f"batch scoring, {'in memory' if args.in_memory else 'Parquet to Parquet'}, eligible "
        f"rows out; best of {args.repeat} run(s); "
        f"peak = the engine's process's max resident memory"
    )
    for workload in (WORKLOADS[w] for w in args.workloads.split(",")):
        rule_count = len(workload.engine().rulebook.rules)
        sampled: dict[str, Result] = {}
        for n in sizes:
            print(f"\n{workload.name} workload, {n:,} profiles (as of {workload.as_of})")
            source = _input(workload, n, args.data)
            if args.formats:
                for line in _formats(workload, source, args):
                    print("  " + line)
                continue
            with tempfile.TemporaryDirectory() as out:
                results: dict[str, Result] = {}
                for name in engines:
                    if name in SAMPLED and name in sampled:
                        results[name] = sampled[name]
                        continue
                    results[name] = _measure(name, workload, source, Path(out), args)
                    if name in SAMPLED:
                        sampled[name] = results[name]
                for name in (s for s in SCORED if s in results):
                    if BASELINE in results and n <= 1_000_000:
                        agreement = _agreement(
                            workload, results[name].output, results[BASELINE].output
                        )
                        print(f"  {name} and hand Polars {agreement}")
                for line in _table(workload, n, results, rule_count):
                    print("  " + line)
            for name in SAMPLED:
                if name in results:
                    r = results[name]
                    setup = f"; one-time export {r.setup:.1f} s not counted" if r.setup else ""
                    print(
                        f"  * {name}: timed on the first {r.measurement.items:,} rows, seconds "
                        f"extrapolated to {n:,}; peak MB is for the sample{setup}"
                    )
            for line in _goals(workload, n, results):
                print("  " + line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2:])
    else:
        main(sys.argv[1:])
