"""A registry snapshot read batch by batch as typed profiles, and a hash of each row's facts.

The hash is taken over the profile's fields after reading, mapping and validation, so it sees
values, not how they were written: the same registry as CSV, Parquet or a database table
hashes the same (a decimal at the field's scale, a date as a date, a list in its order). Rows
are numbered as in the snapshot (a rejected row takes its number too), across batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from subsidy_engine.batch.database import Database, database_batches
from subsidy_engine.batch.frames import ROW
from subsidy_engine.batch.mapping import ColumnMapping
from subsidy_engine.batch.recognise import recognise
from subsidy_engine.batch.registry import Reading, registry_batches
from subsidy_engine.batch.salvage import UNREADABLE
from subsidy_engine.batch.scoring import Profiles, read_profiles
from subsidy_engine.batch.stream import BATCH_ROWS
from subsidy_engine.errors import InputError
from subsidy_engine.rulebook.rulebook import Rulebook


@dataclass(frozen=True, slots=True)
class Query:
    """A snapshot held in a database: the rows `sql` gives, fetched in batches each time the
    snapshot is read."""

    database: Database
    sql: str


Snapshot = Path | Query | pl.DataFrame
"""A registry snapshot: a file, a database query, or its rows already read."""
HASH = "__hash"


def snapshot_profiles(
    rulebook: Rulebook, snapshot: Snapshot, mapping: ColumnMapping, reading: Reading | None
) -> Iterator[Profiles]:
    """The snapshot's rows read as profiles, `BATCH_ROWS` at a time; InputError when it has no
    column that holds the profile's key."""
    offset = 0
    for batch in _batches(snapshot, reading):
        if offset == 0:
            _check_key(rulebook, batch.columns, mapping, snapshot)
        read = read_profiles(rulebook, batch, row_offset=offset, mapping=mapping)
        offset += read.rows_read
        yield read


def hashed(valid: pl.DataFrame) -> pl.DataFrame:
    """Valid profiles (`Profiles.valid`) with the hash of each row's facts in HASH."""
    facts = [c for c in valid.columns if c != ROW]
    return valid.with_columns(pl.struct(facts).hash().alias(HASH))


def row_hashes(
    rulebook: Rulebook, snapshot: Snapshot, mapping: ColumnMapping, reading: Reading | None
) -> pl.DataFrame:
    """Per valid row of the snapshot: its key, the hash of its facts (HASH) and its number
    (ROW); only these are kept, batch after batch."""
    key = rulebook.profile.key
    assert key is not None
    parts = [
        hashed(read.valid).select(key, HASH, ROW)
        for read in snapshot_profiles(rulebook, snapshot, mapping, reading)
    ]
    return pl.concat(parts)


def profiles_at(
    rulebook: Rulebook,
    snapshot: Snapshot,
    rows: pl.Series,
    mapping: ColumnMapping,
    reading: Reading | None,
) -> pl.DataFrame:
    """The valid profiles of the snapshot's rows numbered `rows`, without their numbers: only
    those rows are read as profiles, and the snapshot only up to the last of them."""
    if not len(rows):
        return pl.DataFrame()
    offset, left, parts = 0, len(rows), []
    for batch in _batches(snapshot, reading):
        end = offset + batch.height
        here = rows.filter((rows >= offset) & (rows < end)) - offset
        if len(here):
            chosen = batch.select(pl.all().gather(here))
            parts.append(read_profiles(rulebook, chosen, mapping=mapping).valid.drop(ROW))
            left -= len(here)
            if not left:
                break
        offset = end
    return pl.concat(parts) if parts else pl.DataFrame()


def _batches(snapshot: Snapshot, reading: Reading | None) -> Iterator[pl.DataFrame]:
    if isinstance(snapshot, Path):
        yield from registry_batches(snapshot, reading, BATCH_ROWS)
    elif isinstance(snapshot, Query):
        yield from database_batches(snapshot.database, snapshot.sql, BATCH_ROWS)
    elif snapshot.height:
        yield from snapshot.iter_slices(BATCH_ROWS)
    else:
        yield snapshot


def _check_key(
    rulebook: Rulebook, columns: list[str], mapping: ColumnMapping, snapshot: Snapshot
) -> None:
    key = rulebook.profile.key
    named = [c for c in columns if c != UNREADABLE]
    if key not in recognise(named, mapping, rulebook).fields.values():
        where = "" if isinstance(snapshot, pl.DataFrame) else f"{_shown(snapshot)}: "
        raise InputError(f"{where}the registry has no key column ({key})")


def _shown(snapshot: Path | Query) -> str:
    return str(snapshot) if isinstance(snapshot, Path) else snapshot.sql
