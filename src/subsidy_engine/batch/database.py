"""Registries held in a database: PostgreSQL (psycopg 3) or an embedded SQLite file, one code path.

Rows are read through a server-side cursor, `batch_rows` at a time and turned into columns
`FETCH_ROWS` at a time, so memory is bounded as for files. NUMERIC columns arrive as `Decimal`
and stay exact (never a float); enums arrive as text, arrays as lists. Results go to a table
created, filled (PostgreSQL: COPY, its text formatted `COPY_ROWS` rows at a time, one piece
sent while the next is formatted) and recorded in the runs table inside one transaction: an
interrupted or failed run leaves nothing behind. A target table that already exists is refused
unless `replace`.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from subsidy_engine.errors import InputError

RUNS_TABLE = "subsidy_engine_runs"
FETCH_ROWS = 10_000
"""Registry rows turned from Python values into columns at a time: the values of a whole
batch are never held."""
COPY_ROWS = 50_000
"""Result rows formatted and sent to PostgreSQL at a time: the text of a batch's results is
never held whole."""
_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$"


@dataclass(frozen=True, slots=True)
class Database:
    """A database named by a URL: `postgresql://…` (or `postgres://…`), `sqlite:///path`."""

    url: str

    @property
    def kind(self) -> str:
        scheme = self.url.split(":", 1)[0].lower()
        if scheme in ("postgresql", "postgres"):
            return "postgresql"
        if scheme == "sqlite":
            return "sqlite"
        raise InputError(f"{self.url}: a database is postgresql://… or sqlite:///path")

    @property
    def shown(self) -> str:
        """The URL without its password, for messages."""
        return _shown(self.url)

    def connect(self) -> Any:
        """A DB-API connection; InputError naming the database when it cannot be reached."""
        try:
            if self.kind == "sqlite":
                path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
                if not path or not Path(path).is_file():
                    raise InputError(f"{self.url}: no such SQLite file")
                connection = sqlite3.connect(path, isolation_level=None)
                connection.execute("BEGIN")  # DDL too is inside the run's transaction
                return connection
            import psycopg

            return psycopg.connect(self.url, autocommit=False)
        except InputError:
            raise
        except Exception as error:
            raise InputError(f"{_shown(self.url)}: cannot connect: {_first(error)}") from None

    @contextmanager
    def looking(self) -> Iterator[Any]:
        """A connection to read with: rolled back and closed when the block ends."""
        connection = self.connect()
        try:
            yield connection
        finally:
            connection.rollback()
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A connection whose work is committed whole when the block ends, or rolled back
        (nothing written) when it raises."""
        connection = self.connect()
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()


def source_query(table: str | None, query: str | None) -> str:
    """The query that reads the registry: `query`, or every row of `table`."""
    if (table is None) == (query is None):
        raise InputError("give the registry as --table NAME or --query SQL (one of them)")
    if table is not None:
        return f"SELECT * FROM {quoted(table)}"
    assert query is not None
    return query


def quoted(name: str) -> str:
    """A table name as an SQL identifier (schema-qualified allowed); InputError otherwise."""
    import re

    if not re.fullmatch(_IDENTIFIER, name):
        raise InputError(f"{name!r} is not a table name (letters, digits and _; schema.table)")
    return ".".join(f'"{part}"' for part in name.split("."))


def database_batches(
    database: Database, query: str, rows: int, shared: Any = None
) -> Iterator[pl.DataFrame]:
    """The rows `query` gives, about `rows` at a time; one empty batch with the columns when
    there are none. InputError naming the query when it fails. `shared`: the connection the
    results are written through, when it must also read (SQLite has one writer per file, and
    a reader's lock would block it)."""
    connection = shared if shared is not None else database.connect()
    try:
        if database.kind == "postgresql":
            cursor = connection.cursor(name="subsidy_engine_registry")
            cursor.itersize = rows
        else:
            cursor = connection.cursor()
        try:
            cursor.execute(query)
        except Exception as error:
            raise InputError(
                f"the registry query failed: {_first(error)} (query: {query})"
            ) from None
        names = [d[0] for d in cursor.description or ()]
        sent = False
        while True:
            frame = _fetch(cursor, names, rows)
            if frame.height == 0 and sent:
                break
            sent = True
            yield frame
            if frame.height < rows:
                break
    finally:
        if shared is None:
            connection.rollback()
            connection.close()


