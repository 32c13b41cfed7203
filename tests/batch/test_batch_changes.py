"""Change-only runs: per enterprise, the entitlements gained, lost or changed since the previous
run, with citation and lead departments; the same list whether every row or only the changed
rows are evaluated again; the same list twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.batch import score_file
from subsidy_engine.batch.changes import changes
from subsidy_engine.cli import main
from subsidy_engine.synthetic import generate

ROOT = Path(__file__).parents[2]
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
AS_OF = date(2019, 12, 31)


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("changes")
    old = pl.concat(list(generate(SHUOZHOU.rulebook, 300, seed=5)))
    every = pl.int_range(pl.len())
    ownership = old.schema["ownership"]
    new = old.with_columns(
        pl.when(every % 30 == 0)
        .then(pl.lit("state_owned"))
        .otherwise(pl.col("ownership").cast(pl.String))
        .cast(ownership)
        .alias("ownership"),
        pl.when(every % 30 == 1).then(pl.lit(True)).otherwise(pl.col("in_park"))
        .alias("in_park"),
    )  # fmt: skip
    old_path, new_path = folder / "old.parquet", folder / "new.parquet"
    old.write_parquet(old_path)
    new.write_parquet(new_path)
    results = folder / "old.results.parquet"
    score_file(SHUOZHOU, old_path, results, as_of=AS_OF)
    return old_path, new_path, results


def test_changed_rows_only_give_the_full_runs_list(snapshots: tuple[Path, Path, Path]) -> None:
    old, new, results = snapshots
    whole = changes(SHUOZHOU, results, new, as_of=AS_OF)
    shortcut = changes(SHUOZHOU, results, new, as_of=AS_OF, previous_registry=old)
    full, fast = whole.changes, shortcut.changes
    assert whole.evaluated == 300 and shortcut.evaluated < 30
    assert shortcut.full_run_reason is None
    assert full.height > 0
    assert fast.drop("changed_facts").equals(full.drop("changed_facts"))
    assert set(full["change"]) <= {"gained", "lost", "amount", "status"}
    facts = {tuple(f) for f in fast["changed_facts"].to_list()}
    assert facts <= {("ownership",), ("in_park",), ("ownership", "in_park")}
    again = changes(SHUOZHOU, results, new, as_of=AS_OF, previous_registry=old)
    assert again.changes.equals(fast)


def test_each_change_is_what_the_two_runs_say(
    snapshots: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, new, results = snapshots
    now = tmp_path / "new.results.parquet"
    score_file(SHUOZHOU, new, now, as_of=AS_OF)
    before = pl.read_parquet(results).with_columns(pl.col("rule_id", "status").cast(pl.String))
    after = pl.read_parquet(now).with_columns(pl.col("rule_id", "status").cast(pl.String))
    found = changes(SHUOZHOU, results, new, as_of=AS_OF).changes
    for row in found.iter_rows(named=True):
        key = (pl.col("credit_code") == row["credit_code"]) & (pl.col("rule_id") == row["rule_id"])
        was = before.filter(key)["status"].to_list()
        is_ = after.filter(key)["status"].to_list()
        assert was == ([row["status_before"]] if row["status_before"] else [])
        assert is_ == ([row["status_now"]] if row["status_now"] else [])
        if row["change"] == "gained":
            assert is_ == ["eligible"] and was != ["eligible"]
        if row["change"] == "lost":
            assert was == ["eligible"] and is_ != ["eligible"]
        rule = SHUOZHOU.rulebook.rule(row["rule_id"])
        assert row["citation"] == str(rule.citation)
        assert row["lead_departments"] == list(rule.citation.lead_departments)


def test_the_changes_command_writes_json_lines(
    snapshots: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, results = snapshots
    out = tmp_path / "changes.jsonl"
    rulebook = str(ROOT / "rules" / "shuozhou-2019")
    args = ["changes", str(new), "--previous", str(results), "--previous-registry", str(old),
            "--as-of", "2019-12-31", "-o", str(out), "--rulebook", rulebook]  # fmt: skip
    assert main(args) == 0
    assert "enterprises evaluated" in capsys.readouterr().out
    written = pl.read_ndjson(out)
    assert written.height > 0 and "lead_departments" in written.columns


def test_the_command_says_why_it_evaluated_every_row(
    snapshots: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, results = snapshots
    rulebook = str(ROOT / "rules" / "shuozhou-2019")
    out = str(tmp_path / "c.csv")
    args = ["changes", str(new), "--previous", str(results), "--previous-registry", str(old),
            "--as-of", "2020-01-01", "-o", out, "--rulebook", rulebook]  # fmt: skip
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "as_of 2019-12-31 -> 2020-01-01" in captured.err
    assert captured.err.startswith("note: ") and "so every row was evaluated" in captured.err
    assert "300 enterprises evaluated" in captured.out
    assert not (tmp_path / "c.rejects.csv").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--table", "t"], "--table needs a database: give it with --from URL"),
        (["--from", "sqlite:///x.sqlite", "--table", "t"], "as REGISTRY or as --table T"),
    ],
)
def test_the_command_refuses_a_snapshot_given_twice_or_a_table_without_a_database(
    snapshots: tuple[Path, Path, Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    _, new, results = snapshots
    assert main(["changes", str(new), "--previous", str(results), *extra]) == 2
    assert message in capsys.readouterr().err


def test_the_command_refuses_to_write_over_an_input_before_evaluating(
    snapshots: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, new, results = snapshots
    before = results.read_bytes()
    assert main(["changes", str(new), "--previous", str(results), "-o", str(results)]) == 2
    assert "is also an input" in capsys.readouterr().err
    assert results.read_bytes() == before
