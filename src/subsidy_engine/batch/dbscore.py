"""`score_database`: a registry table or query -> a results table (and its rejects), in batches,
in one transaction, with the run's provenance recorded.

The same path serves PostgreSQL and an embedded SQLite file. The registry is checked as a file
is (`check_registry`) on the query's columns before any row is scored; results and rejects go
to new tables (`T` and `T_rejects`) and the run to `subsidy_engine_runs`, all committed
together at the end, so a run that fails or is interrupted leaves nothing that looks complete.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine.__about__ import __version__
from subsidy_engine.batch.basis import kept_of
from subsidy_engine.batch.columns import chosen_columns
from subsidy_engine.batch.database import (
    Database,
    TableSink,
    database_batches,
    now,
    prepare_tables,
    record_run,
    source_query,
)
from subsidy_engine.batch.mapping import MappingLike, as_mapping, missing_columns, renames
from subsidy_engine.batch.recognise import MIN_FIELDS, check_registry
from subsidy_engine.batch.rollup import merge_rollups
from subsidy_engine.batch.scoring import DEFAULT_STATUSES, score_batches
from subsidy_engine.batch.stream import BATCH_ROWS, Progress, ScoreSummary, drain
from subsidy_engine.errors import InputError
from subsidy_engine.results import Status

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine


def score_database(
    engine: Engine,
    url: str,
    to_table: str,
    *,
    table: str | None = None,
    query: str | None = None,
    replace: bool = False,
    as_of: date | None = None,
    mapping: MappingLike | None = None,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
    columns: Iterable[str] | str | None = None,
    min_fields: float | None = MIN_FIELDS,
    units: Iterable[str] | None = None,
    to_url: str | None = None,
    summary_table: str | None = None,
    rollup_table: str | None = None,
    rollup_by: str = "county",
) -> ScoreSummary:
    """Score the registry `table` (or the rows `query` gives) of the database at `url` into
    the new table `to_table` (and `to_table`_rejects) of the database at `to_url` (default: the
    same one). InputError when the database cannot be reached, the query fails, the registry
    cannot be understood, or a target table exists and `replace` is not given; nothing is
    written then. `summary_table` also gets one row per scored enterprise with its totals, and
    `rollup_table` the roll-up by `rollup_by` × measure × payer (`ScoreSummary.rollup`), in the
    same transaction."""
    if batch_rows < 1:
        raise InputError(f"batch rows must be at least 1, not {batch_rows}")
    started, started_at = time.perf_counter(), now()
    day = as_of or date.today()
    sql = source_query(table, query)
    chosen = chosen_columns(columns, engine.rulebook.profile.key)
    mapping = as_mapping(mapping)
    source = Database(url)
    target = Database(to_url or url)
    rejects_table = f"{to_table}_rejects"
    extra = [t for t in (summary_table, rollup_table) if t is not None]
    named = [to_table, rejects_table, *extra]
    if len(set(named)) < len(named):
        raise InputError(f"each output needs its own table: {', '.join(named)}")
    rolled = None
    with target.transaction() as connection:
        prepare_tables(connection, target.kind, named, replace)
        shared = connection if source == target and source.kind == "sqlite" else None
        reader = database_batches(source, sql, batch_rows, shared)
        batches = _checked(reader, sql, mapping, engine, min_fields)
        results = score_batches(
            engine,
            batches,
            day,
            statuses=statuses,
            summary=summary_table is not None,
            mapping=mapping,
            columns=chosen,
            units=units,
            rollup=rollup_by if rollup_table is not None else None,
        )
        out = TableSink(connection, target.kind, to_table)
        rejects = TableSink(connection, target.kind, rejects_table)
        totals = TableSink(connection, target.kind, summary_table) if summary_table else None
        done = drain(results, out, rejects, totals, progress)
        if rollup_table is not None:
            rolled = merge_rollups(done.rollups, rollup_by)
            TableSink(connection, target.kind, rollup_table).write(rolled)
        book = engine.rulebook
        run_id = uuid.uuid4().hex
        record_run(
            connection,
            target.kind,
            {
                "run_id": run_id,
                "started_at": started_at,
                "finished_at": now(),
                "rulebook_id": book.id,
                "rulebook_sha256": book.sha256,
                "engine_version": __version__,
                "as_of": day.isoformat(),
                "reform": book.reform_label,
                "source": sql,
                "results_table": to_table,
                "rows_read": done.read,
                "rows_scored": done.scored,
                "rows_rejected": done.rejected,
                "results_written": out.rows,
                "kept": kept_of(statuses, units).to_json(),
            },
        )
    return done.summary(
        out.rows, started, None, rollup=rolled, rejects_table=rejects_table, run_id=run_id
    )


def _checked(
    batches: Iterator[pl.DataFrame],
    sql: str,
    mapping: MappingLike,
    engine: Engine,
    min_fields: float | None,
) -> Iterator[pl.DataFrame]:
    """The batches, after the first one's columns have been checked as a file's header is."""
    first = next(batches)
    problem = missing_columns(renames(mapping, engine.rulebook), first.columns)
    if problem:
        raise InputError(f"{sql}: {problem}")
    if first.columns and min_fields is not None:
        check_registry(sql, first.columns, as_mapping(mapping), engine.rulebook, min_fields)
    return chain([first], batches)
