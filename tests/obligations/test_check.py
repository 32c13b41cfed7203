"""Obligations checked through the public API: the worked example of measure 37, bounds,
missing facts, readings, and a second rulebook whose only subject is a service hall."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError
from subsidy_engine.cases import run_cases
from subsidy_engine.errors import InputError
from subsidy_engine.obligations import (
    ObligationStatus,
    check_obligations,
    procurement_floors,
    required_figures,
)
from subsidy_engine.obligations.check import ObligationChecker
from subsidy_engine.obligations.period import parse_period
from subsidy_engine.results import Period

DUTIES = Path(__file__).parents[1] / "fixtures" / "duties"
Q1 = "2020Q1"


def _body(engine: Engine, **facts: object) -> dict[str, object]:
    report = engine.obligations(
        [{"kind": "procuring_body", "name": "市教育局", "facts": facts}], Q1
    )
    return {r.rule_id: r for r in report.results}


def test_the_worked_example_of_measure_37(engine: Engine) -> None:
    results = _body(engine, procurement_budget="1000万", sme_reserved="250万")
    sme, small = results["m37.sme_reserve"], results["m37.small_micro_reserve"]
    assert sme.status is ObligationStatus.NOT_MET
    assert (sme.required, sme.achieved, sme.shortfall) == (
        Decimal("3000000.00"),
        Decimal("2500000.00"),
        Decimal("500000.00"),
    )
    assert sme.citation.measure == 37 and "30%以上" in sme.citation.quotes[0]
    # the 60% is of the required reserve (300万) by default, and the result says so
    assert small.required == Decimal("1800000.00")
    assert [str(r) for r in small.readings] == ["procurement_small_micro_base=required_reserve"]
    assert small.status is ObligationStatus.UNDETERMINED
    assert small.missing_facts == ("small_micro_reserved",)


def test_a_missing_fact_is_never_read_as_zero(engine: Engine) -> None:
    results = _body(engine, sme_reserved="300万")
    sme = results["m37.sme_reserve"]
    assert sme.status is ObligationStatus.UNDETERMINED
    assert sme.missing_facts == ("procurement_budget",)
    assert sme.required is None and sme.shortfall is None


@settings(max_examples=60, deadline=None)
@given(
    budget=st.integers(min_value=0, max_value=10**11),
    reserved=st.integers(min_value=0, max_value=10**11),
)
def test_the_reserve_is_met_exactly_when_it_reaches_30_percent(
    engine: Engine, budget: int, reserved: int
) -> None:
    sme = _body(engine, procurement_budget=budget, sme_reserved=reserved)["m37.sme_reserve"]
    floor = Decimal(budget) * Decimal("0.3")
    assert sme.required == floor.quantize(Decimal("0.01"))
    assert (sme.status is ObligationStatus.MET) == (reserved >= floor)
    assert sme.shortfall == max(floor - reserved, Decimal(0)).quantize(Decimal("0.01"))


def test_the_other_reading_takes_60_percent_of_the_reserve_made(engine: Engine) -> None:
    reading = {
        "id": "r",
        "title": "r",
        "parameters": {
            "procurement_small_micro_base": [{"value": "actual_reserve", "reference": "test"}]
        },
    }
    reformed = engine.with_reform(reading)
    results = _body(
        reformed, procurement_budget="1000万", sme_reserved="250万", small_micro_reserved="150万"
    )
    small = results["m37.small_micro_reserve"]
    assert (small.status, small.required) == (ObligationStatus.MET, Decimal("1500000.00"))
    assert [r.name for r in small.readings] == ["actual_reserve"]


def test_the_floors_of_a_budget_with_their_citations(engine: Engine) -> None:
    floors = procurement_floors("1000万", date(2020, 3, 31), engine)
    assert [(f.rule_id, f.required) for f in floors] == [
        ("m37.sme_reserve", Decimal("3000000.00")),
        ("m37.small_micro_reserve", Decimal("1800000.00")),
    ]
    assert all(f.citation.heading == "强化政府采购支持作用" for f in floors)


def test_the_floors_refuse_a_budget_that_is_not_an_amount(engine: Engine) -> None:
    with pytest.raises(ProfileError, match="procurement_budget"):
        procurement_floors("a lot", date(2020, 3, 31), engine)


def test_a_duty_before_it_starts_is_not_in_force(engine: Engine) -> None:
    checker = ObligationChecker(engine.rulebook)
    facts = checker.validate("city", {"sme_development_fund_size": "2000万"})
    results = checker.check("city", "朔州市", facts, parse_period("2018Q4"))
    fund = next(r for r in results if r.rule_id == "m29.sme_development_fund_established")
    assert fund.status is ObligationStatus.NOT_IN_FORCE and fund.required is None


def test_an_unknown_subject_kind_is_refused_naming_the_known_ones(engine: Engine) -> None:
    with pytest.raises(ProfileError, match=r"unknown subject kind 'procurer'.*procuring_body"):
        engine.obligations([{"kind": "procurer", "name": "x", "facts": {}}], Q1)


def test_a_fact_the_kind_does_not_declare_is_refused(engine: Engine) -> None:
    with pytest.raises(ProfileError, match="unknown field") as caught:
        engine.obligations(
            [{"kind": "procuring_body", "name": "x", "facts": {"procurement_budgt": 1}}], Q1
        )
    assert caught.value.diagnostics[0].hint == "did you mean 'procurement_budget'?"


def test_a_period_is_needed(engine: Engine) -> None:
    with pytest.raises(InputError, match="no period"):
        engine.obligations([{"kind": "city", "name": "x", "facts": {}}])


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020Q1", date(2020, 1, 1), date(2020, 3, 31)),
        ("2020q4", date(2020, 10, 1), date(2020, 12, 31)),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
    ],
)
def test_periods(text: str, start: date, end: date) -> None:
    assert parse_period(text) == Period(start, end)


@pytest.mark.parametrize("text", ["2020Q5", "2020Q0", "Q1", "20201", ""])
def test_a_bad_period_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="not a quarter"):
        parse_period(text)


def test_the_roll_up_counts_statuses_and_sums_only_decided_figures(engine: Engine) -> None:
    report = engine.obligations(
        [
            {
                "kind": "procuring_body",
                "name": "a",
                "facts": {"procurement_budget": "1000万", "sme_reserved": "250万"},
            },
            {
                "kind": "procuring_body",
                "name": "b",
                "facts": {"procurement_budget": "2000万", "sme_reserved": "700万"},
            },
            {"kind": "procuring_body", "name": "c", "facts": {"procurement_budget": "500万"}},
        ],
        Q1,
    )
    row = next(r for r in report.rollup if r.rule_id == "m37.sme_reserve")
    assert (row.subjects, row.met, row.not_met, row.undetermined) == (3, 1, 1, 1)
    assert row.required == Decimal("9000000.00")  # a and b only: c's reserve is not known
    assert row.achieved == Decimal("9500000.00")
    assert row.shortfall == Decimal("500000.00")
    assert report.provenance.as_of == date(2020, 3, 31)


def test_the_yaml_cases_of_the_obligations_pass(engine: Engine) -> None:
    outcomes = [o for o in run_cases(engine, ("evaluate",)) if o.file == "tests/obligations.yaml"]
    assert len(outcomes) >= 15
    assert [o for o in outcomes if not o.passed] == []


# A second rulebook: a service hall, a duty with an upper bound ------------------------------


def test_another_rulebook_declares_its_own_subject_kind() -> None:
    engine = Engine(DUTIES)
    assert list(engine.rulebook.subjects) == ["service_hall"]
    report = check_obligations(
        engine.rulebook,
        [
            {"kind": "service_hall", "name": "东区", "facts": {"average_licence_days": 3}},
            {"kind": "service_hall", "name": "西区", "facts": {"average_licence_days": "3.5"}},
        ],
        Q1,
    )
    east, west = report.results
    assert (east.status, east.shortfall) == (ObligationStatus.MET, Decimal(0))
    assert (west.status, west.shortfall) == (ObligationStatus.NOT_MET, Decimal("0.5"))
    assert west.direction == "at_most" and west.unit == "working_days"


def test_the_second_rulebooks_cases_pass_and_a_wrong_one_fails(tmp_path: Path) -> None:
    assert all(o.passed for o in run_cases(Engine(DUTIES), ("evaluate",)))
    root = tmp_path / "duties"
    shutil.copytree(DUTIES, root)
    cases = root / "tests" / "cases.yaml"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace("shortfall: 0.01", "shortfall: 0.02"),
        encoding="utf-8",
    )
    failed = [o for o in run_cases(Engine(root), ("evaluate",)) if not o.passed]
    assert [f.failures for f in failed] == [("m1.licence_days: shortfall 0.01, expected 0.02",)]


def test_required_figures_for_a_service_hall() -> None:
    checker = ObligationChecker(Engine(DUTIES).rulebook)
    (limit,) = required_figures(checker, "service_hall", {}, date(2020, 1, 1))
    assert limit.required == Decimal(3)
    assert limit.missing_facts == ("average_licence_days",)


def test_coverage_lists_each_measures_obligations(engine: Engine) -> None:
    from subsidy_engine.catalogue import coverage_rows

    rows = {row["measure"]: row["coverage"] for row in coverage_rows(engine.rulebook)}
    assert rows[48].startswith("government only: ")
    assert rows[48].endswith("\nobligations: m48.quarterly_report")
    assert "obligations: m37.sme_reserve, m37.small_micro_reserve" in rows[37]
    assert "obligations" not in rows[1]
