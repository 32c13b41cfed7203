"""Synthetic registries: deterministic, valid row by row, and shaped like the rulebook's mix."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from subsidy_engine import Engine
from subsidy_engine.errors import RulebookError
from subsidy_engine.rulebook.loader import load_rulebook
from subsidy_engine.synthetic import generate, load_config

if TYPE_CHECKING:
    from conftest import LoadError

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT / "benchmarks" / "anchor_rulebook"
AS_OF = date(2020, 6, 30)

INDUSTRIES = {
    "coal": ("B06", "B11", "C252", "F5161"),
    "ceramics": ("C30",),
    "power": ("D44",),
    "agri-food": ("A", "C13", "C14", "C15"),
    "logistics": ("G",),
    "trade": ("F",),
    "construction": ("E",),
    "software": ("I",),
    "catering": ("H",),
}
"""Sectors by GB/T 4754 prefix; coal's trade (F5161) is coal, not trade, so coal is first."""


@cache
def shuozhou() -> Engine:
    return Engine()


@cache
def anchor() -> Engine:
    return Engine(ANCHOR)


def registry(engine: Engine, n: int, **options: Any) -> pl.DataFrame:
    frames = list(generate(engine.rulebook, n, **options))
    return pl.concat(frames) if frames else pl.DataFrame()


def assert_valid(engine: Engine, frame: pl.DataFrame) -> None:
    result = engine.score(frame, AS_OF)
    assert result.rows_rejected == 0, result.rejects.head(5)
    assert result.rows_scored == frame.height


@cache
def shuozhou_mix() -> pl.DataFrame:
    return registry(shuozhou(), 50_000, seed=11)


def test_the_same_seed_gives_the_same_rows_whatever_the_batch_size() -> None:
    book = shuozhou().rulebook
    whole = pl.concat(list(generate(book, 66_000, seed=3, batch_rows=66_000)))
    for batch_rows in (997, 65_536):
        batches = list(generate(book, 66_000, seed=3, batch_rows=batch_rows))
        assert all(b.height <= batch_rows for b in batches)
        assert_frame_equal(pl.concat(batches), whole)


def test_different_seeds_give_different_rows() -> None:
    one, two = registry(shuozhou(), 500, seed=1), registry(shuozhou(), 500, seed=2)
    assert one.schema == two.schema
    for column in ("credit_code", "county", "industry_code", "employees", "operating_revenue"):
        assert one[column].to_list() != two[column].to_list(), column


def test_twenty_thousand_rows_score_without_a_reject() -> None:
    assert_valid(shuozhou(), registry(shuozhou(), 20_000, seed=5))


def test_complete_rows_score_without_a_reject_and_miss_no_fact() -> None:
    frame = registry(shuozhou(), 2_000, seed=6, complete=True)
    assert_valid(shuozhou(), frame)
    scalars = [n for n, t in frame.schema.items() if not isinstance(t, pl.List)]
    assert frame.select(pl.col(scalars).null_count()).sum_horizontal().item() == 0


def test_rows_as_dicts_pass_evaluate() -> None:
    frame = registry(shuozhou(), 3_000, seed=8)
    for row in frame.gather_every(30).to_dicts():
        evaluation = shuozhou().evaluate(row, AS_OF)
        assert evaluation.results


def test_the_key_is_unique() -> None:
    codes = shuozhou_mix()["credit_code"]
    assert codes.null_count() == 0
    assert codes.n_unique() == codes.len()


def test_the_county_mix_follows_the_configuration() -> None:
    weights = load_config(shuozhou().rulebook).fields["county"].weights
    assert weights is not None
    total = sum(weights.values())
    shares = shuozhou_mix()["county"].drop_nulls().value_counts(normalize=True)
    drawn = dict(shares.iter_rows())
    assert set(drawn) == set(weights)
    for county, weight in weights.items():
        assert drawn[county] == pytest.approx(weight / total, abs=0.01), county


