"""Spark beside `score` on one Parquet file: `python -m benchmarks spark [--rows N] [--cores C]`.

Both read the same synthetic Shuozhou registry and write their results (default statuses) and
rejects as Parquet; `score_file` on one process is the baseline. The local Spark session is
started before the clock (its start-up time is printed apart); building the engine on each
Python worker is part of the Spark run, as it is part of every job on a cluster.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks.timing import Measurement, report
from subsidy_engine import Engine
from subsidy_engine.batch import score_file
from subsidy_engine.synthetic import write_parquet

AS_OF = date(2019, 12, 31)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks spark")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    args = parser.parse_args(argv)
    rows = 100_000 if args.quick else args.rows
    engine = Engine()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = write_parquet(engine.rulebook, rows, work / "registry.parquet", seed=2019)

        started = time.perf_counter()
        summary = score_file(engine, source, work / "score.parquet", as_of=AS_OF)
        single = Measurement("score_file (one process)", time.perf_counter() - started, rows)

        from subsidy_engine.spark import local_session, score_spark

        started = time.perf_counter()
        spark = local_session(args.cores)
        spark.sparkContext.setLogLevel("ERROR")
        startup = time.perf_counter() - started
        started = time.perf_counter()
        scored = score_spark(spark.read.parquet(str(source)), as_of=AS_OF, rulebook=engine)
        scored.write(str(work / "spark-results"), str(work / "spark-rejects"))
        label = f"score_spark (local[{args.cores}])"
        distributed = Measurement(label, time.perf_counter() - started, rows)
        spark.stop()

        spark_rows = pl.scan_parquet(work / "spark-results" / "*.parquet").select(pl.len())
        same = (
            spark_rows.collect().item()
            == pl.scan_parquet(work / "score.parquet").select(pl.len()).collect().item()
        )
        print(
            f"{rows:,} profiles, {summary.rows_rejected:,} rejected; Spark session start-up "
            f"{startup:.1f} s not counted; result row counts {'agree' if same else 'DIFFER'}"
        )
        report("Parquet to Parquet, profiles", [single, distributed], single.name)
