"""What a previous run kept (its statuses and units) is recorded with it and compared as kept: an
entitlement it left out does not look gained; a run recorded before runs said what they kept is
taken to have kept the default; an enterprise gone from the registry loses what it had, whether
or not only the changed rows are evaluated."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine import Engine, InputError
from subsidy_engine.batch import score_file
from subsidy_engine.batch.basis import Kept, sidecar
from subsidy_engine.batch.changes import DEFAULT_KEPT, changes
from subsidy_engine.cli import main
from subsidy_engine.synthetic import generate

ROOT = Path(__file__).parents[2]
RULEBOOK = ROOT / "rules" / "shuozhou-2019"
SHUOZHOU = Engine(RULEBOOK)
AS_OF = date(2019, 12, 31)
ROWS = 200


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """old.parquet, new.parquet (in every 10 rows, one's ownership, one's unemployment insurance
    and one's premiums paid changed) and the old registry's results: all of them
    (old.results.csv) and only cash ones eligible (old.cash.parquet)."""
    folder = tmp_path_factory.mktemp("kept")
    old = pl.concat(list(generate(SHUOZHOU.rulebook, ROWS, seed=8)))
    every = pl.int_range(pl.len())
    new = old.with_columns(
        pl.when(every % 10 == 0).then(pl.lit("state_owned"))
        .otherwise(pl.col("ownership").cast(pl.String)).cast(old.schema["ownership"])
        .alias("ownership"),
        pl.when(every % 10 == 3).then(~pl.col("ui_enrolled").fill_null(False))
        .otherwise(pl.col("ui_enrolled")).alias("ui_enrolled"),
        pl.when(every % 10 == 6).then(pl.col("ui_premiums_paid").fill_null(0) + 1000)
        .otherwise(pl.col("ui_premiums_paid")).alias("ui_premiums_paid"),
    )  # fmt: skip
    old.write_parquet(folder / "old.parquet")
    new.write_parquet(folder / "new.parquet")
    score_file(SHUOZHOU, folder / "old.parquet", folder / "old.results.csv", as_of=AS_OF)
    score_file(
        SHUOZHOU,
        folder / "old.parquet",
        folder / "old.cash.parquet",
        as_of=AS_OF,
        statuses=["eligible"],
        units=["cash"],
    )
    return folder


def _entitlements(path: Path) -> dict[tuple[str, str, int], tuple[str, Decimal | None]]:
    frame = pl.read_parquet(path).select(
        pl.col("credit_code", "rule_id").cast(pl.String), "item", pl.col("status").cast(pl.String),
        "amount",
    )  # fmt: skip
    return {(k, r, i): (s, a) for k, r, i, s, a in frame.iter_rows()}


@pytest.mark.parametrize("shortcut", [True, False])
def test_a_run_that_kept_eligible_cash_is_compared_with_eligible_cash_only(
    snapshots: Path, tmp_path: Path, shortcut: bool
) -> None:
    previous = snapshots / "old.cash.parquet"
    given = snapshots / "old.parquet" if shortcut else None
    run = changes(SHUOZHOU, previous, snapshots / "new.parquet", as_of=AS_OF,
                  previous_registry=given)  # fmt: skip
    assert run.kept == Kept(("eligible",), ("cash",))
    assert run.full_run_reason is None
    now = tmp_path / "new.cash.parquet"
    score_file(SHUOZHOU, snapshots / "new.parquet", now, as_of=AS_OF, statuses=["eligible"],
               units=["cash"])  # fmt: skip
    before, after = _entitlements(previous), _entitlements(now)
    expected = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    found = {(k, r, i) for k, r, i in run.changes.select("credit_code", "rule_id", "item").rows()}
    assert found == expected and found
    assert set(run.changes["status_before"].drop_nulls()) <= {"eligible"}
    assert set(run.changes["status_now"].drop_nulls()) <= {"eligible"}
    units = {SHUOZHOU.rulebook.rule(r).amount.unit.value for r in run.changes["rule_id"]}
    assert units == {"cash"}


def test_a_run_that_did_not_record_what_it_kept_is_taken_to_have_kept_the_default(
    snapshots: Path,
) -> None:
    results = snapshots / "old.results.csv"
    recorded = json.loads(sidecar(results).read_text(encoding="utf-8"))
    assert recorded["kept"] == {"statuses": list(DEFAULT_KEPT.statuses), "units": None}
    older = snapshots / "older.results.csv"
    older.write_bytes(results.read_bytes())
    sidecar(older).write_text(json.dumps({k: v for k, v in recorded.items() if k != "kept"}))
    run = changes(SHUOZHOU, older, snapshots / "new.parquet", as_of=AS_OF,
                  previous_registry=snapshots / "old.parquet")  # fmt: skip
    assert run.kept == DEFAULT_KEPT and run.full_run_reason is None
    old, new = (pl.read_parquet(snapshots / f"{n}.parquet") for n in ("old", "new"))
    changed = new.join(old, on=new.columns, how="anti", nulls_equal=True).height
    assert run.evaluated == changed and 0 < changed <= ROWS * 3 // 10
    assert run.changes.height > 0


def test_a_record_whose_kept_is_not_what_a_run_writes_is_refused(
    snapshots: Path, tmp_path: Path
) -> None:
    results = tmp_path / "bad.results.csv"
    results.write_bytes((snapshots / "old.results.csv").read_bytes())
    recorded = json.loads(sidecar(snapshots / "old.results.csv").read_text(encoding="utf-8"))
    sidecar(results).write_text(json.dumps({**recorded, "kept": {"statuses": "eligible"}}))
    with pytest.raises(InputError, match=r"bad\.results\.csv\.run\.json: the run's record"):
        changes(SHUOZHOU, results, snapshots / "new.parquet", as_of=AS_OF)


@pytest.mark.parametrize("shortcut", [True, False])
def test_an_enterprise_gone_from_the_registry_loses_what_it_had(
    snapshots: Path, tmp_path: Path, shortcut: bool
) -> None:
    old = pl.read_parquet(snapshots / "old.parquet")
    fewer = tmp_path / "fewer.parquet"
    old.slice(5).write_parquet(fewer)
    given = snapshots / "old.parquet" if shortcut else None
    previous = snapshots / "old.results.csv"
    run = changes(SHUOZHOU, previous, fewer, as_of=AS_OF, previous_registry=given)
    gone = set(old["credit_code"].head(5))
    had = pl.read_csv(previous, infer_schema=False).filter(pl.col("credit_code").is_in(gone))
    eligible = had.filter(pl.col("status") == "eligible")
    assert eligible.height > 0
    assert run.evaluated == (0 if shortcut else ROWS - 5)
    lost = run.changes.filter(pl.col("change") == "lost")
    assert lost.height == eligible.height and set(lost["credit_code"]) <= gone
    assert lost["status_now"].null_count() == lost.height
    listed = run.changes.filter(pl.col("credit_code").is_in(gone))
    assert listed.height == had.height


def test_the_command_says_it_compared_only_what_the_previous_run_kept(
    snapshots: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "changes.jsonl"
    args = ["changes", str(snapshots / "new.parquet"), "--previous",
            str(snapshots / "old.cash.parquet"), "--previous-registry",
            str(snapshots / "old.parquet"), "--as-of", "2019-12-31", "-o", str(out),
            "--rulebook", str(RULEBOOK)]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "note: compared only what the previous run kept (statuses eligible; units cash)" in err
    assert "so every row was evaluated" not in err
