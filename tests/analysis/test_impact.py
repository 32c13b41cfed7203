"""Budget impact over a registry: totals agree with per-enterprise scores, and nothing that the
text leaves without a figure is hidden."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.analysis.impact import budget_impact
from subsidy_engine.errors import InputError
from subsidy_engine.testing import profiles

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
AS_OF = date(2019, 6, 1)
ENGINE = Engine(MINI)
REFORM = MINI.parent / "reforms" / "mini-generous.yaml"
REGISTRY = [
    {
        "industry_code": "C3071",
        "annual_sales": 45_000_000,
        "county": "东区",
        "seriously_dishonest": False,
        "exhibitions": [{"name": "a", "booths": 1}],
    },
    {
        "industry_code": "C3071",
        "annual_sales": 60_000_000,
        "county": "西区",
        "seriously_dishonest": False,
        "exhibitions": [{"name": "b", "booths": 2}],
    },
    {
        "industry_code": "G5431",
        "annual_sales": 30_000_000,
        "county": "东区",
        "seriously_dishonest": True,
    },
]


def test_totals_by_rule_and_county() -> None:
    impact = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF, groups=["county"])
    by_rule = {r["rule_id"]: r for r in impact.by("rule_id").to_dicts()}
    award = by_rule["m1.ceramics_award"]
    assert (award["baseline"], award["reform"], award["better_off"]) == (
        Decimal("500000.00"),
        Decimal("1000000.00"),
        1,
    )
    booth = by_rule["m1.booth_subsidy"]
    assert booth["reform"] == Decimal("9000.00")
    assert booth["baseline_unspecified"] == 2, "no figure in the text: counted, not hidden"
    by_county = {r["county"]: r["change"] for r in impact.by("county").to_dicts()}
    assert by_county == {"东区": Decimal("503000.00"), "西区": Decimal("6000.00")}


def test_an_impact_reads_as_its_totals_by_measure() -> None:
    impact = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF)
    assert impact.to_polars().equals(impact.by("measure"))
    assert impact.to_pandas()["measure"].tolist() == impact.by("measure")["measure"].to_list()
    assert "baseline_unspecified" in impact._repr_html_()


def test_grouping_by_an_unknown_column_is_refused() -> None:
    impact = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF)
    with pytest.raises(InputError, match="cannot group by province") as caught:
        impact.by("province")
    assert "__" not in str(caught.value)
    with pytest.raises(InputError, match="no registry column or derived fact named province") as c:
        budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF, groups=["province"])
    assert "__" not in str(c.value) and "county" in str(c.value)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(ENGINE.rulebook), min_size=1, max_size=8))
def test_totals_equal_the_sum_of_per_enterprise_amounts(rows: list[dict[str, Any]]) -> None:
    impact = budget_impact(ENGINE, rows, REFORM, as_of=AS_OF)
    for side, scored in (("baseline", impact.baseline), ("reform", impact.reformed)):
        cash = scored.results.filter(
            (pl.col("unit").cast(pl.String) == "cash")
            & (pl.col("status").cast(pl.String) == "eligible")
        )
        expected = sum(cash["amount"].drop_nulls().to_list(), Decimal(0))
        (total,) = impact.by()[side].to_list()
        assert (total or Decimal(0)) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(ENGINE.rulebook), min_size=1, max_size=8))
def test_a_reform_that_changes_nothing_changes_no_total(rows: list[dict[str, Any]]) -> None:
    impact = budget_impact(ENGINE, rows, {"id": "none", "title": "No change"}, as_of=AS_OF)
    totals = impact.by("rule_id")
    assert totals["change"].to_list() == [Decimal(0)] * totals.height
    assert totals["better_off"].sum() == 0 and totals["worse_off"].sum() == 0
    assert totals["baseline"].to_list() == totals["reform"].to_list()
    assert totals["baseline_upper_bound"].to_list() == totals["reform_upper_bound"].to_list()
    assert impact.enterprises()["outcome"].to_list() == ["unchanged"] * impact.baseline.rows_scored


def _registries() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(profiles(ENGINE.rulebook), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_registries())
def test_better_off_worse_off_and_unchanged_are_every_enterprise_scored(
    rows: list[dict[str, Any]],
) -> None:
    impact = budget_impact(ENGINE, rows, REFORM, as_of=AS_OF, groups=["county"])
    for totals in (impact.by(), impact.by("county")):
        counted = totals["better_off"] + totals["worse_off"] + totals["unchanged"]
        assert counted.sum() == impact.baseline.rows_scored
    (total,) = impact.by().to_dicts()
    assert total["gained"] + total["lost"] == total["change"]
    assert total["gained"] >= 0 >= total["lost"]
    people = impact.enterprises()
    assert people.height == impact.baseline.rows_scored
    assert people["change"].sum() == total["change"]
    assert (people["outcome"] == "better_off").sum() == total["better_off"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_registries())
def test_the_upper_bound_adds_undetermined_entitlements_with_a_figure(
    rows: list[dict[str, Any]],
) -> None:
    impact = budget_impact(ENGINE, rows, None, as_of=AS_OF)
    scored = ENGINE.score(rows, as_of=AS_OF, statuses="all").results
    cash = scored.filter(
        (pl.col("unit").cast(pl.String) == "cash")
        & (pl.col("amount_status").cast(pl.String) == "determined")
    )
    status = pl.col("status").cast(pl.String)
    pending = cash.filter(status == "undetermined")["amount"].sum() or Decimal(0)
    (total,) = impact.by().to_dicts()
    assert total["baseline_upper_bound"] == (total["baseline"] or Decimal(0)) + pending
    undetermined = scored.filter((status == "undetermined") & (pl.col("unit") == "cash"))
    assert total["baseline_undetermined"] == undetermined.height


def test_counted_by_money_not_by_status_flips() -> None:
    raise_award = {
        "id": "higher",
        "title": "A higher award",
        "parameters": {"sales_threshold": [{"value": "5000万"}]},
        "add": [],
    }
    impact = budget_impact(ENGINE, REGISTRY, raise_award, as_of=AS_OF)
    assert impact.by()["change"].to_list() == [Decimal(0)]
    (total,) = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF).by().to_dicts()
    # Enterprise 0 gains the award (a status flip) and a booth figure; enterprise 1, already
    # eligible, gains only the booth figure that the text left open: both are better off.
    assert (total["better_off"], total["worse_off"], total["unchanged"]) == (2, 0, 1)
    assert total["gained"] == Decimal("509000.00")


def test_a_figure_the_reform_sets_where_the_text_gave_none() -> None:
    impact = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF)
    booths = impact.entitlements.filter(
        (pl.col("rule_id") == "m1.booth_subsidy") & pl.col("baseline_eligible")
    ).sort("row")
    assert booths["baseline_amount"].to_list() == [None, None]
    assert booths["baseline_known"].to_list() == [False, False]
    assert booths["reform_amount"].to_list() == [Decimal("3000.00"), Decimal("6000.00")]


@pytest.mark.parametrize("by", ["rule_id", "measure", "payer", "county"])
def test_every_grouping_offered_works(by: str) -> None:
    impact = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF, groups=["county"])
    assert by in impact.available()
    totals = impact.by(by)
    assert totals.columns[0] == by and totals.height >= 1
    assert totals["change"].sum() == impact.by()["change"].item()


def test_weights_count_each_enterprise_that_many_times() -> None:
    weighted = [{**row, "weight": 2.5} for row in REGISTRY]
    impact = budget_impact(ENGINE, weighted, REFORM, as_of=AS_OF, weight="weight")
    plain = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF)
    (w,), (p,) = impact.by().to_dicts(), plain.by().to_dicts()
    assert w["change"] == p["change"] * Decimal("2.5")
    assert w["better_off"] == p["better_off"] * 2.5
    assert w["better_off"] + w["worse_off"] + w["unchanged"] == 2.5 * len(REGISTRY)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1, -1, 1], "at least 0 in every row; 1 row"),
        ([1, None, 1], "at least 0 in every row; 1 row"),
        ([1.0, float("nan"), 1.0], "at least 0 in every row; 1 row"),
        (["1", "2", "3"], "not numbers"),
    ],
)
def test_bad_weights_are_refused(weights: list[Any], message: str) -> None:
    rows = [{**row, "weight": w} for row, w in zip(REGISTRY, weights, strict=True)]
    with pytest.raises(InputError, match=message):
        budget_impact(ENGINE, rows, REFORM, as_of=AS_OF, weight="weight")
    with pytest.raises(InputError, match="no weight column 'w'"):
        budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF, weight="w")


def test_a_view_over_several_years_has_one_column_per_year() -> None:
    from subsidy_engine.analysis.impact_years import impact_over_years

    reform = {
        "id": "later",
        "title": "Booths paid from 2020",
        "parameters": {"booth_subsidy": [{"from": date(2020, 1, 1), "value": 3000}]},
    }
    days = [date(2020, 12, 31), date(2019, 12, 31)]
    years = impact_over_years(ENGINE, REGISTRY, reform, as_of=days)
    table = years.by("rule_id")
    assert table.columns == ["rule_id", "2019", "2020"]
    booth = table.filter(pl.col("rule_id") == "m1.booth_subsidy").row(0, named=True)
    assert (booth["2019"], booth["2020"]) == (Decimal(0), Decimal("9000.00"))
    assert years.by(value="baseline").columns == ["2019", "2020"]
    with pytest.raises(InputError, match="no column 'cost'"):
        years.by("measure", value="cost")
