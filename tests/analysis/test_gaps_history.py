"""Gaps an enterprise can act on: a fact of its history is never proposed as a change (such a
rule is out of reach, with the reason); changes within reach are kept apart from facts to
supply; and the work grows in proportion to the profile's lists."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings

from subsidy_engine import Engine, Status
from subsidy_engine.analysis.gap_facts import FactReader
from subsidy_engine.analysis.gaps import GapReport, find_gaps
from subsidy_engine.analysis.whatif import changed_profile
from subsidy_engine.profile_files import read_profile
from subsidy_engine.rulebook.models import ListFieldSpec
from subsidy_engine.testing import profiles

if TYPE_CHECKING:
    from conftest import GapsOf

EXAMPLES = Path(__file__).parents[2] / "examples"
ENGINE = Engine()
AS_OF = date(2020, 6, 30)
_ITEM = re.compile(r"^(\w+)\[\d+\]\.(\w+)$")
Cli = Callable[..., tuple[int, str, str]]
"""The `cli` fixture: (*args, stdin="") -> (exit code, out, err)."""


def _historical(fact: str) -> bool:
    """Whether the profile spec marks `fact` (a field, `list[i].field`, or a derived fact or
    expression over fields) as the enterprise's history."""
    fields = ENGINE.rulebook.profile.spec.fields
    item = _ITEM.match(fact)
    if item:
        spec = fields[item[1]]
        assert isinstance(spec, ListFieldSpec)
        return spec.historical or (spec.fields or {})[item[2]].historical
    if fact in fields:
        return fields[fact].historical
    if fact in ENGINE.rulebook.derived:
        return FactReader(ENGINE.rulebook).is_historical(ENGINE.rulebook.derived[fact].node)
    return False


def test_the_profile_says_which_facts_are_history() -> None:
    fields = ENGINE.rulebook.profile.spec.fields
    assert fields["above_scale_years"].historical
    assert fields["awards"].historical
    assert not fields["employees"].historical
    projects = fields["projects"]
    assert isinstance(projects, ListFieldSpec) and projects.fields
    assert projects.fields["signing_date"].historical
    assert not projects.fields["fixed_asset_investment"].historical


def test_an_entry_year_in_the_past_is_out_of_reach_not_a_change() -> None:
    firm = read_profile(EXAMPLES / "huairen-ceramics-large.yaml", ENGINE)
    report = ENGINE.gaps(firm, as_of=AS_OF)
    award = next(g for g in report.gaps if g.rule_id == "m36.above_scale_award_2y")
    assert not award.reachable and award.changes == ()
    assert "out of reach for this enterprise" in award.note
    assert "first_above_scale_year: >= 2018 (it is 2012)" in award.note
    assert award in report.out_of_reach and award not in report.within_reach
    kinds = dict(zip(*report.to_polars().select("rule_id", "kind"), strict=True))
    assert kinds["m36.above_scale_award_2y"] == "out of reach"
    assert {g.kind for g in report.within_reach} == {"within reach"}
    assert all(not c.historical for g in report.within_reach for c in g.changes)


def test_within_reach_comes_closest_first_and_questions_are_apart() -> None:
    firm = read_profile(EXAMPLES / "newly-above-scale-manufacturer.yaml", ENGINE)
    report = ENGINE.gaps(firm, as_of=AS_OF)
    near = report.within_reach
    assert near and all(g.reachable and g.changes for g in near)
    assert [g.distance for g in near] == sorted(g.distance for g in near)
    assert report.questions, "the notebook's Ask next must have something to ask"
    counts = [len(q.decides) for q in report.questions]
    assert counts == sorted(counts, reverse=True)
    asked = {q.fact for q in report.questions}
    for gap in report.gaps:
        assert set(gap.missing_facts) <= asked


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(profiles(ENGINE.rulebook))
def test_no_gap_ever_changes_a_historical_fact(
    generated_gaps: GapsOf, profile: dict[str, Any]
) -> None:
    for gap in generated_gaps(ENGINE, profile, AS_OF).gaps:
        for change in gap.changes:
            assert not _historical(change.fact), (gap.rule_id, str(change))
        if not gap.reachable:
            assert gap.changes == () and gap.note


def _with_projects(count: int) -> dict[str, Any]:
    project = {
        "kind": "industrial",
        "industry": "advanced_ceramics_new_materials",
        "industry_code": "C3071",
        "fixed_asset_investment": "2亿",
        "signing_date": "2019-06-01",
        "new_construction": True,
        "is_key_project": False,
    }
    return {
        "industry_code": "C3071",
        "ownership": "private",
        "employees": 200,
        "projects": [{"name": f"p{i}", **project} for i in range(count)],
    }


def _gaps_counting(profile: dict[str, Any]) -> tuple[GapReport, int]:
    validated = ENGINE.validate(profile)
    facts = ENGINE._plain(validated)
    calls = []

    def reevaluate(changes: Any) -> Any:
        calls.append(changes)
        changed = ENGINE.validate(changed_profile(facts, changes))
        return changed.__dict__, ENGINE.evaluate(changed, AS_OF)

    evaluation = ENGINE.evaluate(validated, AS_OF)
    report = find_gaps(ENGINE._evaluator, validated.__dict__, evaluation, reevaluate)
    return report, len(calls)


def test_items_of_a_rule_are_checked_together() -> None:
    _, few_calls = _gaps_counting(_with_projects(3))
    many, many_calls = _gaps_counting(_with_projects(40))
    assert many_calls == few_calls, "re-evaluations must not grow with the list"
    one, _ = _gaps_counting(_with_projects(1))
    alone = {g.rule_id: g for g in one.gaps if g.item is not None}

    def unindexed(text: str) -> str:
        return re.sub(r"projects\[\d+\]", "projects[i]", text)

    for gap in many.gaps:
        if gap.item is None:
            continue
        single = alone[gap.rule_id]
        assert [unindexed(str(c)) for c in gap.changes] == [
            unindexed(str(c)) for c in single.changes
        ]
        assert (gap.verified, gap.reachable) == (single.verified, single.reachable)
        assert [unindexed(f) for f in gap.missing_facts] == [
            unindexed(f) for f in single.missing_facts
        ]


def test_applying_a_verified_item_gap_makes_its_rule_apply() -> None:
    profile = _with_projects(4)
    report = ENGINE.gaps(profile, as_of=AS_OF)
    checked = [g for g in report.within_reach if g.item is not None and g.verified]
    assert checked
    for gap in checked:
        after = ENGINE.evaluate(
            changed_profile(profile, {c.fact: c.target for c in gap.changes}), AS_OF
        )
        assert gap.item is not None
        assert after.result(gap.rule_id, gap.item.index).status is not Status.INELIGIBLE


def test_the_command_line_separates_changes_questions_and_history(cli: Cli) -> None:
    code, out, _ = cli(
        "gaps", str(EXAMPLES / "huairen-ceramics-large.yaml"), "--as-of", "2020-06-30"
    )
    assert code == 0
    near, rest = out.split("Facts to supply, the one that decides the most rules first:")
    asked, far = rest.split("Out of reach for this enterprise:")
    assert near.startswith("Changes within reach, closest first:") and "[distance " in near
    assert "first_above_scale_year" not in near and "first_above_scale_year" in far
    assert "decides" in asked