def test_the_industry_mix_is_led_by_coal_ceramics_agri_food_and_power() -> None:
    codes = shuozhou_mix()["industry_code"].drop_nulls().to_list()
    sectors = Counter(
        next((s for s, prefixes in INDUSTRIES.items() if code.startswith(prefixes)), "other")
        for code in codes
    )
    share = {sector: count / len(codes) for sector, count in sectors.items()}
    ranking = [s for s, _ in sorted(share.items(), key=lambda kv: -kv[1]) if s != "other"]
    assert ranking[:2] == ["coal", "ceramics"]
    assert set(ranking[2:4]) == {"agri-food", "power"}
    assert share["coal"] == pytest.approx(0.23, abs=0.03)
    assert share["ceramics"] == pytest.approx(0.14, abs=0.03)
    assert share["agri-food"] == pytest.approx(0.12, abs=0.03)
    assert share["power"] == pytest.approx(0.10, abs=0.02)


def test_ceramic_towns_hold_more_ceramics_than_elsewhere() -> None:
    frame = shuozhou_mix().drop_nulls(["county", "industry_code"])
    ceramics = frame.with_columns(pl.col("industry_code").str.starts_with("C307").alias("ceramic"))
    by_county = dict(ceramics.group_by("county").agg(pl.col("ceramic").mean()).iter_rows())
    assert by_county["怀仁市"] > 2 * by_county["朔城区"]


BAD_CONFIGS = {
    "unknown field": ("fields:\n  countyy: {weights: {朔城区: 1}}\n", 2, "fields.countyy"),
    "unknown key": ("fields:\n  county:\n    weight: {朔城区: 1}\n", 3, "fields.county.weight"),
    "two distributions": (
        "fields:\n  employees:\n    uniform: [1, 10]\n    lognormal: {median: 5, sigma: 1}\n",
        3,
        "fields.employees",
    ),
    "negative weight": (
        "fields:\n  county:\n    weights: {朔城区: 0.5, 平鲁区: -1}\n",
        3,
        "fields.county.weights.平鲁区",
    ),
    "only_if on a text": (
        "fields:\n  employees:\n    uniform: [1, 10]\n    only_if: county\n",
        4,
        "fields.employees.only_if",
    ),
    "only_if on an unknown field": (
        "lists:\n  projects:\n    only_if: {countyy: [朔城区]}\n",
        3,
        "lists.projects.only_if.countyy",
    ),
}


@pytest.mark.parametrize("text, line, key", BAD_CONFIGS.values(), ids=list(BAD_CONFIGS))
def test_a_bad_configuration_names_file_line_and_key(
    load_error: LoadError, text: str, line: int, key: str
) -> None:
    rulebook = shuozhou().rulebook
    path, error = load_error(
        "synthetic.yaml", text, lambda p: load_config(rulebook, p), RulebookError
    )
    assert f"{path}:{line}:" in str(error) and f"(at {key})" in str(error)
    with pytest.raises(RulebookError):
        next(generate(rulebook, 1, config=path))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 300), complete=st.booleans())
def test_any_seed_and_size_give_valid_rows(seed: int, n: int, complete: bool) -> None:
    frame = registry(shuozhou(), n, seed=seed, complete=complete)
    assert frame.height == n
    if n:
        assert_valid(shuozhou(), frame)


def test_a_rulebook_without_a_configuration_gets_valid_generic_rows() -> None:
    assert not (ANCHOR / "synthetic.yaml").exists()
    book = load_rulebook(ANCHOR)
    assert load_config(book).fields == {}
    frame = registry(anchor(), 5_000, seed=4)
    assert frame.columns == list(book.profile.spec.fields)
    assert frame["eid"].n_unique() == frame.height
    assert frame["industry"].drop_nulls().n_unique() == 5
    assert_valid(anchor(), frame)
    for row in frame.head(50).to_dicts():
        anchor().evaluate(row, AS_OF)
