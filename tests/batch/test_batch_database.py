"""Registries in a database, PostgreSQL (a real server, `postgres_url`) and SQLite, by one code
path: the same answers as the same rows scored as a table (NUMERIC exact, enums, arrays), rows
read = scored + rejected, results written in one transaction with the run recorded, nothing
written when anything fails."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, InputError
from subsidy_engine.batch import database
from subsidy_engine.batch.dbscore import score_database

ROOT = Path(__file__).parents[2]
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"
COLUMNS = ("credit_code", "county", "flag", "sales", "ratio", "employees", "start", "years", "tags")
PG_TYPES = "text, county, boolean, numeric(20,2), numeric(6,4), integer, date, integer[], text[]"

row_strategy = st.fixed_dictionaries(
    {
        "credit_code": st.sampled_from([GOOD, "坏代码", None]),
        "county": st.sampled_from(["东区", "西区", "南区", None]),
        "flag": st.sampled_from([True, False, None]),
        "sales": st.one_of(st.none(), st.decimals(0, 10**12, places=2, allow_nan=False)),
        "ratio": st.one_of(st.none(), st.decimals(0, 1, places=4, allow_nan=False)),
        "employees": st.one_of(st.none(), st.integers(-5, 3000)),
        "start": st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2022, 12, 31))),
        "years": st.one_of(st.none(), st.lists(st.integers(2010, 2022), max_size=3)),
        "tags": st.one_of(st.none(), st.lists(st.sampled_from(["甲", "乙"]), max_size=2)),
    }
)


def _load_postgres(url: str, table: str, rows: list[dict[str, Any]]) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "DO $$ BEGIN CREATE TYPE county AS ENUM ('东区', '西区', '南区'); "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        typed = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, PG_TYPES.split(", "), strict=True))
        connection.execute(f"CREATE TABLE {table} ({typed})")
        marks = ", ".join("%s" for _ in COLUMNS)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} VALUES ({marks})",
                [tuple(r[c] for c in COLUMNS) for r in rows],
            )


def _load_sqlite(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(f"CREATE TABLE {table} ({', '.join(COLUMNS)})")
        values = [tuple(_sqlite_cell(r[c]) for c in COLUMNS) for r in rows]
        connection.executemany(
            f"INSERT INTO {table} VALUES ({', '.join('?' for _ in COLUMNS)})", values
        )


def _sqlite_cell(value: Any) -> Any:
    """A value as a flat registry holds it: exact text for decimals and dates, JSON lists."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value) if isinstance(value, Decimal | date) else value


def _expected(rows: list[dict[str, Any]]) -> Any:
    frame = pl.DataFrame(
        rows,
        schema={
            "credit_code": pl.String, "county": pl.String, "flag": pl.Boolean,
            "sales": pl.Decimal(20, 2), "ratio": pl.Decimal(6, 4), "employees": pl.Int64,
            "start": pl.Date, "years": pl.List(pl.Int64), "tags": pl.List(pl.String),
        },
    )  # fmt: skip
    return KITCHEN.score(frame, AS_OF, statuses="all")


def _table(connection: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in connection.execute(sql).fetchall()]


def _results_postgres(url: str, table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as connection:
        return _table(
            connection, f"SELECT row, rule_id, item, status, amount, potential_amount FROM {table}"
        )


def _rows(result: Any) -> list[tuple[Any, ...]]:
    frame = result.results.select(
        "row", pl.col("rule_id").cast(pl.String), "item", pl.col("status").cast(pl.String),
        "amount", "potential_amount",
    )  # fmt: skip
    return [tuple(r) for r in frame.iter_rows()]


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(row_strategy, max_size=9),
    batch_rows=st.integers(1, 4),
    fetch_rows=st.integers(1, 3),
    copy_rows=st.integers(1, 40),
)
def test_postgres_scores_as_the_same_rows_in_a_table(
    postgres_url: str, rows: list[dict[str, Any]], batch_rows: int, fetch_rows: int, copy_rows: int
) -> None:
    _load_postgres(postgres_url, "registry", rows)
    with pytest.MonkeyPatch.context() as patch:  # a batch read and written in several pieces
        patch.setattr(database, "FETCH_ROWS", fetch_rows)
        patch.setattr(database, "COPY_ROWS", copy_rows)
        done = score_database(
            KITCHEN, postgres_url, "results", table="registry", replace=True, as_of=AS_OF,
            statuses="all", batch_rows=batch_rows, min_fields=None,
        )  # fmt: skip
    expected = _expected(rows)
    assert done.rows_read == len(rows) == done.rows_scored + done.rows_rejected
    assert done.rows_rejected == expected.rows_rejected
    got = sorted(_results_postgres(postgres_url, "results"), key=lambda r: (r[0], r[1], r[2] or 0))
    want = sorted(_rows(expected), key=lambda r: (r[0], r[1], r[2] or 0))
    assert got == want
    with psycopg.connect(postgres_url) as connection:
        rejected = _table(connection, "SELECT row FROM results_rejects ORDER BY row")
    assert [r[0] for r in rejected] == expected.rejects["row"].to_list()


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(row_strategy, max_size=9), batch_rows=st.integers(1, 4))
def test_sqlite_scores_as_the_same_rows_in_a_table(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]], batch_rows: int
) -> None:
    path = tmp_path_factory.mktemp("sqlite") / "registry.sqlite"
    _load_sqlite(path, "registry", rows)
    from subsidy_engine.batch.mapping import ColumnMapping, FieldMapping

    lists = ColumnMapping(
        columns={"years": FieldMapping(column="years", list_format="json"),
                 "tags": FieldMapping(column="tags", list_format="json")}
    )  # fmt: skip
    done = score_database(
        KITCHEN, f"sqlite:///{path}", "results", table="registry", as_of=AS_OF, statuses="all",
        batch_rows=batch_rows, min_fields=None, mapping=lists,
    )  # fmt: skip
    expected = _expected(rows)
    assert done.rows_read == len(rows) == done.rows_scored + done.rows_rejected
    with sqlite3.connect(path) as connection:
        got = _table(
            connection, "SELECT row, rule_id, item, status, amount, potential_amount FROM results"
        )
    want = [tuple(str(v) if isinstance(v, Decimal) else v for v in r) for r in _rows(expected)]
    assert sorted(got, key=str) == sorted(want, key=str)


