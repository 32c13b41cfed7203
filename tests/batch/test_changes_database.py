"""Change-only runs against a database, PostgreSQL (a real server, `postgres_url`) and SQLite:
the previous run given by its results table or its run id gives the same list as the same
results in a file; the changed-rows shortcut is taken only under the previous run's basis
(rulebook and its hash, as_of, reform) and otherwise every row is evaluated, saying why; each
missing run or table is one message naming it."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from subsidy_engine import Engine, InputError
from subsidy_engine.batch import score_file
from subsidy_engine.batch.basis import Kept
from subsidy_engine.batch.changes import changes
from subsidy_engine.batch.database import Database
from subsidy_engine.batch.dbscore import score_database
from subsidy_engine.batch.previous import from_file, from_run, from_table, read_table
from subsidy_engine.batch.snapshots import Query
from subsidy_engine.cli import main
from subsidy_engine.synthetic import generate

if TYPE_CHECKING:
    from conftest import DatabaseWith

ROOT = Path(__file__).parents[2]
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
AS_OF = date(2019, 12, 31)
ROWS, EVERY = 120, 20


def _snapshots() -> tuple[pl.DataFrame, pl.DataFrame]:
    """An old registry of flat columns, and a new one with every EVERY-th row changed."""
    old = pl.concat(list(generate(SHUOZHOU.rulebook, ROWS, seed=11)))
    old = old.select(n for n, d in old.schema.items() if not isinstance(d, pl.List))
    every = pl.int_range(pl.len())
    new = old.with_columns(
        pl.when(every % EVERY == 0).then(pl.lit("state_owned")).otherwise(pl.col("ownership"))
        .alias("ownership"),
        pl.when(every % EVERY == 1).then(pl.lit(True)).otherwise(pl.col("in_park"))
        .alias("in_park"),
    )  # fmt: skip
    return old, new


OLD, NEW = _snapshots()
CHANGED = NEW.join(OLD, on=NEW.columns, how="anti", nulls_equal=True).height


@pytest.fixture
def database(database_with: DatabaseWith) -> Database:
    return database_with({"reg_old": OLD, "reg_new": NEW})


def _scored(database: Database, table: str, as_of: date = AS_OF) -> str:
    done = score_database(SHUOZHOU, database.url, table, table="reg_old", as_of=as_of, replace=True)
    assert done.run_id is not None
    return done.run_id


def _execute(database: Database, sql: str, *values: Any) -> None:
    connection = database.connect()
    if database.kind == "postgresql":
        sql = sql.replace("?", "%s")
    connection.execute(sql, values)
    connection.commit()
    connection.close()


def test_a_recorded_run_gives_the_list_the_same_results_in_a_file_give(
    database: Database, tmp_path: Path
) -> None:
    run_id = _scored(database, "res_old")
    new, old = read_table(database, "reg_new"), read_table(database, "reg_old")
    by_run = changes(SHUOZHOU, from_run(database, run_id), new, as_of=AS_OF, previous_registry=old)
    by_table = changes(SHUOZHOU, from_table(database, "res_old"), new, as_of=AS_OF)
    old_file, new_file = tmp_path / "old.parquet", tmp_path / "new.parquet"
    results_file = tmp_path / "old.results.parquet"
    OLD.write_parquet(old_file)
    NEW.write_parquet(new_file)
    score_file(SHUOZHOU, old_file, results_file, as_of=AS_OF)
    by_file = changes(SHUOZHOU, results_file, new_file, as_of=AS_OF, previous_registry=old_file)
    assert by_run.full_run_reason is None and by_file.full_run_reason is None
    assert by_run.evaluated == by_file.evaluated == CHANGED and by_table.evaluated == ROWS
    assert 0 < CHANGED < ROWS and by_run.changes.height > 0
    assert by_run.changes.equals(by_file.changes)
    assert by_run.changes.drop("changed_facts").equals(by_table.changes.drop("changed_facts"))
    assert set(by_run.changes["change"]) <= {"gained", "lost", "amount", "status"}
    again = changes(SHUOZHOU, from_run(database, run_id), new, as_of=AS_OF, previous_registry=old)
    assert again.changes.equals(by_run.changes)
    now, before = (Query(database, f"SELECT * FROM {t}") for t in ("reg_new", "reg_old"))
    queried = changes(SHUOZHOU, from_run(database, run_id), now, as_of=AS_OF,
                      previous_registry=before)  # fmt: skip
    assert queried.changes.equals(by_run.changes)


def test_a_run_under_another_basis_evaluates_every_row_and_says_why(
    database: Database,
) -> None:
    run_id = _scored(database, "res_basis")
    new, old = read_table(database, "reg_new"), read_table(database, "reg_old")
    later = changes(
        SHUOZHOU, from_run(database, run_id), new, as_of=date(2020, 6, 30), previous_registry=old
    )
    assert later.evaluated == ROWS
    assert later.full_run_reason is not None
    assert "as_of 2019-12-31 -> 2020-06-30" in later.full_run_reason
    same = changes(SHUOZHOU, from_run(database, run_id), new, as_of=AS_OF, previous_registry=old)
    _execute(database, "UPDATE subsidy_engine_runs SET rulebook_sha256 = ? WHERE run_id = ?",
             "0" * 64, run_id)  # fmt: skip
    edited = changes(SHUOZHOU, from_run(database, run_id), new, as_of=AS_OF, previous_registry=old)
    assert edited.evaluated == ROWS and "rulebook content hash 0000" in str(edited.full_run_reason)
    assert edited.changes.drop("changed_facts").equals(same.changes.drop("changed_facts"))


def test_an_unrecorded_run_evaluates_every_row_and_says_why(tmp_path: Path) -> None:
    OLD.write_csv(tmp_path / "old.csv")
    NEW.write_csv(tmp_path / "new.csv")
    results = tmp_path / "old.results.csv"
    score_file(SHUOZHOU, tmp_path / "old.csv", results, as_of=AS_OF)
    recorded = tmp_path / "old.results.csv.run.json"
    assert from_file(results).basis is not None
    previous = dict(previous_registry=tmp_path / "old.csv", as_of=AS_OF)
    assert changes(SHUOZHOU, results, tmp_path / "new.csv", **previous).evaluated == CHANGED
    recorded.unlink()
    found = changes(SHUOZHOU, results, tmp_path / "new.csv", **previous)
    assert found.evaluated == ROWS
    assert "does not record the rulebook, as_of and reform" in str(found.full_run_reason)
    recorded.write_text("{not json")
    with pytest.raises(InputError, match=r"run\.json: the run's record cannot be read"):
        from_file(results)


def test_a_missing_run_or_table_is_one_message_naming_it(database: Database) -> None:
    run_id = _scored(database, "res_gone")
    with pytest.raises(InputError, match=r"no run nope in subsidy_engine_runs"):
        from_run(database, "nope")
    with pytest.raises(InputError, match=r"no table no_such_results"):
        from_table(database, "no_such_results")
    with pytest.raises(InputError, match=r"no table no_such_registry"):
        read_table(database, "no_such_registry")
    _execute(database, "DROP TABLE res_gone")
    with pytest.raises(InputError, match=rf"no table res_gone \(the results of run {run_id}\)"):
        from_run(database, run_id)


def test_a_database_without_runs_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    sqlite3.connect(path).close()
    with pytest.raises(InputError, match=r"no run r1: the database has no runs table"):
        from_run(Database(f"sqlite:///{path}"), "r1")


def test_the_changes_command_reads_and_writes_tables(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _scored(database, "res_cli")
    rulebook = str(ROOT / "rules" / "shuozhou-2019")
    args = ["changes", "--from", database.url, "--table", "reg_new", "--previous-run", run_id,
            "--previous-registry-table", "reg_old", "--to-table", "changes_cli", "--replace",
            "--as-of", "2019-12-31", "--rulebook", rulebook]  # fmt: skip
    assert main(args) == 0
    assert f"{CHANGED} enterprises evaluated" in capsys.readouterr().out
    written = read_table(database, "changes_cli")
    expected = changes(
        SHUOZHOU,
        from_run(database, run_id),
        read_table(database, "reg_new"),
        as_of=AS_OF,
        previous_registry=read_table(database, "reg_old"),
    ).changes
    assert written.height == expected.height > 0
    assert written["rule_id"].to_list() == expected["rule_id"].to_list()
    assert main([*args[:-5], "--as-of", "2019-12-31", "--rulebook", rulebook]) == 2
    assert "table changes_cli already exists" in capsys.readouterr().err
    assert main(["changes", "new.parquet", "--previous-table", "res_cli"]) == 2
    message = "--previous-table needs a database: give it with --from URL"
    assert message in capsys.readouterr().err


def test_a_rejected_new_row_is_not_compared_and_is_reported(tmp_path: Path) -> None:
    OLD.write_csv(tmp_path / "old.csv")
    bad = NEW.with_columns(pl.col("employees").cast(pl.String))
    bad = bad.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("很多")).otherwise(pl.col("employees"))
        .alias("employees")
    )  # fmt: skip
    bad.write_csv(tmp_path / "new.csv")
    results = tmp_path / "old.results.parquet"
    score_file(SHUOZHOU, tmp_path / "old.csv", results, as_of=AS_OF)
    found = changes(SHUOZHOU, results, tmp_path / "new.csv", as_of=AS_OF)
    key = NEW["credit_code"][3]
    before = pl.read_parquet(results).filter(pl.col("credit_code") == key)
    assert "eligible" in before["status"].cast(pl.String).to_list()  # else it could not be lost
    assert found.rejects["row"].to_list() == [3]
    assert found.rejects["credit_code"].to_list() == [key]
    assert "employees" in found.rejects["reason"][0]
    assert key not in found.changes["credit_code"].to_list()
    shortcut = changes(
        SHUOZHOU, results, tmp_path / "new.csv", as_of=AS_OF, previous_registry=tmp_path / "old.csv"
    )
    assert shortcut.rejects["row"].to_list() == [3]
    assert key not in shortcut.changes["credit_code"].to_list()


def test_snapshots_in_two_formats_name_only_the_facts_that_changed(tmp_path: Path) -> None:
    OLD.write_csv(tmp_path / "old.csv")
    NEW.write_parquet(tmp_path / "new.parquet")
    results = tmp_path / "old.results.parquet"
    score_file(SHUOZHOU, tmp_path / "old.csv", results, as_of=AS_OF)
    found = changes(
        SHUOZHOU,
        results,
        tmp_path / "new.parquet",
        as_of=AS_OF,
        previous_registry=tmp_path / "old.csv",
    )
    whole = changes(SHUOZHOU, results, tmp_path / "new.parquet", as_of=AS_OF)
    assert found.changes.drop("changed_facts").equals(whole.changes.drop("changed_facts"))
    named = {fact for facts in found.changes["changed_facts"].to_list() for fact in facts}
    assert named and named <= {"ownership", "in_park"}


_OLDER_RUNS = (
    "CREATE TABLE subsidy_engine_runs (run_id TEXT, started_at TEXT, finished_at TEXT, "
    "rulebook_id TEXT, rulebook_sha256 TEXT, engine_version TEXT, as_of TEXT, reform TEXT, "
    "source TEXT, results_table TEXT, rows_read BIGINT, rows_scored BIGINT, "
    "rows_rejected BIGINT, results_written BIGINT)"
)


def test_a_database_run_records_what_it_kept_in_a_runs_table_of_any_age(
    database: Database,
) -> None:
    _execute(database, "DROP TABLE IF EXISTS subsidy_engine_runs")
    _execute(database, _OLDER_RUNS)
    done = score_database(SHUOZHOU, database.url, "res_kept", table="reg_old", as_of=AS_OF,
                          replace=True, statuses=["eligible"], units=["cash"])  # fmt: skip
    assert done.run_id is not None
    recorded = from_run(database, done.run_id).basis
    assert recorded is not None and recorded.kept == Kept(("eligible",), ("cash",))
    book = SHUOZHOU.rulebook
    _execute(database, "INSERT INTO subsidy_engine_runs (run_id, finished_at, rulebook_id, "
             "rulebook_sha256, as_of, results_table) VALUES (?, ?, ?, ?, ?, ?)", "older",
             "9999-12-31", book.id, book.sha256, "2019-12-31", "res_kept")  # fmt: skip
    latest = from_table(database, "res_kept").basis
    assert latest is not None and latest.kept is None
    _execute(database, "UPDATE subsidy_engine_runs SET kept = ? WHERE run_id = ?", "[1]", "older")
    with pytest.raises(InputError, match=r"subsidy_engine_runs: what the run kept cannot be read"):
        from_run(database, "older")
