"""What-if comparisons, gaps and reforms on the mini rulebook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from subsidy_engine import Engine, ProfileError, RulebookError, Status
from subsidy_engine.analysis.whatif import changed_profile
from subsidy_engine.testing import profiles

if TYPE_CHECKING:
    from conftest import GapsOf

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
AS_OF = date(2019, 6, 1)
Cli = Callable[..., tuple[int, str, str]]
"""The `cli` fixture: (*args, stdin="") -> (exit code, out, err)."""
TmpFile = Callable[..., Path]
"""The `tmp_file` fixture: (name, text) -> the path of the file written."""
BASE = {
    "industry_code": "C3071",
    "annual_sales": "4500万",
    "employees": 200,
    "seriously_dishonest": False,
    "exhibitions": [{"name": "广交会", "booths": 0}],
}
REFORM = {
    "id": "generous",
    "title": "Set the booth subsidy; a lower sales bar in the second half of 2019",
    "text": "每个展位补助3000元。",
    "parameters": {
        "booth_subsidy": [{"value": 3000}],
        "sales_threshold": [
            {"from": date(2019, 7, 1), "until": date(2019, 12, 31), "value": "4000万"}
        ],
    },
    "disable": ["m1.rate_cut"],
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(MINI)


def test_what_if_reports_gains_with_the_conditions_that_flipped(engine: Engine) -> None:
    comparison = engine.what_if(BASE, {"annual_sales": "5000万"}, as_of=AS_OF)
    (gain,) = comparison.gained
    assert gain.rule_id == "m1.ceramics_award"
    assert gain.amount_delta == Decimal("500000.00")
    assert [(f.name, f.before, f.after) for f in gain.flipped] == [("sales", False, True)]
    assert comparison.lost == []


def test_what_if_on_items_and_removing_a_fact(engine: Engine) -> None:
    comparison = engine.what_if(
        BASE, {"exhibitions[0].booths": 2, "seriously_dishonest": None}, as_of=AS_OF
    )
    kinds = {(c.rule_id, c.item.index if c.item else None): c.kind for c in comparison.changes}
    assert kinds[("m1.booth_subsidy", 0)] == "status"  # ineligible -> undetermined (dishonesty)
    assert kinds[("m2.dishonesty_exclusion", None)] == "status"


def test_what_if_refuses_a_bad_change(engine: Engine) -> None:
    with pytest.raises(ProfileError, match="annual_sales"):
        engine.what_if(BASE, {"annual_sales": "-1"}, as_of=AS_OF)


def test_gaps_propose_the_smallest_change_and_verify_it(engine: Engine) -> None:
    report = engine.gaps(BASE, as_of=AS_OF)
    by_rule = {g.rule_id: g for g in report.gaps}
    award = by_rule["m1.ceramics_award"]
    (change,) = award.changes
    assert (change.fact, change.current, change.target) == (
        "annual_sales",
        Decimal("45000000"),
        Decimal("50000000"),
    )
    assert change.delta == Decimal("5000000")
    assert award.verified is True
    booth = by_rule["m1.booth_subsidy"]
    assert [str(c) for c in booth.changes] == ["exhibitions[0].booths 0 → 1 (+1)"]
    assert [g.rule_id for g in report.gaps] == ["m1.ceramics_award", "m1.booth_subsidy"]


def test_gaps_and_comparisons_read_as_tables(engine: Engine) -> None:
    report = engine.gaps(BASE, as_of=AS_OF)
    table = report.to_polars()
    assert table["rule_id"].to_list() == [g.rule_id for g in report.gaps]
    assert table.row(0, named=True)["changes"] == ["annual_sales 4500万 → 5000万 (+500万)"]
    assert report.to_pandas().shape == table.shape
    assert "m1.ceramics_award" in report._repr_html_()
    comparison = engine.what_if(BASE, {"annual_sales": "5000万"}, as_of=AS_OF)
    assert comparison.to_pandas()["change"].tolist() == ["gained"]
    assert "gained" in comparison._repr_html_()


def test_gaps_for_a_non_numeric_condition_and_a_rule_out_of_force(engine: Engine) -> None:
    profile = {**BASE, "industry_code": "G5431"}
    report = engine.gaps(profile, as_of=date(2021, 1, 1))
    by_rule = {g.rule_id: g for g in report.gaps}
    industry, sales = by_rule["m1.ceramics_award"].changes
    assert (industry.fact, industry.requirement) == ("industry_code", "starting with C307")
    assert str(industry) == "industry_code G5431 → C307"
    assert sales.fact == "annual_sales"
    assert by_rule["m1.ceramics_award"].verified is True
    rate_cut = by_rule["m1.rate_cut"]
    assert rate_cut.reachable is False and "2020-04-30" in rate_cut.note
    assert report.gaps[-1].rule_id == "m1.rate_cut"


def test_questions_order_facts_by_how_many_rules_they_decide(engine: Engine) -> None:
    report = engine.gaps({"employees": 3}, as_of=AS_OF)
    assert report.questions[0].fact == "seriously_dishonest"
    # the booth subsidy's exhibitions are not given either: a known exclusion would decide it
    assert set(report.questions[0].decides) == {
        "m1.ceramics_award",
        "m1.booth_subsidy",
        "m2.dishonesty_exclusion",
    }


def test_reform_sets_parameters_for_a_period_and_disables_rules(engine: Engine) -> None:
    profile = {**BASE, "exhibitions": [{"name": "广交会", "booths": 2}]}
    june = engine.evaluate(profile, as_of=AS_OF, reform=REFORM)
    assert june.provenance.reform is not None and june.provenance.reform.startswith("generous@")
    assert june.result("m1.booth_subsidy", 0).amount.value == Decimal("6000.00")
    assert june.result("m1.ceramics_award").status is Status.INELIGIBLE
    august = engine.evaluate(profile, as_of=date(2019, 8, 1), reform=REFORM)
    assert august.result("m1.ceramics_award").status is Status.ELIGIBLE
    january = engine.evaluate(profile, as_of=date(2020, 1, 1), reform=REFORM)
    assert january.result("m1.ceramics_award").status is Status.INELIGIBLE
    assert "m1.rate_cut" not in {r.rule_id for r in june}


def test_score_under_a_reform_agrees_with_evaluate_under_it(engine: Engine) -> None:
    profile = {**BASE, "exhibitions": [{"name": "广交会", "booths": 2}]}
    day = date(2019, 8, 1)
    scored = engine.score(pl.DataFrame([profile]), day, statuses="all", reform=REFORM)
    evaluation = engine.evaluate(profile, as_of=day, reform=REFORM)
    assert scored.provenance == evaluation.provenance
    got = {(r["rule_id"], r["status"], r["amount"]) for r in scored.results.to_dicts()}
    eligible = Status.ELIGIBLE
    assert got == {
        (r.rule_id, str(r.status), r.amount.value if r.status is eligible else None)
        for r in evaluation
    }
    assert ("m1.booth_subsidy", "eligible", Decimal("6000.00")) in got
    assert "m1.rate_cut" not in {rule for rule, _, _ in got}


def test_reform_effect_rule_by_rule(engine: Engine) -> None:
    profile = {**BASE, "exhibitions": [{"name": "广交会", "booths": 2}]}
    comparison = engine.what_if(profile, as_of=date(2019, 8, 1), reform=REFORM)
    kinds = {c.rule_id: c.kind for c in comparison.changes}
    assert kinds == {
        "m1.ceramics_award": "gained",
        "m1.booth_subsidy": "amount",
        "m1.rate_cut": "lost",
    }


def test_a_reform_that_changes_nothing_changes_no_result(engine: Engine) -> None:
    empty = {"id": "nothing", "title": "No change"}
    comparison = engine.what_if(BASE, as_of=AS_OF, reform=empty)
    assert comparison.changes == ()


def _one_new_rule(quote: str, when: dict[str, str]) -> list[dict[str, Any]]:
    """A reform's `add`: one cash rule, m1.new under measure 1, with this quote and condition."""
    rule = {"id": "m1.new", "title": "新", "title_en": "New", "quote": quote, "when": when}
    return [
        {
            "measure": 1,
            "lead_departments": ["市财政局"],
            "rules": [{**rule, "amount": {"unit": "cash"}}],
        }
    ]


