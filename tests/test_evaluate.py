"""Evaluating one profile: statuses, per-item rules, exclusions, amounts, totals, provenance."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from subsidy_engine import AmountStatus, Engine, Evaluation, ProfileError, Status

MINI = Path(__file__).parent / "fixtures" / "mini"
AS_OF = date(2019, 6, 1)
CERAMICS = {
    "credit_code": "91350100M000100Y43",
    "industry_code": "C3071",
    "annual_sales": "5000万",
    "employees": 30,
    "seriously_dishonest": False,
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(MINI)


def evaluate(engine: Engine, **changes: Any) -> Evaluation:
    profile = {**CERAMICS, **changes}
    return engine.evaluate({k: v for k, v in profile.items() if v is not None}, as_of=AS_OF)


def test_eligible_with_amount_trace_and_citation(engine: Engine) -> None:
    result = evaluate(engine).result("m1.ceramics_award")
    assert result.status is Status.ELIGIBLE
    assert result.amount.value == Decimal("500000.00")
    assert result.amount.status is AmountStatus.DETERMINED
    assert [(c.name, c.outcome) for c in result.conditions] == [("ceramics", True), ("sales", True)]
    assert result.conditions[1].values == {
        "annual_sales": Decimal("50000000"),
        "sales_threshold": Decimal("50000000"),
    }
    citation = result.citation
    assert (citation.measure, citation.heading) == (1, "扶持小微企业")
    assert citation.lead_departments == ("市财政局",)
    assert citation.quotes[0] in (MINI / "source.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("sales", "status"),
    [("4999.99万", Status.INELIGIBLE), ("5000万", Status.ELIGIBLE), ("5000.01万", Status.ELIGIBLE)],
)
def test_threshold_bound(engine: Engine, sales: str, status: Status) -> None:
    assert evaluate(engine, annual_sales=sales).result("m1.ceramics_award").status is status


def test_missing_fact_is_undetermined_never_no(engine: Engine) -> None:
    result = evaluate(engine, annual_sales=None).result("m1.ceramics_award")
    assert result.status is Status.UNDETERMINED
    assert result.missing_facts == ("annual_sales",)
    assert [c.outcome for c in result.conditions] == [True, None]


def test_a_false_condition_decides_even_with_facts_missing(engine: Engine) -> None:
    result = evaluate(engine, industry_code="G5431", annual_sales=None).result("m1.ceramics_award")
    assert result.status is Status.INELIGIBLE
    assert result.missing_facts == (), "decided: no missing fact could change it"


def test_per_item_rule_gives_one_result_per_item(engine: Engine) -> None:
    evaluation = evaluate(
        engine,
        exhibitions=[{"name": "广交会", "booths": 3}, {"name": "进博会", "booths": 0}, {}],
    )
    results = [r for r in evaluation if r.rule_id == "m1.booth_subsidy"]
    assert [(r.item.index if r.item else None, r.status) for r in results] == [
        (0, Status.ELIGIBLE),
        (1, Status.INELIGIBLE),
        (2, Status.UNDETERMINED),
    ]
    assert results[0].item is not None and results[0].item.label == "广交会"
    assert results[2].missing_facts == ("exhibitions[2].booths",)
    amount = results[0].amount
    assert amount.status is AmountStatus.UNSPECIFIED
    assert amount.unspecified_parameters == ("booth_subsidy",)


def test_per_item_rule_without_the_list_or_with_an_empty_one(engine: Engine) -> None:
    (absent,) = [r for r in evaluate(engine) if r.rule_id == "m1.booth_subsidy"]
    assert absent.status is Status.UNDETERMINED
    assert absent.missing_facts == ("exhibitions",)
    (empty,) = [r for r in evaluate(engine, exhibitions=[]) if r.rule_id == "m1.booth_subsidy"]
    assert empty.status is Status.INELIGIBLE


@pytest.mark.parametrize(
    ("dishonest", "status"),
    [(True, Status.EXCLUDED), (False, Status.ELIGIBLE), (None, Status.UNDETERMINED)],
)
def test_exclusion_withdraws_cash(engine: Engine, dishonest: bool | None, status: Status) -> None:
    evaluation = evaluate(engine, seriously_dishonest=dishonest)
    result = evaluation.result("m1.ceramics_award")
    assert result.status is status
    if dishonest is not False:
        assert result.excluded_by is not None
        assert result.excluded_by.rule_id == "m2.dishonesty_exclusion"
        assert result.excluded_by.citation.measure == 2
    if dishonest is None:
        assert result.missing_facts == ("seriously_dishonest",)
    saving = evaluation.result("m1.rate_cut")
    assert saving.status is Status.ELIGIBLE, "only cash is withdrawn"


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (date(2019, 4, 30), Status.NOT_IN_FORCE),
        (date(2019, 5, 1), Status.ELIGIBLE),
        (date(2020, 4, 30), Status.ELIGIBLE),
        (date(2020, 5, 1), Status.NOT_IN_FORCE),
    ],
)
def test_effective_period(engine: Engine, as_of: date, status: Status) -> None:
    result = engine.evaluate(CERAMICS, as_of=as_of).result("m1.rate_cut")
    assert result.status is status
    assert result.rule.in_force.end == date(2020, 4, 30)
    assert result.rule.interpretation


def test_totals_count_only_determined_eligible_cash(engine: Engine) -> None:
    evaluation = evaluate(engine, exhibitions=[{"name": "广交会", "booths": 3}])
    (city,) = evaluation.totals
    assert (city.payer, city.amount, city.counted, city.unspecified) == (
        "city",
        Decimal("500000.00"),
        1,
        1,
    )


def test_provenance(engine: Engine) -> None:
    provenance = evaluate(engine).provenance
    assert provenance.rulebook_id == "mini"
    assert len(provenance.rulebook_sha256) == 64
    assert provenance.as_of == AS_OF
    assert evaluate(engine).profile_key == "91350100M000100Y43"


def test_json_round_trip(engine: Engine) -> None:
    evaluation = evaluate(engine, exhibitions=[{"name": "广交会", "booths": 3}])
    text = evaluation.to_json()
    again = Evaluation.from_json(text)
    assert again.to_json() == text
    assert again.result("m1.ceramics_award").amount.value == Decimal("500000.00")
    assert again.provenance == evaluation.provenance


def test_profile_models_and_dicts_are_both_accepted(engine: Engine) -> None:
    model = engine.validate(CERAMICS)
    assert (
        engine.evaluate(model, as_of=AS_OF).to_json()
        == engine.evaluate(CERAMICS, as_of=AS_OF).to_json()
    )


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("credit_code", "91350100M000100Y44", "credit_code"),
        ("industry_code", "C999", "industry_code"),
        ("annual_sales", "-1", "annual_sales"),
        ("annual_sales", "12.345", "annual_sales"),
        ("county", "北区", "county"),
        ("employes", 3, "did you mean 'employees'?"),
    ],
)
def test_bad_profiles_are_refused_naming_the_field(
    engine: Engine, field: str, value: object, fragment: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        engine.evaluate({**CERAMICS, field: value}, as_of=AS_OF)
    assert fragment in str(caught.value)


def test_item_checks_refuse_inconsistent_items(engine: Engine) -> None:
    bad = {"name": "x", "start": date(2019, 5, 2), "end": date(2019, 5, 1)}
    with pytest.raises(ProfileError, match=r"exhibitions\[0\]") as caught:
        engine.evaluate({**CERAMICS, "exhibitions": [bad]}, as_of=AS_OF)
    assert "cannot end before it starts" in str(caught.value)
