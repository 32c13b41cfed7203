"""A row's hash is taken over its facts as typed, not its cells as written: the same registry as
CSV and as Parquet has no changed row and the shortcut is taken; one changed cell is one changed
row; and the changed rows alone give the list every row gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.batch import score_file, snapshots
from subsidy_engine.batch.changes import changes
from subsidy_engine.synthetic import generate

ROOT = Path(__file__).parents[2]
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
AS_OF = date(2019, 12, 31)
ROWS = 60


def _flat() -> pl.DataFrame:
    """A synthetic registry in the columns a flat file holds (no lists)."""
    frame = pl.concat(list(generate(SHUOZHOU.rulebook, ROWS, seed=3)))
    return frame.select(n for n, d in frame.schema.items() if not isinstance(d, pl.List))


OLD = _flat()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry as Parquet and as CSV, and the Parquet one's results."""
    folder = tmp_path_factory.mktemp("typed")
    OLD.write_parquet(folder / "old.parquet")
    OLD.write_csv(folder / "old.csv")
    score_file(SHUOZHOU, folder / "old.parquet", folder / "old.results.parquet", as_of=AS_OF)
    return folder


@pytest.mark.parametrize(("before", "now"), [("parquet", "csv"), ("csv", "parquet")])
def test_the_same_registry_as_csv_and_parquet_has_no_changed_row(
    written: Path, before: str, now: str
) -> None:
    results = written / "old.results.parquet"
    run = changes(
        SHUOZHOU,
        results,
        written / f"old.{now}",
        as_of=AS_OF,
        previous_registry=written / f"old.{before}",
    )
    assert run.full_run_reason is None
    assert run.evaluated == 0
    assert run.changes.height == 0 and run.rejects.height == 0


def _with_employees(frame: pl.DataFrame, rows: list[int], added: int) -> pl.DataFrame:
    at = pl.int_range(pl.len()).is_in(rows)
    more = pl.when(at).then(pl.col("employees").fill_null(0) + added).otherwise(pl.col("employees"))
    return frame.with_columns(more.alias("employees"))


def test_one_changed_cell_as_csv_is_one_changed_row(written: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    _with_employees(OLD, [3], 400).write_csv(new)  # enough to change that row's results
    results, old = written / "old.results.parquet", written / "old.parquet"
    fast = changes(SHUOZHOU, results, new, as_of=AS_OF, previous_registry=old)
    full = changes(SHUOZHOU, results, new, as_of=AS_OF)
    assert fast.full_run_reason is None and fast.evaluated == 1 and full.evaluated == ROWS
    assert fast.changes.drop("changed_facts").equals(full.changes.drop("changed_facts"))
    assert fast.changes.height and set(fast.changes["credit_code"]) <= {OLD["credit_code"][3]}
    assert all(f == ["employees"] for f in fast.changes["changed_facts"].to_list())


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.integers(0, ROWS - 1), max_size=8, unique=True),
    added=st.integers(1, 600),
)
def test_the_changed_rows_alone_give_the_list_every_row_gives(
    written: Path, tmp_path_factory: pytest.TempPathFactory, rows: list[int], added: int
) -> None:
    new = tmp_path_factory.mktemp("drawn") / "new.parquet"
    _with_employees(OLD, rows, added).write_parquet(new)
    results, old = written / "old.results.parquet", written / "old.csv"
    fast = changes(SHUOZHOU, results, new, as_of=AS_OF, previous_registry=old)
    full = changes(SHUOZHOU, results, new, as_of=AS_OF)
    assert fast.evaluated == len(rows)
    assert fast.changes.drop("changed_facts").equals(full.changes.drop("changed_facts"))
    changed = set(OLD["credit_code"].gather(rows)) if rows else set()
    assert set(fast.changes["credit_code"]) <= changed


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.integers(0, ROWS - 1), max_size=6, unique=True), batch=st.integers(1, 25))
def test_the_changed_facts_are_named_however_the_snapshots_are_batched(
    written: Path, tmp_path_factory: pytest.TempPathFactory, rows: list[int], batch: int
) -> None:
    changed = sorted({3, *rows})  # row 3's extra employees change its results
    new = tmp_path_factory.mktemp("batched") / "new.parquet"
    _with_employees(OLD, changed, 400).write_parquet(new)
    results, old = written / "old.results.parquet", written / "old.csv"
    whole = changes(SHUOZHOU, results, new, as_of=AS_OF, previous_registry=old)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshots, "BATCH_ROWS", batch)
        batched = changes(SHUOZHOU, results, new, as_of=AS_OF, previous_registry=old)
    assert batched.evaluated == len(changed) and batched.changes.height > 0
    assert batched.changes.equals(whole.changes)
    assert all(f == ["employees"] for f in batched.changes["changed_facts"].to_list())