def test_bad_reforms_are_refused_like_rulebooks(engine: Engine) -> None:
    bad = {
        "id": "bad",
        "title": "Typos",
        "parameters": {"booth_subsidi": [{"value": 1}]},
        "disable": ["m1.nope"],
        "add": _one_new_rule("不存在的话", {"x": "employes > 3"}),
    }
    with pytest.raises(RulebookError) as caught:
        engine.evaluate(BASE, as_of=AS_OF, reform=bad)
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["unknown-name", "unknown-rule"]
    rendered = caught.value.render()
    assert "did you mean 'booth_subsidy'?" in rendered and "reform:bad:" in rendered


def test_reform_rules_are_checked_and_cite_the_reform(engine: Engine) -> None:
    reform = {
        "id": "new-rule",
        "title": "A new award",
        "text": "对员工100人以上的企业奖励1万元。",
        "add": _one_new_rule("对员工100人以上的企业奖励1万元", {"staff": "employes >= 100"}),
    }
    with pytest.raises(RulebookError, match="did you mean 'employees'"):
        engine.evaluate(BASE, as_of=AS_OF, reform=reform)
    reform["add"][0]["rules"][0]["when"] = {"staff": "employees >= 100"}  # type: ignore[index]
    result = engine.evaluate(BASE, as_of=AS_OF, reform=reform).result("m1.new")
    assert result.status is Status.ELIGIBLE
    assert result.citation.document == "A new award"