def test_a_numeric_that_is_not_a_number_rejects_its_row_alone(postgres_url: str) -> None:
    rows = [
        {c: None for c in COLUMNS} | {"credit_code": GOOD, "sales": Decimal(s)}
        for s in ("12.5", "NaN", "0.125")
    ]
    _load_postgres(postgres_url, "reg_nan", rows)
    done = score_database(
        KITCHEN, postgres_url, "res_nan", table="reg_nan", replace=True, as_of=AS_OF,
        statuses="all", min_fields=None,
    )  # fmt: skip
    assert (done.rows_read, done.rows_scored, done.rows_rejected) == (3, 2, 1)
    with psycopg.connect(postgres_url) as connection:
        rejected = _table(connection, "SELECT row, reason FROM res_nan_rejects")
    assert rejected == [(1, "sales: must be a number")]


def test_a_run_is_recorded_and_a_second_one_is_refused_unless_replace(postgres_url: str) -> None:
    rows = [
        {c: None for c in COLUMNS}
        | {"credit_code": GOOD, "county": "东区", "sales": Decimal("60000000.10")}
    ]
    _load_postgres(postgres_url, "reg_runs", rows)
    args = {"table": "reg_runs", "as_of": AS_OF, "min_fields": None}
    score_database(KITCHEN, postgres_url, "scored_runs", replace=True, **args)
    with pytest.raises(InputError, match=r"table scored_runs already exists .*--replace"):
        score_database(KITCHEN, postgres_url, "scored_runs", **args)
    with psycopg.connect(postgres_url) as connection:
        runs = _table(
            connection,
            "SELECT rulebook_id, rulebook_sha256, as_of, source, rows_read, rows_scored, "
            "rows_rejected FROM subsidy_engine_runs WHERE results_table = 'scored_runs'",
        )
    assert runs == [(KITCHEN.rulebook.id, KITCHEN.rulebook.sha256, "2019-06-30",
                     'SELECT * FROM "reg_runs"', 1, 1, 0)]  # fmt: skip


def test_nothing_is_written_when_a_run_fails(postgres_url: str) -> None:
    rows = [{c: None for c in COLUMNS} | {"credit_code": GOOD, "county": "东区"} for _ in range(6)]
    _load_postgres(postgres_url, "reg_fail", rows)

    def interrupted(done: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_database(KITCHEN, postgres_url, "scored_fail", table="reg_fail", as_of=AS_OF,
                       batch_rows=2, progress=interrupted, min_fields=None)  # fmt: skip
    with pytest.raises(InputError, match=r"the registry query failed: .*no_such_table"):
        score_database(KITCHEN, postgres_url, "scored_fail", query="SELECT * FROM no_such_table")
    with psycopg.connect(postgres_url) as connection:
        left = _table(
            connection, "SELECT to_regclass('scored_fail'), to_regclass('scored_fail_rejects')"
        )
    assert left == [(None, None)]


def test_an_unreachable_database_and_a_bad_registry_are_one_message(
    postgres_url: str, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match=r"postgresql://postgres:\*\*\*@.*cannot connect"):
        score_database(
            KITCHEN, "postgresql://postgres:secret@/x?host=/nonexistent&port=1", "r", table="t"
        )
    with pytest.raises(InputError, match="no such SQLite file"):
        score_database(KITCHEN, f"sqlite:///{tmp_path / 'absent.sqlite'}", "r", table="t")
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS garbage")
        connection.execute("CREATE TABLE garbage (a text, b text, c text)")
        connection.execute("INSERT INTO garbage VALUES ('1', '2', '3')")
    with pytest.raises(InputError, match="no key column"):
        score_database(KITCHEN, postgres_url, "scored_garbage", table="garbage")
    with pytest.raises(InputError, match="is not a table name"):
        score_database(KITCHEN, postgres_url, "x; DROP TABLE garbage", table="garbage")
