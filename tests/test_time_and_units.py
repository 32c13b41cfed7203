"""What the text gives but the engine cannot compute, and what a result's unit means: a deadline
in a year the working-day calendar lacks is unknown (not unspecified); measure 6's 45- and
100-day limits are working-day budgets, their date only "if every step ran back to back"; an
ended period is in no total and out of `score`'s default rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from subsidy_engine import Engine, Status
from subsidy_engine.report import format_amount
from subsidy_engine.results import AmountStatus
from subsidy_engine.rulebook.models import Unit

ENGINE = Engine()
PRIVATE = {"credit_code": "91140602MA0K000135", "ownership": "private"}


def test_a_deadline_past_the_calendar_is_unknown_and_names_the_calendar() -> None:
    application = {"name": "设立登记", "kind": "business_registration", "applied_on": "2026-12-30"}
    profile = {**PRIVATE, "service_applications": [application]}
    result = ENGINE.evaluate(profile, date(2027, 1, 31)).result(
        "m6.business_registration_3_days", 0
    )
    assert result.status is Status.ELIGIBLE
    assert result.amount.status is AmountStatus.UNKNOWN
    assert result.amount.unspecified_parameters == ()
    assert result.missing_parameters == ("cn_working_day_calendar",)
    row = ENGINE.score(pl.DataFrame([profile]), date(2027, 1, 31)).results.filter(
        pl.col("rule_id") == "m6.business_registration_3_days"
    )
    assert row["amount_status"].cast(pl.String).to_list() == ["unknown"]
    assert row["missing_parameters"].to_list() == [["cn_working_day_calendar"]]


def test_an_approval_limit_is_a_budget_of_working_days_with_a_back_to_back_date() -> None:
    application = {
        "name": "审批",
        "kind": "industrial_project_approval",
        "applied_on": "2019-09-27",
    }
    profile = {**PRIVATE, "service_applications": [application]}
    result = ENGINE.evaluate(profile, date(2019, 12, 31)).result(
        "m6.industrial_project_approval_45_days", 0
    )
    assert result.amount.unit is Unit.WORKING_DAY_BUDGET
    assert result.amount.value == Decimal(45)
    assert result.details is not None
    assert result.details["back_to_back"].value == date(2019, 12, 4)
    assert format_amount(result.amount) == "45 working days in all"


def test_an_ended_period_is_out_of_scores_default_rows_and_its_totals() -> None:
    profile = {
        "credit_code": "91140602MA0JY2B640",
        "industry_code": "C3434",
        "above_scale_years": [2018, 2019, 2020],
    }
    day = date(2021, 1, 1)
    evaluation = ENGINE.evaluate(profile, day)
    assert evaluation.result("m36.above_scale_tax_adaptation").status is Status.ENDED
    assert "## Periods that have ended" in evaluation.to_markdown()
    scored = ENGINE.score(pl.DataFrame([profile]), day, summary=True)
    assert "m36.above_scale_tax_adaptation" not in scored.results["rule_id"].cast(pl.String)
    every = ENGINE.score(pl.DataFrame([profile]), day, statuses=["ended"]).results
    assert every["rule_id"].cast(pl.String).to_list() == ["m36.above_scale_tax_adaptation"]
    assert every["amount_date"].to_list() == [date(2020, 12, 31)]
