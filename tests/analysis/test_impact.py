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
REFORM = {
    "id": "generous",
    "title": "Booths paid; a lower sales bar",
    "parameters": {"booth_subsidy": [{"value": 3000}], "sales_threshold": [{"value": "4000万"}]},
}
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
    assert (award["baseline"], award["reform"], award["gaining"]) == (
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
    with pytest.raises(InputError, match="cannot group by"):
        impact.by("province")


def test_the_chart_draws_both_sides() -> None:
    figure = budget_impact(ENGINE, REGISTRY, REFORM, as_of=AS_OF).chart("rule_id")
    (axes,) = figure.axes
    assert len(axes.patches) == 4  # two rules, baseline and reform


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
    assert totals["gaining"].sum() == 0 and totals["losing"].sum() == 0
