"""`subsidy-engine score --from sqlite:///FILE --table T --to-table R`: the README's demo of a
database-held registry, on the embedded database that needs no server."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from subsidy_engine.cli import main

ROOT = Path(__file__).parents[1]


def test_the_sqlite_demo_scores_a_registry_into_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "registry.sqlite"
    made = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "registry_sqlite.py"), str(database), "50"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    mapping = database.with_suffix(".mapping.yaml")
    args = ["score", "--from", f"sqlite:///{database}", "--table", "registry",
            "--to-table", "results", "--mapping", str(mapping),
            "--as-of", "2019-12-31"]  # fmt: skip
    assert main(args) == 0
    assert "50 rows read: 50 scored, 0 rejected (results_rejects)" in capsys.readouterr().out
    with sqlite3.connect(database) as connection:
        (runs,) = connection.execute("SELECT rows_read FROM subsidy_engine_runs").fetchone()
        (written,) = connection.execute("SELECT count(*) FROM results").fetchone()
    assert runs == 50 and written > 0
    assert main(args) == 2
    assert "table results already exists (give --replace" in capsys.readouterr().err
    assert main([*args, "--replace"]) == 0
    assert main(["score", "--from", f"sqlite:///{database}", "--to-table", "r2"]) == 2
    assert "--table NAME or --query SQL" in capsys.readouterr().err
