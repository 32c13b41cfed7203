"""A throwaway PostgreSQL cluster for the database tests (`subsidy_engine.postgres_cluster`),
one per test session, and a database of each kind loaded with a test's tables. Without the
server binaries the fixture fails (it never skips), saying what to install (.ci/run installs
Debian's `postgresql` package).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine.batch.database import Database, TableSink, prepare_tables
from subsidy_engine.postgres_cluster import ClusterUnavailableError, throwaway_cluster


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database for this test session."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_cluster())
        except ClusterUnavailableError as error:
            pytest.fail(str(error))
        yield url


DatabaseWith = Callable[[dict[str, pl.DataFrame]], Database]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_with(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseWith:
    """`database_with(tables)`: a database holding `tables` (name -> rows, replacing any table
    of that name), once of each kind: a fresh SQLite file and the session's PostgreSQL
    database."""
    if request.param == "sqlite":
        path = tmp_path / "registry.sqlite"
        sqlite3.connect(path).close()
        found = Database(f"sqlite:///{path}")
    else:
        found = Database(request.getfixturevalue("postgres_url"))

    def load(tables: dict[str, pl.DataFrame]) -> Database:
        with found.transaction() as connection:
            prepare_tables(connection, found.kind, list(tables), replace=True)
            for name, frame in tables.items():
                TableSink(connection, found.kind, name).write(frame)
        return found

    return load