def _fetch(cursor: Any, names: list[str], rows: int) -> pl.DataFrame:
    """The cursor's next `rows` rows (fewer at its end) as columns, turned into columns
    `FETCH_ROWS` at a time; decimals become a decimal column of the widest scale seen (exact),
    a column of nulls only is text."""
    pieces = []
    wanted = rows
    while wanted > 0:
        chunk = cursor.fetchmany(min(wanted, FETCH_ROWS))
        if not chunk:
            break
        pieces.append(_frame(names, chunk))
        wanted -= len(chunk)
    whole = pl.concat(pieces, how="vertical_relaxed") if pieces else _frame(names, [])
    return whole.with_columns(pl.col(pl.Null).cast(pl.String))


def _frame(names: list[str], rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pl.DataFrame([_series(n, v) for n, v in zip(names, columns, strict=True)])


def _series(name: str, values: Sequence[Any]) -> pl.Series:
    """One column's values. Decimals go through their exact text, which Polars reads far faster
    than `Decimal` objects, into a decimal column of the widest scale seen; a column holding
    one that is not finite or has too many digits stays text, which validation rejects."""
    given = next((v for v in values if v is not None), None)
    if given is None:
        return pl.Series(name, values, dtype=pl.Null)
    if not isinstance(given, Decimal):
        return pl.Series(name, values, strict=False)
    text = pl.Series(name, [None if v is None else format(v, "f") for v in values])
    scale = text.str.extract(r"\.(\d+)$").str.len_chars().max()
    read = text.str.to_decimal(scale=scale if isinstance(scale, int) else 0)
    return read if read.null_count() == text.null_count() else text


class TableSink:
    """Result frames appended to a new table inside the connection's open transaction."""

    def __init__(self, connection: Any, kind: str, table: str) -> None:
        self.connection = connection
        self.kind = kind
        self.table = quoted(table)
        self.rows = 0
        self._columns: list[str] | None = None
        self._schema: pl.Schema | None = None

    def write(self, frame: pl.DataFrame) -> None:
        if self._schema is None:
            self._schema = frame.schema
            self._columns = frame.columns
            self._create(frame.schema)
        else:
            frame = frame.cast(self._schema)
        if frame.height == 0:
            return
        self.rows += frame.height
        if self.kind == "postgresql":
            self._copy(frame)
        else:
            marks = ", ".join("?" for _ in frame.columns)
            self.connection.executemany(
                f"INSERT INTO {self.table} VALUES ({marks})",
                (tuple(_sqlite_value(v) for v in row) for row in frame.iter_rows()),
            )

    def _create(self, schema: pl.Schema) -> None:
        columns = ", ".join(
            f'"{name}" {_sql_type(dtype, self.kind)}' for name, dtype in schema.items()
        )
        self.connection.execute(f"CREATE TABLE {self.table} ({columns})")

    def _copy(self, frame: pl.DataFrame) -> None:
        from psycopg.copy import QueuedLibpqWriter

        names = ", ".join(f'"{c}"' for c in frame.columns)
        statement = f"COPY {self.table} ({names}) FROM STDIN WITH (FORMAT csv)"
        # the queue's thread sends one piece while the next is formatted
        with (
            self.connection.cursor() as cursor,
            cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy,
        ):
            for piece in frame.iter_slices(COPY_ROWS):
                copy.write(_copy_text(piece))


def _copy_text(frame: pl.DataFrame) -> bytes:
    """`frame` as PostgreSQL's CSV: NULL unquoted and empty, text always quoted, arrays as
    `{"a","b"}`."""
    lists = [n for n, d in frame.schema.items() if isinstance(d, pl.List)]
    item = '"' + pl.element().cast(pl.String).str.replace_all('"', '\\"', literal=True) + '"'
    arrays = [("{" + pl.col(n).list.eval(item).list.join(",") + "}").alias(n) for n in lists]
    flat = frame.with_columns(*arrays, pl.col(pl.Enum, pl.Categorical).cast(pl.String))
    text = io.BytesIO()
    flat.write_csv(text, include_header=False, quote_style="non_numeric", null_value="")
    return text.getvalue()


def _sql_type(dtype: pl.DataType, kind: str) -> str:
    if isinstance(dtype, pl.Decimal):
        return f"NUMERIC({dtype.precision or 38},{dtype.scale})" if kind == "postgresql" else "TEXT"
    if isinstance(dtype, pl.List):
        return "TEXT[]" if kind == "postgresql" else "TEXT"
    if dtype in (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16):
        return "INTEGER"
    if dtype in (pl.Int64, pl.UInt32, pl.UInt64):
        return "BIGINT"
    if dtype in (pl.Float32, pl.Float64):
        return "DOUBLE PRECISION" if kind == "postgresql" else "REAL"
    if dtype == pl.Boolean:
        return "BOOLEAN"
    if dtype == pl.Date:
        return "DATE"
    return "TEXT"


def _sqlite_value(value: Any) -> Any:
    """A value as SQLite stores it: decimals and dates as their exact text, lists as JSON."""
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def table_exists(connection: Any, kind: str, table: str) -> bool:
    if kind == "sqlite":
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)
        ).fetchone()
        return found is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", (quoted(table),))
        row = cursor.fetchone()
    return row is not None and row[0] is not None


