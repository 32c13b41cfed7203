"""The same registry held in a database, scored by the command a registry office runs: `subsidy-
engine score --from URL --table registry --to-table results --replace` beside `subsidy-engine
score registry.parquet -o results.parquet`, each in a child process of its own, timed whole
(interpreter start and rulebook load included) with the child's own peak resident memory.

`python -m benchmarks score --formats postgresql,sqlite [--sizes 100000] [--repeat 3]`. The
registry is the file formats' one (`benchmarks.formats.flat_registry`: the scalar columns),
loaded before the clock starts: into a throwaway PostgreSQL cluster (`subsidy_engine.
postgres_cluster`) with typed columns, NUMERIC for money, by COPY; into an SQLite file (which
has no NUMERIC: amounts as exact text). Both load through the table writer the results use.
Every run writes the default statuses and columns. The formats take turns, run after run, and
the best run of each is kept; the ratio of seconds per row to Parquet's is the figure. Without
the PostgreSQL server binaries, `postgresql` is left out with the reason.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.formats import BASE, Runs
from benchmarks.timing import PEAK

ROOT = Path(__file__).parents[1]
DATABASES = ("postgresql", "sqlite")
_READ = re.compile(r"([\d,]+) rows read: ([\d,]+) scored")
_WRITTEN = re.compile(r"([\d,]+) results written")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    read: int
    scored: int
    written: int


def _load(url: str, registry: Path, batch_rows: int) -> None:
    """The Parquet `registry` as the table `registry` of the database at `url`, in one go."""
    import polars as pl

    from subsidy_engine.batch.database import Database, TableSink

    database = Database(url)
    with database.transaction() as connection:
        sink = TableSink(connection, database.kind, "registry")
        for batch in pq.ParquetFile(registry).iter_batches(batch_size=batch_rows):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            sink.write(frame)


@contextmanager
def _database(kind: str, registry: Path, folder: Path, batch_rows: int) -> Iterator[str]:
    """The URL of a database holding `registry`, for as long as the block runs."""
    if kind == "sqlite":
        path = folder / "registry.sqlite"
        sqlite3.connect(path).close()
        url = f"sqlite:///{path}"
        _load(url, registry, batch_rows)
        yield url
        return
    from subsidy_engine.postgres_cluster import throwaway_cluster

    with throwaway_cluster() as url:
        _load(url, registry, batch_rows)
        yield url


def _command(fmt: str, source: str, folder: Path, args: list[str]) -> list[str]:
    score = [sys.executable, "-m", "benchmarks.timing", "subsidy_engine.cli", "score"]
    if fmt == BASE:
        return [*score, source, "-o", str(folder / "results.parquet"), *args]
    return [*score, "--from", source, "--table", "registry", "--to-table", "results",
            "--replace", *args]  # fmt: skip


def _child(command: list[str], folder: Path) -> Run:
    """`command` run to its end: wall seconds, its own peak RSS (`benchmarks.timing`), and what
    it says it did."""
    out, err = folder / "stdout", folder / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        start = time.perf_counter()
        child = subprocess.run(command, cwd=ROOT, stdout=stdout, stderr=stderr, check=False)
        seconds = time.perf_counter() - start
    said, complaint = out.read_text(), err.read_text()
    read, written = _READ.search(said), _WRITTEN.search(said)
    peak = complaint.rstrip().rpartition("\n")[2].removeprefix(PEAK)
    if child.returncode or read is None or written is None:
        raise SystemExit(f"{' '.join(command)} failed:\n{said}{complaint[-3000:]}")
    number = [int(n.replace(",", "")) for n in (*read.groups(), written.group(1))]
    return Run(seconds, float(peak), *number)


def compare_databases(registry: Path, formats: list[str], runs: Runs) -> list[str]:
    """The table of seconds per row and peak memory by source, Parquet first."""
    from subsidy_engine.postgres_cluster import ClusterUnavailableError

    batch_rows, repeat = runs.batch_rows, runs.repeat
    args = [f"--as-of={runs.as_of.isoformat()}", f"--batch-rows={batch_rows}"]
    args += [f"--rulebook={runs.rulebook}"] if runs.rulebook is not None else []
    lines = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        commands = {BASE: _command(BASE, str(registry), folder, args)}
        for fmt in formats:
            try:
                url = stack.enter_context(_database(fmt, registry, folder, batch_rows))
            except ClusterUnavailableError as error:
                lines.append(f"{fmt} left out: {error}")
                continue
            commands[fmt] = _command(fmt, url, folder, args)
        best: dict[str, Run] = {}
        for _ in range(repeat):
            for fmt, command in commands.items():
                run = _child(command, folder)
                if fmt not in best or run.seconds < best[fmt].seconds:
                    best[fmt] = run
    outputs = {(r.read, r.scored, r.written) for r in best.values()}
    same = "the same rows scored and results" if len(outputs) == 1 else "DIFFERENT outputs"
    base = best[BASE].seconds / best[BASE].read
    lines += [
        f"the score command in and out, default statuses and columns; a child process each, "
        f"best of {repeat}, in turn; {same}",
        f"{'source → target':<26}{'rows':>10}{'results':>12}{'seconds':>10}{'rows/s':>10}"
        f"{'per row':>10}{'peak MB':>10}",
    ]
    for fmt, run in best.items():
        label = f"{fmt} → {'parquet' if fmt == BASE else fmt}"
        lines.append(
            f"{label:<26}{run.read:>10,}{run.written:>12,}{run.seconds:>10.2f}"
            f"{run.read / run.seconds:>10,.0f}{run.seconds / run.read / base:>9.2f}×"
            f"{run.peak_mb:>10,.0f}"
        )
    return lines
