"""`score_file`: a registry file -> results, rejects and totals files, in bounded memory.

The registry is read batch by batch, each batch scored (rows numbered across batches) and its
results appended to the output before the next batch is read, so memory depends on the batch
size, not on the registry's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import polars as pl

from subsidy_engine import interrupt
from subsidy_engine.atomic import Outputs, check_targets
from subsidy_engine.batch.basis import METADATA_KEY, RunBasis, kept_of, sidecar
from subsidy_engine.batch.columns import chosen_columns
from subsidy_engine.batch.mapping import MappingLike, as_mapping, missing_columns, renames
from subsidy_engine.batch.recognise import MIN_FIELDS, check_registry
from subsidy_engine.batch.registry import (
    Reading,
    file_format,
    registry_batches,
    row_count,
    scan_registry,
)
from subsidy_engine.batch.rollup import merge_rollups
from subsidy_engine.batch.salvage import UNREADABLE
from subsidy_engine.batch.scoring import DEFAULT_STATUSES, ScoreResult, score_batches
from subsidy_engine.batch.sinks import Sink
from subsidy_engine.errors import InputError
from subsidy_engine.results import Status

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

BATCH_ROWS = 100_000
Progress = Callable[[int], None]
"""Called after each batch with the number of rows read so far."""


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """What `score_file` did. `rows_read == rows_scored + rows_rejected`, always."""

    rows_read: int
    rows_scored: int
    rows_rejected: int
    results_written: int
    seconds: float
    rejects_path: Path | None
    """Where the rejected rows went (a file), or None when they went to `rejects_table`."""
    rollup: pl.DataFrame | None = None
    rejects_table: str | None = None
    run_id: str | None = None
    """A database run's id in the runs table."""

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


class FrameSink(Protocol):
    """Where result frames go, batch after batch (a file, a database table)."""

    def write(self, frame: pl.DataFrame) -> None: ...


@dataclass
class Drained:
    """What the batches held: row counts and the roll-up parts."""

    read: int = 0
    scored: int = 0
    rejected: int = 0
    rollups: list[pl.DataFrame] = field(default_factory=list)

    def summary(
        self,
        written: int,
        started: float,
        rejects_path: Path | None,
        *,
        rollup: pl.DataFrame | None = None,
        rejects_table: str | None = None,
        run_id: str | None = None,
    ) -> ScoreSummary:
        """The run's summary, its time counted from `started` (`time.perf_counter()`)."""
        return ScoreSummary(
            rows_read=self.read,
            rows_scored=self.scored,
            rows_rejected=self.rejected,
            results_written=written,
            seconds=time.perf_counter() - started,
            rejects_path=rejects_path,
            rollup=rollup,
            rejects_table=rejects_table,
            run_id=run_id,
        )


def drain(
    results: Iterable[ScoreResult],
    out: FrameSink,
    rejects: FrameSink,
    totals: FrameSink | None = None,
    progress: Progress | None = None,
) -> Drained:
    """Every batch's results, rejects and totals written, its counts added up."""
    done = Drained()
    for result in results:
        interrupt.check()
        out.write(result.results)
        rejects.write(result.rejects)
        if totals is not None and result.summary is not None:
            totals.write(result.summary)
        if result.rollup is not None:
            done.rollups.append(result.rollup)
        done.read += result.rows_read
        done.scored += result.rows_scored
        done.rejected += result.rows_rejected
        if progress is not None:
            progress(done.read)
    return done


def rejects_path_for(output: Path) -> Path:
    """Where the rejected rows go by default: beside the output, `<stem>.rejects.csv`."""
    return output.with_name(f"{output.stem}.rejects.csv")


