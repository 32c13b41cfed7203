"""Which profile fields feed which rules: through derived facts too, and never missing a field
that can change a rule's result."""

from datetime import date
from pathlib import Path

import pytest

from subsidy_engine import Engine
from subsidy_engine.dependencies import field_uses, inputs_of, rule_inputs
from subsidy_engine.profile_files import read_profile

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.yaml"))
DAY = date(2019, 12, 31)


def _rules_naming(engine: Engine, fact: str) -> set[str]:
    """Rules whose conditions or figures name a derived fact, read from their text."""
    return {
        rule.id
        for rule in engine.rulebook.rules
        if any(fact in condition.text for condition in rule.conditions)
    }


def test_size_class_fields_feed_every_rule_reading_the_size_class(engine: Engine) -> None:
    uses = {use.field: use for use in field_uses(engine.rulebook)}
    sized = _rules_naming(engine, "is_small_or_micro") | _rules_naming(engine, "is_sme")
    assert len(sized) >= 6
    for field in ("operating_revenue", "total_assets", "employees"):
        feeds = {u.rule_id: u.via for u in uses[field].rules}
        assert sized <= set(feeds), field
        assert all({"is_small_or_micro", "is_sme"} & set(feeds[r]) or not feeds[r] for r in sized)
    assert uses["operating_revenue"].direct == ()
    assert "m25.ceramic_loan_interest_subsidy" in uses["employees"].direct
    assert "m15.job_stabilization_refund" in uses["ui_insured_staff"].direct


def test_the_two_directions_agree(engine: Engine) -> None:
    forward = {
        (use.field, u.rule_id, u.via) for use in field_uses(engine.rulebook) for u in use.rules
    }
    backward = {
        (field, inputs.rule_id, via)
        for inputs in rule_inputs(engine.rulebook)
        for field, via in inputs.fields.items()
    }
    assert forward == backward
    assert {use.field for use in field_uses(engine.rulebook)} == set(
        engine.rulebook.profile.spec.fields
    )


def test_every_missing_fact_of_an_empty_profile_is_an_input(engine: Engine) -> None:
    evaluation = engine.evaluate({}, DAY)
    for result in evaluation.undetermined:
        inputs = set(inputs_of(engine.rulebook, result.rule_id).fields)
        named = {fact.split("[")[0].split(".")[0] for fact in result.missing_facts}
        assert named <= inputs, result.rule_id


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_removing_a_field_changes_only_rules_it_feeds(engine: Engine, path: Path) -> None:
    facts = read_profile(path, engine).model_dump(exclude_none=True)
    before = {(r.rule_id, r.item.index if r.item else None): r for r in engine.evaluate(facts, DAY)}
    feeds = {inputs.rule_id: set(inputs.fields) for inputs in rule_inputs(engine.rulebook)}
    for field in facts:
        without = {k: v for k, v in facts.items() if k != field}
        for result in engine.evaluate(without, DAY):
            key = (result.rule_id, result.item.index if result.item else None)
            old = before.get(key)
            changed = old is None or (old.status, old.amount.value) != (
                result.status,
                result.amount.value,
            )
            if changed and result.excluded_by is None and (old is None or not old.excluded_by):
                assert field in feeds[result.rule_id], (field, result.rule_id)


def test_a_withdrawing_exclusion_feeds_the_rules_it_withdraws(engine: Engine) -> None:
    cash = inputs_of(engine.rulebook, "m14.ceramic_tax_retention_award").fields
    assert cash["credit_status"] == ("m27.serious_dishonesty_exclusion",)
    right = inputs_of(engine.rulebook, "m43.annual_commendation").fields
    assert "credit_status" not in right


def test_an_unknown_rule_is_a_key_error(engine: Engine) -> None:
    with pytest.raises(KeyError, match=r"m99\.none"):
        inputs_of(engine.rulebook, "m99.none")
