"""Properties of evaluation that must hold for any profile the rulebook's schema accepts."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, Evaluation, ProfileError, Status
from subsidy_engine.dependencies import derived_fields, fields_of, rule_nodes
from subsidy_engine.lang import ast
from subsidy_engine.results import RuleResult
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[1]
RULEBOOKS = {
    "mini": ROOT / "tests" / "fixtures" / "mini",
    "anchor": ROOT / "benchmarks" / "anchor_rulebook",
    "shuozhou": ROOT / "rules" / "shuozhou-2019",
}
ENGINES = {name: Engine(path) for name, path in RULEBOOKS.items() if path.is_dir()}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _evaluate(engine: Engine, profile: dict[str, Any], as_of: date) -> Evaluation:
    try:
        model = engine.validate(profile)
    except ProfileError:
        assume(False)  # outside the schema: refusing it is the right answer
        raise
    return engine.evaluate(model, as_of=as_of)


def _key(result: RuleResult) -> tuple[str, int | None]:
    return result.rule_id, result.item.index if result.item else None


def _tested_by_known(rulebook: Rulebook) -> dict[str, set[str]]:
    """Per rule, the profile fields whose presence it tests with `known(...)`, in its own
    expressions or through a derived fact: supplying one of them may change its answer."""
    through = derived_fields(rulebook)
    tested: dict[str, set[str]] = {}

    def in_known(node: ast.Node) -> set[str]:
        found: set[str] = set()
        for sub in node.walk():
            if isinstance(sub, ast.Call) and sub.func == "known":
                found |= set().union(*(fields_of(arg, through) for arg in sub.args))
            elif isinstance(sub, ast.DerivedRef):
                found |= tested[sub.name]
        return found

    for name, fact in rulebook.derived.items():  # dependency order: used facts come first
        tested[name] = in_known(fact.node)
    return {rule.id: set().union(*map(in_known, rule_nodes(rule))) for rule in rulebook.rules}


def test_known_is_found_through_derived_facts() -> None:
    tested = _tested_by_known(ENGINES["shuozhou"].rulebook)
    assert "above_scale_years" in tested["m14.ceramic_tax_retention_award"]  # via is_above_scale
    assert not tested["m37.procurement_sme_set_aside"]


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_evaluation_never_raises_and_is_consistent(name: str) -> None:
    engine = ENGINES[name]

    @SETTINGS
    @given(profiles(engine.rulebook), st.dates(date(2017, 1, 1), date(2027, 12, 31)))
    def check(profile: dict[str, Any], as_of: date) -> None:
        evaluation = _evaluate(engine, profile, as_of)
        assert {r.rule_id for r in evaluation} == {r.id for r in engine.rulebook.rules}
        for result in evaluation:
            outcomes = [c.outcome for c in result.conditions]
            if result.status is Status.ELIGIBLE:
                assert all(o is True for o in outcomes)
            if result.status is Status.INELIGIBLE:
                assert False in outcomes
            if result.status is Status.UNDETERMINED:
                assert False not in outcomes
                assert result.missing_facts or result.missing_parameters
            for fact in result.missing_facts:
                root = fact.split("[")[0].split(".")[0]
                assert root in engine.rulebook.profile.types, fact
        again = Evaluation.from_json(evaluation.to_json())
        assert again.to_json() == evaluation.to_json()

    check()


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_supplying_a_missing_fact_never_flips_a_decided_result(name: str) -> None:
    """Monotonicity of three-valued logic: knowing more only decides what was undetermined,
    except where a rule asks whether a fact is `known(...)` and that fact is supplied."""
    engine = ENGINES[name]
    tested = _tested_by_known(engine.rulebook)

    @SETTINGS
    @given(profiles(engine.rulebook), profiles(engine.rulebook))
    def check(partial: dict[str, Any], extra: dict[str, Any]) -> None:
        fuller = {**extra, **partial}
        supplied = {k for k, v in fuller.items() if v is not None} - partial.keys()
        before = _evaluate(engine, partial, date(2019, 6, 30))
        after = _evaluate(engine, fuller, date(2019, 6, 30))
        # Paired by rule and item. A decided result's list was given, so it is the same in
        # `fuller`, except for a rule withdrawn before its list was known: every item of it is
        # withdrawn too. An undetermined one may have waited for its list.
        later = {_key(r): r for r in after}
        assert len(later) == sum(1 for _ in after)
        for old in before:
            if _key(old) in later:
                news = [later[_key(old)]]
            elif old.status is Status.UNDETERMINED:  # its list was not given; now its items are
                continue
            else:
                assert old.status is Status.EXCLUDED and old.item is None, _key(old)
                news = [r for r in after if r.rule_id == old.rule_id]
            if supplied & tested[old.rule_id]:  # it falls back on another criterion: known()
                continue
            for new in news:
                if old.status in (Status.ELIGIBLE, Status.INELIGIBLE):
                    assert new.status is old.status, _key(old)
                if old.status is Status.EXCLUDED:  # withdrawn whatever else is known; a
                    # condition found to fail is reported in preference to the exclusion
                    assert new.status in (Status.EXCLUDED, Status.INELIGIBLE), _key(new)

    check()
