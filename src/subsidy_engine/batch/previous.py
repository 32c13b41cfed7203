"""The previous run a change-only run compares with: a scored file, a results table, or a run
recorded in a database's runs table, with the basis it was scored under (`basis`) when the run
recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from subsidy_engine.batch.basis import METADATA_KEY, Kept, RunBasis, sidecar
from subsidy_engine.batch.database import (
    RUNS_TABLE,
    Database,
    database_batches,
    quoted,
    table_columns,
    table_exists,
)
from subsidy_engine.batch.registry import file_format, scan_registry
from subsidy_engine.batch.stream import BATCH_ROWS
from subsidy_engine.errors import InputError


@dataclass(frozen=True, slots=True)
class PreviousRun:
    """A previous run's results and, when it was recorded, its basis."""

    results: pl.DataFrame | pl.LazyFrame
    """A file's results are scanned: only the columns compared are read."""
    basis: RunBasis | None
    source: str
    """Where the results came from, for messages."""


def from_file(path: Path) -> PreviousRun:
    """A scored file and its basis (Parquet metadata, else the sidecar; None when neither)."""
    results = scan_registry(path)
    basis = None
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

        metadata = pq.read_schema(path).metadata or {}
        text = metadata.get(METADATA_KEY.encode())
        if text is not None:
            basis = RunBasis.from_json(text, str(path))
    if basis is None and sidecar(path).is_file():
        basis = RunBasis.from_json(sidecar(path).read_bytes(), str(sidecar(path)))
    return PreviousRun(results, basis, str(path))


def from_table(database: Database, table: str) -> PreviousRun:
    """The results table `table` and the basis of the latest run that wrote it."""
    with database.looking() as connection:
        _check_table(connection, database, table)
        found = _runs(connection, database, "results_table", table)
    basis = _basis(found[0], database) if found else None
    return PreviousRun(read_query(database, f"SELECT * FROM {quoted(table)}"), basis, table)


def from_run(database: Database, run_id: str) -> PreviousRun:
    """The results of the run `run_id` of the runs table, and its basis."""
    with database.looking() as connection:
        if not table_exists(connection, database.kind, RUNS_TABLE):
            raise InputError(f"{database.shown}: no run {run_id}: the database has no runs table")
        found = _runs(connection, database, "run_id", run_id)
        if not found:
            raise InputError(f"{database.shown}: no run {run_id} in {RUNS_TABLE}")
        table = str(found[0]["results_table"])
        _check_table(connection, database, table, f" (the results of run {run_id})")
    results = read_query(database, f"SELECT * FROM {quoted(table)}")
    return PreviousRun(results, _basis(found[0], database), f"run {run_id} ({table})")


def read_query(database: Database, sql: str) -> pl.DataFrame:
    """Every row `sql` gives, as one frame."""
    batches = list(database_batches(database, sql, BATCH_ROWS))
    return pl.concat(batches, how="vertical_relaxed") if len(batches) > 1 else batches[0]


def read_table(database: Database, table: str) -> pl.DataFrame:
    """Every row of `table`; InputError naming it when it does not exist."""
    return read_query(database, table_query(database, table))


def table_query(database: Database, table: str) -> str:
    """The query that selects every row of `table`; InputError naming it when it does not
    exist."""
    with database.looking() as connection:
        _check_table(connection, database, table)
    return f"SELECT * FROM {quoted(table)}"


def _check_table(connection: Any, database: Database, table: str, why: str = "") -> None:
    quoted(table)
    if not table_exists(connection, database.kind, table):
        raise InputError(f"{database.shown}: no table {table}{why}")


_BASIS_COLUMNS = ("rulebook_id", "rulebook_sha256", "as_of", "reform", "results_table", "kept")


def _runs(connection: Any, database: Database, column: str, value: str) -> list[dict[str, Any]]:
    """The runs whose `column` is `value`, the latest first."""
    if not table_exists(connection, database.kind, RUNS_TABLE):
        return []
    mark = "?" if database.kind == "sqlite" else "%s"
    # a runs table written before runs recorded what they kept has no `kept`
    there = table_columns(connection, database.kind, RUNS_TABLE)
    named = [c for c in _BASIS_COLUMNS if c in there]
    sql = (
        f"SELECT {', '.join(named)} FROM {RUNS_TABLE} WHERE {column} = {mark} "
        "ORDER BY finished_at DESC"
    )
    cursor = connection.cursor()
    cursor.execute(sql, (value,))
    return [dict(zip(named, row, strict=True)) for row in cursor.fetchall()]


def _basis(run: dict[str, Any], database: Database) -> RunBasis:
    reform, kept = run["reform"], run.get("kept")
    return RunBasis(
        str(run["rulebook_id"]),
        str(run["rulebook_sha256"]),
        str(run["as_of"]),
        None if reform is None else str(reform),
        Kept.from_json(None if kept is None else str(kept), f"{database.shown}: {RUNS_TABLE}"),
    )