def _check_proposed_changes(gaps: GapsOf, engine: Engine, profile: dict[str, Any]) -> None:
    """Apply, outside `gaps`, every change it proposes on the profile's own facts; the rule
    (or the item) must then apply, unless an exclusion withdraws it."""
    for gap in gaps(engine, profile, AS_OF).gaps:
        if gap.missing_facts or gap.unspecified_parameters:
            continue
        if not gap.changes or not all(c.settable for c in gap.changes):
            continue
        changed = changed_profile(profile, {c.fact: c.target for c in gap.changes})
        after = engine.evaluate(changed, as_of=AS_OF)
        results = [
            r
            for r in after.results
            if r.rule_id == gap.rule_id and (gap.item is None or r.item == gap.item)
        ]
        assert results, gap
        assert all(r.status in (Status.ELIGIBLE, Status.EXCLUDED) for r in results), (
            str(gap),
            [(r.status, r.missing_facts) for r in results],
        )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(Engine(MINI).rulebook))
def test_applying_a_proposed_change_makes_the_rule_apply(
    generated_gaps: GapsOf, profile: dict[str, Any]
) -> None:
    _check_proposed_changes(generated_gaps, Engine(MINI), profile)


SHUOZHOU = Engine()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(profiles(SHUOZHOU.rulebook))
def test_proposed_changes_apply_on_the_bundled_rulebook(
    generated_gaps: GapsOf, profile: dict[str, Any]
) -> None:
    _check_proposed_changes(generated_gaps, SHUOZHOU, profile)


def test_a_gap_lists_the_facts_still_missing_beside_the_changes(engine: Engine) -> None:
    profile = {"industry_code": "G5431", "seriously_dishonest": False}
    gap = next(
        g for g in engine.gaps(profile, as_of=AS_OF).gaps if g.rule_id == "m1.ceramics_award"
    )
    assert gap.status is Status.INELIGIBLE
    assert [c.fact for c in gap.changes] == ["industry_code"]
    assert gap.missing_facts == ("annual_sales",)


def test_a_change_without_an_end_replaces_every_later_value(engine: Engine) -> None:
    reform = {
        "id": "lower",
        "title": "Lower bar",
        "parameters": {"sales_threshold": [{"from": date(2019, 3, 1), "value": "4000万"}]},
    }
    before = engine.evaluate(BASE, as_of=date(2019, 2, 1), reform=reform)
    after = engine.evaluate(BASE, as_of=date(2025, 1, 1), reform=reform)
    assert before.result("m1.ceramics_award").status is Status.INELIGIBLE
    assert after.result("m1.ceramics_award").status is Status.ELIGIBLE


def test_what_if_shows_the_figures_before_and_after(engine: Engine) -> None:
    profile = {**BASE, "annual_sales": "6000万", "exhibitions": [{"name": "广交会", "booths": 2}]}
    comparison = engine.what_if(profile, as_of=AS_OF, reform=REFORM)
    booth = next(c for c in comparison.changes if c.rule_id == "m1.booth_subsidy")
    # The text gives no figure; the reform sets 3000 a booth: the delta is that figure.
    assert (booth.kind, booth.amount_before, booth.amount_after) == (
        "amount",
        None,
        Decimal("6000.00"),
    )
    assert booth.amount_delta == Decimal("6000.00")
    row = comparison.to_polars().filter(pl.col("rule_id") == "m1.booth_subsidy").row(0, named=True)
    assert (row["amount_before"], row["amount_after"], row["amount_delta"]) == (
        None,
        Decimal("6000.00"),
        Decimal("6000.00"),
    )
    gained = engine.what_if(BASE, {"annual_sales": "5000万"}, as_of=AS_OF).gained[0]
    assert (gained.amount_before, gained.amount_after) == (Decimal(0), Decimal("500000.00"))


def test_what_if_on_the_command_line_prints_both_figures(cli: Cli, tmp_file: TmpFile) -> None:
    profile = tmp_file(
        "firm.yaml", "industry_code: C3071\nannual_sales: 4500万\nseriously_dishonest: false\n"
    )
    code, out, _ = cli(
        "what-if", profile, "--set", "annual_sales=5000万", "--as-of", "2019-06-01",
        "--rulebook", MINI,
    )  # fmt: skip
    assert code == 0
    assert "0 yuan → 500000.00 yuan (+500000.00 yuan)" in out
