"""`--summary` and `--rollup` for a registry in a database, PostgreSQL (a real server) and
SQLite: the per-enterprise totals and the roll-up are tables written in the run's transaction,
equal to those the same rows give scored from a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

from subsidy_engine import Engine, InputError
from subsidy_engine.batch import score_file
from subsidy_engine.batch.database import Database
from subsidy_engine.batch.dbscore import score_database
from subsidy_engine.batch.previous import read_table
from subsidy_engine.cli import main
from subsidy_engine.synthetic import generate

if TYPE_CHECKING:
    from conftest import DatabaseWith

ROOT = Path(__file__).parents[2]
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
AS_OF = date(2019, 12, 31)
REGISTRY = pl.concat(list(generate(SHUOZHOU.rulebook, 90, seed=3)))
FLAT = REGISTRY.select(n for n, d in REGISTRY.schema.items() if not isinstance(d, pl.List))


@pytest.fixture
def database(database_with: DatabaseWith) -> Database:
    return database_with({"reg_sums": FLAT})


def _same_text(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    """Rows as text, sorted: SQLite keeps decimals as text, PostgreSQL as NUMERIC."""
    texts = frame.select(pl.all().cast(pl.String))
    return sorted(texts.iter_rows(), key=lambda row: tuple((v is None, v or "") for v in row))


def test_totals_and_roll_up_tables_match_a_files(database: Database, tmp_path: Path) -> None:
    FLAT.write_parquet(tmp_path / "registry.parquet")
    on_file = score_file(
        SHUOZHOU,
        tmp_path / "registry.parquet",
        tmp_path / "out.parquet",
        as_of=AS_OF,
        summary_path=tmp_path / "totals.parquet",
        rollup_path=tmp_path / "rollup.parquet",
    )
    done = score_database(
        SHUOZHOU, database.url, "res_sums", table="reg_sums", as_of=AS_OF, replace=True,
        summary_table="totals_sums", rollup_table="rollup_sums",
    )  # fmt: skip
    assert done.rollup is not None and on_file.rollup is not None
    assert done.rollup.equals(on_file.rollup)
    assert on_file.rollup.height > 0
    totals = pl.read_parquet(tmp_path / "totals.parquet")
    assert _same_text(read_table(database, "totals_sums")) == _same_text(totals)
    assert _same_text(read_table(database, "rollup_sums")) == _same_text(on_file.rollup)


def test_the_command_writes_and_prints_them(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["score", "--from", database.url, "--table", "reg_sums", "--to-table", "res_cmd",
            "--summary", "totals_cmd", "--rollup", "rollup_cmd", "--as-of", "2019-12-31",
            "--rulebook", str(ROOT / "rules" / "shuozhou-2019"), "--replace"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "totals per enterprise: table totals_cmd" in out
    assert "roll-up by measure (by group: table rollup_cmd)" in out
    assert read_table(database, "totals_cmd").height == 90
    assert main([*args[:-1]]) == 2
    assert "table res_cmd already exists" in capsys.readouterr().err


def test_one_table_for_two_outputs_is_refused(database: Database) -> None:
    with pytest.raises(InputError, match="each output needs its own table"):
        score_database(
            SHUOZHOU, database.url, "res_twice", table="reg_sums", as_of=AS_OF,
            summary_table="res_twice_rejects",
        )  # fmt: skip