def table_columns(connection: Any, kind: str, table: str) -> set[str]:
    """The names of the columns of the existing table `table`."""
    if kind == "sqlite":
        return {row[1] for row in connection.execute(f"PRAGMA table_info({quoted(table)})")}
    with connection.cursor() as cursor:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
        cursor.execute(sql, (table,))
        return {row[0] for row in cursor.fetchall()}


def prepare_tables(connection: Any, kind: str, tables: Sequence[str], replace: bool) -> None:
    """Refuse (or, with `replace`, drop) tables that already exist, inside the transaction."""
    for table in tables:
        if table_exists(connection, kind, table):
            if not replace:
                raise InputError(f"table {table} already exists (give --replace to overwrite it)")
            connection.execute(f"DROP TABLE {quoted(table)}")


def record_run(connection: Any, kind: str, run: dict[str, Any]) -> None:
    """One row in the runs table (created when absent) saying what the run did."""
    text = "TEXT"
    whole = "BIGINT"
    columns = {
        "run_id": text, "started_at": text, "finished_at": text, "rulebook_id": text,
        "rulebook_sha256": text, "engine_version": text, "as_of": text, "reform": text,
        "source": text, "results_table": text, "rows_read": whole, "rows_scored": whole,
        "rows_rejected": whole, "results_written": whole, "kept": text,
    }  # fmt: skip
    defined = ", ".join(f"{name} {kind_}" for name, kind_ in columns.items())
    connection.execute(f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} ({defined})")
    # a runs table written before a column was added gets it, empty on its earlier runs
    there = table_columns(connection, kind, RUNS_TABLE)
    for name in (n for n in columns if n not in there):
        connection.execute(f"ALTER TABLE {RUNS_TABLE} ADD COLUMN {name} {columns[name]}")
    marks = ", ".join(("?" if kind == "sqlite" else "%s") for _ in columns)
    values = tuple(run.get(name) for name in columns)
    connection.execute(f"INSERT INTO {RUNS_TABLE} ({', '.join(columns)}) VALUES ({marks})", values)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _first(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _shown(url: str) -> str:
    """`url` without a password."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