def score_file(
    engine: Engine,
    input: Path | str,
    output: Path | str,
    *,
    as_of: date | None = None,
    mapping: MappingLike | None = None,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    summary_path: Path | str | None = None,
    rejects_path: Path | str | None = None,
    batch_rows: int = BATCH_ROWS,
    input_format: str | None = None,
    progress: Progress | None = None,
    columns: Iterable[str] | str | None = None,
    min_fields: float | None = MIN_FIELDS,
    units: Iterable[str] | None = None,
    rollup_path: Path | str | None = None,
    rollup_by: str = "county",
    encoding: str | None = None,
    sheet: str | None = None,
    bom: bool = False,
) -> ScoreSummary:
    """Score the registry file `input` (Parquet, CSV or JSON Lines) into `output` (one row per
    enterprise × rule × item, statuses and columns as chosen), its bad rows into `rejects_path`
    (row, key, reason; default `rejects_path_for(output)`) and, with `summary_path`, one row per
    scored enterprise with its totals. InputError when a file cannot be read, a mapped column
    is absent, a result column is unknown, or the registry cannot be understood (no key column,
    fewer than `min_fields` of the fields the rulebook reads, 万元 read as yuan: `check_registry`;
    `min_fields=None` scores any table without that check), and, before anything is read, when
    an output is the input or two outputs are one file. `units` keeps the results of rules with
    those units; `rollup_path` also writes the roll-up by `rollup_by` × measure × payer
    (`ScoreSummary.rollup`). `encoding` and `sheet` say how to read a CSV or an Excel file;
    `bom` starts CSV outputs with a UTF-8 BOM, for Excel. What the results depend on besides
    the rows (rulebook id and hash, `as_of`, reform: `batch.basis`) is recorded in a Parquet
    output's metadata, or beside another output in `OUTPUT.run.json`.

    The outputs appear together once every row is scored; a run that fails or is interrupted
    leaves any previous files of those names as they were (see `subsidy_engine.atomic`)."""
    if batch_rows < 1:
        raise InputError(f"batch rows must be at least 1, not {batch_rows}")
    started = time.perf_counter()
    source, target = Path(input), Path(output)
    rejected_to = Path(rejects_path) if rejects_path is not None else rejects_path_for(target)
    one_book = rejects_path is None and target.suffix.lower() == ".xlsx"
    if one_book:
        rejected_to = target  # the workbook's "rejects" sheet
    summary_target = Path(summary_path) if summary_path is not None else None
    rollup_target = Path(rollup_path) if rollup_path is not None else None
    separate = [rejected_to] if not one_book else []
    extra = [p for p in (summary_target, rollup_target) if p is not None]
    recorded = [] if file_format(target) == "parquet" else [sidecar(target)]
    check_targets([target, *separate, *extra, *recorded], [source])
    chosen = chosen_columns(columns, engine.rulebook.profile.key)
    mapping = as_mapping(mapping)
    reading = Reading(input_format, encoding, sheet)
    _check_columns(source, reading, mapping, engine, min_fields)
    batches = registry_batches(source, reading, batch_rows)
    day = as_of or date.today()
    results = score_batches(
        engine,
        batches,
        day,
        statuses=statuses,
        summary=summary_path is not None,
        mapping=mapping,
        columns=chosen,
        units=units,
        rollup=rollup_by if rollup_path is not None else None,
    )
    expected = row_count(source, reading)
    rolled = None
    basis = RunBasis.of(engine.rulebook, day, kept_of(statuses, units)).to_json()
    in_file = file_format(target) == "parquet"
    with interrupt.trapped(), Outputs([source]) as outputs:
        with ExitStack() as files:

            def sink(path: Path, metadata: dict[str, str] | None = None) -> Sink:
                return files.enter_context(
                    Sink(outputs.add(path), file_format(path), bom=bom, metadata=metadata)
                )

            out = sink(target, {METADATA_KEY: basis} if in_file else None)
            rejects = out.sheet("rejects") if one_book else sink(rejected_to)
            totals = sink(summary_target) if summary_target is not None else None
            done = drain(results, out, rejects, totals, progress)
        if not in_file:
            outputs.add(sidecar(target)).write_text(basis + "\n", encoding="utf-8")
        interrupt.check()
        if expected is not None and done.read != expected:
            raise InputError(f"{source}: {done.read:,} rows read but the file holds {expected:,}")
        if rollup_target is not None:
            rolled = merge_rollups(done.rollups, rollup_by)
            with Sink(outputs.add(rollup_target), file_format(rollup_target), bom=bom) as rolls:
                rolls.write(rolled)
    return done.summary(out.rows, started, rejected_to, rollup=rolled)


def _check_columns(
    source: Path,
    reading: Reading,
    mapping: MappingLike,
    engine: Engine,
    min_fields: float | None,
) -> None:
    named = scan_registry(source, reading, salvage=True).collect_schema().names()
    columns = [c for c in named if c != UNREADABLE]
    problem = missing_columns(renames(mapping, engine.rulebook), columns)
    if problem:
        raise InputError(f"{source}: {problem}")
    if columns and min_fields is not None:
        check_registry(str(source), columns, as_mapping(mapping), engine.rulebook, min_fields)
