"""Output an office can add up: `amount` only on eligible results (the figure of an
undetermined one is `potential_amount`), results of chosen units only, and the roll-up by county
× measure × payer, held to what `evaluate` says of each enterprise."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.batch import score, score_file
from subsidy_engine.cli import main
from subsidy_engine.results import AmountStatus, Status
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[2]
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
AS_OF = date(2019, 6, 30)


def _table(engine: Engine, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {name: dtype_of(t) for name, t in engine.rulebook.profile.types.items()}
    return pl.DataFrame(rows, schema=schema)


def _expected_rollup(
    engine: Engine, rows: list[dict[str, Any]]
) -> dict[tuple[Any, ...], list[Any]]:
    found: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [set(), Decimal(0), 0, 0])
    for index, row in enumerate(rows):
        try:
            evaluation = engine.evaluate(engine.validate(row), AS_OF)
        except ProfileError:
            continue
        for result in evaluation:
            if result.status not in (Status.ELIGIBLE, Status.UNDETERMINED):
                continue
            amount = result.amount
            key = (
                row.get("county"),
                result.rule.citation.measure,
                "+".join(amount.payer) or "unstated",
            )
            cell = found[key]
            cash = amount.unit.value == "cash"
            if result.status is Status.UNDETERMINED:
                cell[3] += 1
                continue
            cell[0].add(index)
            if cash and amount.status is AmountStatus.DETERMINED:
                cell[1] += amount.value
            elif cash:
                cell[2] += 1
    return {k: [len(v[0]), v[1], v[2], v[3]] for k, v in found.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(profiles(KITCHEN.rulebook, max_items=2), max_size=10))
def test_the_rollup_adds_up_what_evaluate_says(rows: list[dict[str, Any]]) -> None:
    result = score(KITCHEN, _table(KITCHEN, rows), AS_OF, rollup="county")
    assert result.rollup is not None
    got = {
        (r["county"], r["measure"], r["payer"]): [
            r["enterprises_eligible"],
            r["cash"] or Decimal(0),
            r["eligible_without_figure"],
            r["undetermined"],
        ]
        for r in result.rollup.iter_rows(named=True)
    }
    assert got == _expected_rollup(KITCHEN, rows)


def test_amount_is_eligible_money_and_potential_amount_the_undetermined_figure() -> None:
    frame = pl.DataFrame(
        {
            "credit_code": ["91350100M000100Y43"] * 2,
            "operating_revenue": ["3000万", None],
            "employees": ["300", None],
            "industry_code": ["C3071", "C3071"],
        }
    )
    results = score(SHUOZHOU, frame, AS_OF, statuses="all").results
    status = pl.col("status").cast(pl.String)
    assert results.filter((status != "eligible") & pl.col("amount").is_not_null()).height == 0
    assert (
        results.filter((status != "undetermined") & pl.col("potential_amount").is_not_null()).height
        == 0
    )
    assert results.filter(pl.col("potential_amount").is_not_null()).height > 0


def test_units_and_eligible_only_choose_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "registry.parquet"
    rows = [
        {"credit_code": "91350100M000100Y43", "county": c, "sales": "6000万", "employees": "40"}
        for c in ("东区", "西区", "东区")
    ]
    _table(KITCHEN, rows).write_parquet(source)
    out, rolled = tmp_path / "o.parquet", tmp_path / "rollup.csv"
    code = main(
        [
            "score",
            str(source),
            "-o",
            str(out),
            "--as-of",
            "2019-06-30",
            "--rulebook",
            str(ROOT / "tests" / "batch" / "fixtures" / "kitchen"),
            "--eligible-only",
            "--units",
            "cash",
            "--rollup",
            str(rolled),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "roll-up by measure" in printed and "enterprises eligible" in printed
    written = pl.read_parquet(out)
    assert set(written["status"].cast(pl.String)) <= {"eligible"}
    assert set(written["unit"].cast(pl.String)) <= {"cash"}
    rollup = pl.read_csv(rolled)
    assert rollup.columns == [
        "county",
        "measure",
        "payer",
        "enterprises_eligible",
        "cash",
        "eligible_without_figure",
        "undetermined",
    ]
    done = score_file(
        KITCHEN, source, tmp_path / "all.parquet", as_of=AS_OF, rollup_path=tmp_path / "r.parquet"
    )
    assert done.rollup is not None and done.rollup.equals(pl.read_parquet(tmp_path / "r.parquet"))
    with pytest.raises(Exception, match="unknown unit 'money'"):
        score(KITCHEN, _table(KITCHEN, rows), AS_OF, units=["money"])
