"""A run that read rows and rejected every one of them is not a success: one line says so,
naming the rejects, and the exit code is 1; its outputs are kept, the rejects being what is
needed to correct the registry. A registry without rows is no failure: "0 rows read", exit 0."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from conftest import Kit

GOOD = "91350100M00010006A"
BAD_ROWS = ("not-a-code,C3071,60000000,40,东区", f"{GOOD},C3071,60000000,40,东区,extra")


def _last_line(err: str) -> str:
    return err.strip().splitlines()[-1]


def test_score_exits_1_when_every_row_is_rejected_and_keeps_the_rejects(
    kit: Kit, tmp_path: Path
) -> None:
    source, out = kit.csv_lines(tmp_path / "r.csv", *BAD_ROWS), tmp_path / "out.parquet"
    code, stdout, err = kit.run("score", source, "-o", out, "--as-of", kit.AS_OF,
                                "--rulebook", kit.MINI)  # fmt: skip
    assert code == 1
    assert "2 rows read: 0 scored, 2 rejected" in stdout
    rejects = tmp_path / "out.rejects.csv"
    assert err == f"subsidy-engine: every one of the 2 rows was rejected; see {rejects}\n"
    assert pl.read_csv(rejects)["row"].to_list() == [0, 1]
    assert pl.read_parquet(out).height == 0
    assert kit.partial_files(tmp_path) == []


def test_one_scored_row_is_enough_for_success(kit: Kit, tmp_path: Path) -> None:
    source = kit.csv_lines(tmp_path / "r.csv", *BAD_ROWS, kit.line(GOOD))
    code, stdout, err = kit.run("score", source, "-o", tmp_path / "out.parquet",
                                "--as-of", kit.AS_OF, "--rulebook", kit.MINI)  # fmt: skip
    assert (code, err) == (0, "")
    assert "3 rows read: 1 scored, 2 rejected" in stdout


def test_a_registry_without_rows_reads_0_rows_and_succeeds(kit: Kit, tmp_path: Path) -> None:
    for source in (kit.csv_lines(tmp_path / "header.csv"), tmp_path / "empty.csv"):
        source.touch()
        common = ("--as-of", kit.AS_OF, "--rulebook", kit.MINI)
        code, stdout, err = kit.run("score", source, "-o", tmp_path / "out.parquet", *common)
        assert (code, err) == (0, "")
        assert "0 rows read: 0 scored, 0 rejected" in stdout
        code, stdout, err = kit.run("impact", source, *common)
        assert (code, err) == (0, "")
        assert "0 rows read: 0 enterprises scored, 0 rejected" in stdout


def test_score_from_a_database_exits_1_when_every_row_is_rejected(kit: Kit, tmp_path: Path) -> None:
    database = tmp_path / "registry.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE registry (credit_code TEXT, employees TEXT)")
        connection.executemany("INSERT INTO registry VALUES (?, ?)", [("x", "1"), ("y", "-3")])
    code, stdout, err = kit.run(
        "score", "--from", f"sqlite:///{database}", "--table", "registry",
        "--to-table", "results", "--as-of", kit.AS_OF, "--rulebook", kit.MINI, "--min-fields", "0",
    )  # fmt: skip
    assert code == 1
    assert "2 rows read: 0 scored, 2 rejected" in stdout
    expected = "every one of the 2 rows was rejected; see the table results_rejects"
    assert _last_line(err) == f"subsidy-engine: {expected}"
    with sqlite3.connect(database) as connection:
        (rejected,) = connection.execute("SELECT count(*) FROM results_rejects").fetchone()
    assert rejected == 2


def test_impact_exits_1_when_every_row_is_rejected(kit: Kit, tmp_path: Path) -> None:
    source = kit.csv_lines(tmp_path / "r.csv", *BAD_ROWS)
    for more in ([], ["--format", "json"]):
        code, _, err = kit.run("impact", source, "--as-of", kit.AS_OF, "--rulebook", kit.MINI,
                               *more)  # fmt: skip
        assert code == 1
        assert err == "subsidy-engine: every one of the 2 rows was rejected\n"


def test_changes_exits_1_when_every_new_row_is_rejected(kit: Kit, tmp_path: Path) -> None:
    common = ("--as-of", kit.AS_OF, "--rulebook", kit.MINI)
    old = kit.csv_lines(tmp_path / "old.csv", kit.line(GOOD))
    previous = tmp_path / "previous.parquet"
    assert kit.run("score", old, "-o", previous, *common)[0] == 0
    new = kit.csv_lines(tmp_path / "new.csv", *BAD_ROWS)
    out = tmp_path / "changes.csv"
    code, stdout, err = kit.run("changes", new, "--previous", previous, "-o", out, *common)
    assert code == 1
    assert stdout.startswith("2 rows read, ")
    rejects = tmp_path / "changes.rejects.csv"
    assert err == f"subsidy-engine: every one of the 2 rows was rejected; see {rejects}\n"
    assert pl.read_csv(rejects).height == 2 and pl.read_csv(out).height == 0


def test_report_over_a_registry_says_when_no_notice_was_written(kit: Kit, tmp_path: Path) -> None:
    source = kit.csv_lines(tmp_path / "r.csv", *BAD_ROWS)
    code, stdout, err = kit.run("report", source, "--as-of", kit.AS_OF, "--rulebook", kit.MINI,
                                "-o", tmp_path / "notices")  # fmt: skip
    assert code == 1
    assert "0 notices written" in stdout
    assert _last_line(err) == "subsidy-engine: every one of the 2 rows was rejected"
