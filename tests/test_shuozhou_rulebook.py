"""The Shuozhou 2019 rulebook (rules/shuozhou-2019): it loads, every rule has YAML cases (run
through every backend by tests/test_conformance.py), its examples evaluate as expected,
every measure is covered, and every citation is verbatim.

Everything goes through the public API: `Engine`, `Evaluation`, the case runner.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from subsidy_engine import Engine, ProfileError, RulebookError, Status
from subsidy_engine.cases import check_case
from subsidy_engine.profile_files import read_profile
from subsidy_engine.rulebook.loader import load_cases
from subsidy_engine.rulebook.models import CasesFile, ExpectedCase, Unit

ROOT = Path(__file__).resolve().parents[1]
RULEBOOK = ROOT / "rules" / "shuozhou-2019"
EXAMPLES = ROOT / "examples"
SHARED_SOURCE = Path("/work/shared/policy/shuozhou-2019-private-economy-measures.txt")


def _load() -> tuple[Engine | None, str | None]:
    try:
        return Engine(RULEBOOK), None
    except RulebookError as error:
        return None, str(error)


ENGINE, LOAD_ERROR = _load()


@pytest.fixture(scope="module")
def engine() -> Engine:
    if ENGINE is None:
        pytest.fail(f"the rulebook does not load:\n{LOAD_ERROR}")
    return ENGINE


# Loading ---------------------------------------------------------------------------------------


def test_rulebook_loads() -> None:
    assert LOAD_ERROR is None, LOAD_ERROR
    assert ENGINE is not None
    manifest = ENGINE.rulebook.manifest
    assert manifest.id == "shuozhou-2019"
    assert manifest.title == "中共朔州市委 朔州市人民政府关于支持民营经济发展的实施意见"
    assert manifest.document_number == "朔发〔2018〕29号"
    assert manifest.document_number_status == "probable"
    assert manifest.notes and "probable" in manifest.notes
    assert manifest.published == date(2018, 12, 10)


def test_default_engine_is_this_rulebook() -> None:
    assert Engine().rulebook.id == "shuozhou-2019"


def test_source_is_an_exact_copy_of_the_policy_text() -> None:
    if not SHARED_SOURCE.is_file():
        pytest.skip("the shared policy text is not on this machine")
    assert (RULEBOOK / "source.txt").read_bytes() == SHARED_SOURCE.read_bytes()


# YAML cases ------------------------------------------------------------------------------------


def _load_cases() -> tuple[dict[str, CasesFile], str | None]:
    try:
        return load_cases(RULEBOOK), None
    except RulebookError as error:
        return {}, str(error)


CASE_FILES, CASES_ERROR = _load_cases()


def test_there_are_cases_for_every_rule(engine: Engine) -> None:
    named = {
        rule_id
        for cases_file in CASE_FILES.values()
        for case in cases_file.cases
        for rule_id in case.expect
    }
    untested = sorted(r.id for r in engine.rulebook.rules if r.id not in named)
    assert not untested, f"rules without a YAML case: {untested}"


# Examples --------------------------------------------------------------------------------------

EXAMPLE_NAMES = [
    "huairen-ceramics-large",
    "newly-above-scale-manufacturer",
    "small-logistics-firm",
    "software-startup",
    "defence-supplier",
    "seriously-dishonest",
]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_matches_expected(engine: Engine, name: str) -> None:
    profile_path = EXAMPLES / f"{name}.yaml"
    expected = yaml.safe_load((EXAMPLES / "expected" / f"{name}.yaml").read_text("utf-8"))
    profile = read_profile(profile_path, engine)  # validates, with file:line errors
    raw = yaml.safe_load(profile_path.read_text("utf-8"))
    case = ExpectedCase(name=name, as_of=expected["as_of"], profile=raw, expect=expected["expect"])
    failures = check_case(engine, case)
    # Nothing beyond what the expected file lists may be anything but ineligible.
    evaluation = engine.evaluate(profile, as_of=expected["as_of"])
    listed: set[tuple[str, int | None]] = set()
    for rule_id, specs in expected["expect"].items():
        for spec in specs if isinstance(specs, list) else [specs]:
            listed.add((rule_id, spec.get("item") if isinstance(spec, dict) else None))
    for result in evaluation:
        key = (result.rule_id, result.item.index if result.item else None)
        if result.status is not Status.INELIGIBLE and key not in listed:
            failures.append(f"{key}: {result.status} but not in the expected file")
    assert not failures, "\n".join(failures)


# Coverage and citations ------------------------------------------------------------------------

Q_RULE_IDS = [
    "m6.business_registration_3_days",
    "m6.real_estate_registration_5_days",
    "m6.industrial_project_approval_45_days",
    "m6.construction_project_approval_100_days",
    "m14.ceramic_tax_retention_award",
    "m15.job_stabilization_refund",
    "m15.unemployment_insurance_rate_cut",
    "m17.industrial_land_price_floor",
    "m17.service_conversion_transition",
    "m25.ceramic_loan_interest_subsidy",
    "m27.serious_dishonesty_exclusion",
    "m31.fly_ash_ceramic_award",
    "m32.military_contract_matching",
    "m34.china_quality_award",
    "m34.china_quality_award_nomination",
    "m34.provincial_quality_award",
    "m34.provincial_quality_award_nomination",
    "m35.exhibition_booth_subsidy",
    "m36.above_scale_award_2y",
    "m36.above_scale_award_3y",
    "m36.above_scale_tax_adaptation",
    "m36.ceramic_project_investment_subsidy",
    "m36.leading_project_support",
    "m37.procurement_sme_set_aside",
    "m37.procurement_small_micro_set_aside",
]


def _measures_in_source(text: str) -> dict[int, tuple[str, str]]:
    """Measure number -> (heading, the text of its closing parentheses)."""
    out: dict[int, tuple[str, str]] = {}
    starts = list(re.finditer(r"(?m)^\s*(\d+)\.", text))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = text[match.end() : end].rstrip()
        heading = body.split("。", 1)[0]
        closing = body[body.rfind("(") + 1 :].removesuffix(")")
        out[int(match.group(1))] = (heading, closing)
    return out


def test_every_measure_is_covered_or_government_only(engine: Engine) -> None:
    book = engine.rulebook
    numbers = [m.number for m in book.manifest.measures]
    assert sorted(numbers) == list(range(1, 49))
    for measure in book.manifest.measures:
        rules = book.rules_of_measure(measure.number)
        assert bool(rules) != bool(measure.government_only), measure.number


def test_headings_are_the_measures_headings(engine: Engine) -> None:
    source = _measures_in_source(engine.rulebook.source_text)
    assert sorted(source) == list(range(1, 49))
    for measure in engine.rulebook.manifest.measures:
        assert measure.heading == source[measure.number][0]


def test_catalogue_q_rule_ids_exist(engine: Engine) -> None:
    ids = {r.id for r in engine.rulebook.rules}
    assert [i for i in Q_RULE_IDS if i not in ids] == []


def test_quotes_bases_and_departments_are_verbatim(engine: Engine) -> None:
    book = engine.rulebook
    text = book.source_text
    closing = {n: c for n, (_, c) in _measures_in_source(text).items()}
    for rule in book.rules:
        assert all(q in text for q in rule.citation.quotes), rule.id
        for quantity in [rule.amount, *rule.details.values()]:
            assert quantity.spec.basis is None or quantity.spec.basis in text, rule.id
        departments = rule.citation.lead_departments
        assert departments, rule.id
        for department in departments:
            assert department in closing[rule.measure.number], (rule.id, department)
        assert rule.citation.heading == rule.measure.heading


def test_every_rule_is_documented(engine: Engine) -> None:
    for rule in engine.rulebook.rules:
        spec = rule.spec
        assert spec.title and spec.title_en, rule.id
        # a payer is who pays or forgoes money; a right, deadline, period or floor has none
        paid = spec.amount.unit in (Unit.CASH, Unit.SAVING, Unit.RECOMMENDATION)
        assert bool(spec.amount.payer) == paid, rule.id
        assert spec.amount.basis, rule.id


# Figures ---------------------------------------------------------------------------------------

UNSPECIFIED = [
    "local_registered_unemployment_rate",
    "urban_surveyed_unemployment_target",
    "ceramic_tax_retention_award_ratio",
    "advantage_industries",
    "booth_subsidy_per_booth",
    "ceramic_project_subsidy_ratio",
    "quality_award_city_matching",
    "leading_project_support_amount",
    "fly_ash_award_amount",
    "military_city_matching_amount",
    "military_provincial_matching_amount",
    "ceramic_loan_interest_subsidy_ratio",
    "technology_centre_award",
]


@pytest.mark.parametrize("name", UNSPECIFIED)
def test_figures_the_text_does_not_state_are_unspecified(engine: Engine, name: str) -> None:
    assert engine.rulebook.parameters[name].values == ()


def test_national_land_minimum_price_table(engine: Engine) -> None:
    table = engine.rulebook.parameters["national_land_min_price"].value_at(date(2019, 1, 1))
    prices = [840, 720, 600, 480, 384, 336, 288, 252, 204, 168, 144, 120, 96, 84, 60]
    assert table == {grade: Decimal(p) for grade, p in enumerate(prices, 1)}


def test_land_price_floor_for_the_plot(engine: Engine) -> None:
    profile = {
        "credit_code": "91140681MA0K4D7U2Y",
        "projects": [
            {
                "name": "plot",
                "kind": "industrial",
                "industry": "new_energy",
                "land_grade": 7,
                "land_area_m2": "12345.5",
                "land_use_intensive": True,
            }
        ],
    }
    result = engine.evaluate(profile, as_of=date(2019, 12, 31)).result(
        "m17.industrial_land_price_floor", 0
    )
    assert result.status is Status.ELIGIBLE
    assert result.amount.value == Decimal("201.60")  # 288 x 70%
    assert result.details is not None
    assert result.details["plot_floor"].value == Decimal("2488852.80")  # 201.6 x 12345.5 m2


def procurement_floors(engine: Engine, budget: Decimal, as_of: date) -> tuple[Decimal, Decimal]:
    """Measure 37's two floors for one body's annual procurement budget: the share reserved for
    small, medium and micro enterprises, and within it the share kept for small and micro ones.

    >>> procurement_floors(Engine(), Decimal(1000000), date(2019, 6, 1))
    (Decimal('300000.00'), Decimal('180000.00'))
    """
    parameters = engine.rulebook.parameters
    sme = parameters["procurement_sme_set_aside"].value_at(as_of)
    small = parameters["procurement_small_micro_share"].value_at(as_of)
    reserved = (budget * sme).quantize(Decimal("0.01"))
    return reserved, (reserved * small).quantize(Decimal("0.01"))


def test_procurement_floors(engine: Engine) -> None:
    # 5000万 of budget: at least 1500万 for SMEs, of which at least 900万 for small and micro ones
    floors = procurement_floors(engine, Decimal(50_000_000), date(2019, 6, 1))
    assert floors == (Decimal("15000000.00"), Decimal("9000000.00"))


# The 2011 SME size classification, sector by sector --------------------------------------------

# sector: (GB/T 4754-2017 code, {indicator: (large, medium, small lower bounds)}), in yuan/persons.
W = 10_000
SECTORS: dict[str, tuple[str, dict[str, tuple[int, int, int]]]] = {
    "agriculture": ("A0111", {"operating_revenue": (20000 * W, 500 * W, 50 * W)}),
    "industry": (
        "C3434",
        {"employees": (1000, 300, 20), "operating_revenue": (40000 * W, 2000 * W, 300 * W)},
    ),
    "construction": (
        "E4710",
        {
            "operating_revenue": (80000 * W, 6000 * W, 300 * W),
            "total_assets": (80000 * W, 5000 * W, 300 * W),
        },
    ),
    "wholesale": (
        "F5111",
        {"employees": (200, 20, 5), "operating_revenue": (40000 * W, 5000 * W, 1000 * W)},
    ),
    "retail": (
        "F5211",
        {"employees": (300, 50, 10), "operating_revenue": (20000 * W, 500 * W, 100 * W)},
    ),
    "transport": (
        "G5431",
        {"employees": (1000, 300, 20), "operating_revenue": (30000 * W, 3000 * W, 200 * W)},
    ),
    "warehousing": (
        "G5920",
        {"employees": (200, 100, 20), "operating_revenue": (30000 * W, 1000 * W, 100 * W)},
    ),
    "post": (
        "G6010",
        {"employees": (1000, 300, 20), "operating_revenue": (30000 * W, 2000 * W, 100 * W)},
    ),
    "hotels": (
        "H6110",
        {"employees": (300, 100, 10), "operating_revenue": (10000 * W, 2000 * W, 100 * W)},
    ),
    "catering": (
        "H6210",
        {"employees": (300, 100, 10), "operating_revenue": (10000 * W, 2000 * W, 100 * W)},
    ),
    "telecoms": (
        "I6311",
        {"employees": (2000, 100, 10), "operating_revenue": (100000 * W, 1000 * W, 100 * W)},
    ),
    "software": (
        "I6513",
        {"employees": (300, 100, 10), "operating_revenue": (10000 * W, 1000 * W, 50 * W)},
    ),
    "real_estate_development": (
        "K7010",
        {
            "operating_revenue": (200000 * W, 1000 * W, 100 * W),
            "total_assets": (10000 * W, 5000 * W, 2000 * W),
        },
    ),
    "property_management": (
        "K7020",
        {"employees": (1000, 300, 100), "operating_revenue": (5000 * W, 1000 * W, 500 * W)},
    ),
    "leasing_business_services": (
        "L7211",
        {"employees": (300, 100, 10), "total_assets": (120000 * W, 8000 * W, 100 * W)},
    ),
    "other": ("M7320", {"employees": (300, 100, 10)}),
}
CLASSES = ("large", "medium", "small", "micro")


def _just_below(indicator: str, value: int) -> Decimal | int:
    return value - 1 if indicator == "employees" else Decimal(value) - Decimal("0.01")


def _size_points() -> list[Any]:
    points = []
    for sector, (code, indicators) in SECTORS.items():
        for level, name in enumerate(CLASSES[:3]):
            at = {i: bounds[level] for i, bounds in indicators.items()}
            points.append(pytest.param(code, at, name, id=f"{sector}-at-{name}-bounds"))
            for indicator in indicators:
                below = dict(at)
                below[indicator] = _just_below(indicator, at[indicator])
                points.append(
                    pytest.param(
                        code, below, CLASSES[level + 1], id=f"{sector}-{indicator}-below-{name}"
                    )
                )
    return points


@pytest.mark.parametrize(("code", "figures", "size_class"), _size_points())
def test_sme_size_class(
    engine: Engine, code: str, figures: dict[str, Any], size_class: str
) -> None:
    profile = {"credit_code": "91140602MA0K000135", "industry_code": code, **figures}
    result = engine.evaluate(profile, as_of=date(2019, 12, 31)).result(
        "m37.procurement_sme_set_aside"
    )
    seen = result.conditions[0].values["sme_size_class"]
    assert seen == size_class
    expected = Status.INELIGIBLE if size_class == "large" else Status.ELIGIBLE
    assert result.status is expected


# Profile contract --------------------------------------------------------------------------------


def test_profile_refuses_completion_before_signing(engine: Engine) -> None:
    project = {"name": "p", "signing_date": "2019-05-01", "completion_date": "2019-04-30"}
    with pytest.raises(ProfileError, match="before its agreement is signed"):
        engine.validate({"projects": [project]})
    project["completion_date"] = "2019-05-01"
    engine.validate({"projects": [project]})


def test_profile_fields_are_documented(engine: Engine) -> None:
    spec = engine.rulebook.profile.spec
    assert spec.key == "credit_code"
    for name, field in spec.fields.items():
        assert field.title and field.description, name
        for item_name, item in (getattr(field, "fields", None) or {}).items():
            assert item.title and item.description, f"{name}.{item_name}"
