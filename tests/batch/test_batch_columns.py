"""`score(..., columns=[...])` writes the chosen result columns, in the order given, and they
hold exactly what the same columns of the full output hold; the totals do not depend on them.
An unknown or repeated column is refused, naming it and listing the valid ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, InputError
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.batch import score_file
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[2]
ENGINES = {
    "kitchen": Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen"),
    "mini": Engine(ROOT / "tests" / "fixtures" / "mini"),
}
AS_OF = date(2019, 6, 30)
LIKE_HAND = ["row", "rule_id", "amount"]


def table(engine: Engine, rows: list[dict[str, Any]]) -> pl.DataFrame:
    types = engine.rulebook.profile.types
    return pl.DataFrame(rows, schema={name: dtype_of(t) for name, t in types.items()})


def full_columns(engine: Engine) -> list[str]:
    return engine.score(table(engine, []), AS_OF).results.columns


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_any_columns_are_the_projection_of_the_full_output(name: str) -> None:
    engine = ENGINES[name]
    every = full_columns(engine)
    many = st.lists(profiles(engine.rulebook, max_items=3), max_size=10)
    chosen = st.lists(st.sampled_from(every), min_size=1, unique=True)
    statuses = st.sampled_from(["all", ("eligible",), ("undetermined", "excluded")])

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(many, chosen, statuses, st.dates(date(2017, 1, 1), date(2024, 12, 31)))
    def check(rows: list[dict[str, Any]], columns: list[str], kept: Any, as_of: date) -> None:
        frame = table(engine, rows)
        full = engine.score(frame, as_of, statuses=kept, summary=True)
        some = engine.score(frame, as_of, statuses=kept, summary=True, columns=columns)
        assert some.results.columns == columns
        assert some.results.equals(full.results.select(columns))
        assert full.summary is not None and some.summary is not None
        assert some.summary.equals(full.summary)
        assert some.rejects.equals(full.rejects)

    check()


def test_the_default_columns_are_all_of_them_key_second() -> None:
    expected = (
        "row credit_code rule_id measure item item_label status unit amount potential_amount "
        "amount_date amount_status payer missing_facts missing_parameters unspecified_parameters "
        "excluded_by readings"
    )
    assert full_columns(ENGINES["mini"]) == expected.split()


def test_columns_may_be_a_comma_list() -> None:
    engine = ENGINES["kitchen"]
    frame = table(engine, [{"employees": 40}, {}])
    listed = engine.score(frame, AS_OF, columns="rule_id, status,row").results
    assert listed.columns == ["rule_id", "status", "row"]
    assert listed.equals(engine.score(frame, AS_OF).results.select(listed.columns))


def test_an_unknown_column_is_named_with_the_valid_ones() -> None:
    engine = ENGINES["mini"]
    with pytest.raises(InputError) as error:
        engine.score(table(engine, [{}]), AS_OF, columns=["row", "amont"])
    message = str(error.value)
    assert "unknown result column 'amont'" in message
    assert "did you mean 'amount'?" in message
    assert ", ".join(full_columns(engine)) in message


@pytest.mark.parametrize(
    ("columns", "problem"),
    [(["row", "row"], "'row' is asked for twice"), ([], "no result column chosen")],
)
def test_a_repeated_column_or_none_is_refused(columns: list[str], problem: str) -> None:
    engine = ENGINES["mini"]
    with pytest.raises(InputError, match=problem):
        engine.score(table(engine, [{}]), AS_OF, columns=columns)


def test_a_file_scored_with_columns_holds_those_columns(tmp_path: Path) -> None:
    engine = ENGINES["kitchen"]
    frame = table(engine, [{"employees": 40}, {"employees": 5}, {}])
    source, target = tmp_path / "registry.parquet", tmp_path / "scored.parquet"
    frame.write_parquet(source)
    score_file(engine, source, target, as_of=AS_OF, columns=LIKE_HAND, batch_rows=2)
    written = pl.read_parquet(target)
    expected = engine.score(frame, AS_OF).results.select(LIKE_HAND)
    assert written.with_columns(pl.col("rule_id").cast(pl.String)).equals(
        expected.with_columns(pl.col("rule_id").cast(pl.String))
    )


def test_a_file_is_not_opened_for_an_unknown_column(tmp_path: Path) -> None:
    engine = ENGINES["mini"]
    source, target = tmp_path / "registry.parquet", tmp_path / "scored.parquet"
    table(engine, [{}]).write_parquet(source)
    with pytest.raises(InputError, match="unknown result column 'rule'"):
        score_file(engine, source, target, as_of=AS_OF, columns=["row", "rule"])
    assert not target.exists()
