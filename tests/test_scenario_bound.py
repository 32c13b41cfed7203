"""A derived fact whose split inputs have more than `MAX_SCENARIOS` combinations of values is
worked out over as many of them as fit, and reads the rest by three-valued logic: its answers
stay sound (a decided answer is the answer of every completion of the known facts), `lint`
names the fact and the inputs left out, and `score` gives `evaluate`'s answers.

The fixture's `tier` reads four three-valued grades (81 combinations): it is worked out over
p, s and q (27), and reads r plainly.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, Status
from subsidy_engine.cli import main
from subsidy_engine.rulebook.lint import lint_warnings

if TYPE_CHECKING:
    from conftest import CompletionCheck, ScoreCheck

FIXTURE = Path(__file__).parent / "fixtures" / "combinations"
ENGINE = Engine(FIXTURE)
AS_OF = date(2019, 6, 1)
FIELDS = ("p1", "p2", "q1", "q2", "r1", "r2", "s1", "s2")
RULES = ("m1.top_tier_award", "m1.upper_tiers_service", "m1.bottom_tier_advice")


def test_lint_names_the_fact_and_the_inputs_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    (warning,) = lint_warnings(ENGINE.rulebook)
    assert "derived.yaml:" in warning
    assert "'tier'" in warning and "r_grade" in warning
    assert "p_grade" not in warning and "s_grade" not in warning
    assert main(["lint", str(FIXTURE)]) == 0
    assert warning in capsys.readouterr().out


def test_the_bundled_rulebook_has_no_fact_left_unsplit() -> None:
    assert lint_warnings(Engine().rulebook) == []


def _statuses(profile: dict[str, Any]) -> dict[str, tuple[Status, tuple[str, ...]]]:
    evaluation = ENGINE.evaluate(profile, AS_OF)
    return {r: (evaluation.result(r).status, evaluation.result(r).missing_facts) for r in RULES}


def test_an_input_split_on_still_decides_what_its_possible_values_agree_on() -> None:
    # s is high or mid (s1 unknown, s2 = 10): with p high the tier is top (s high) or middle
    # (s mid), so it is one of the upper tiers, whatever s1 is
    profile = {"p1": 10, "p2": 0, "q1": 0, "q2": 0, "r1": 0, "r2": 0, "s2": 10}
    statuses = _statuses(profile)
    assert statuses["m1.upper_tiers_service"] == (Status.ELIGIBLE, ())
    assert statuses["m1.bottom_tier_advice"] == (Status.INELIGIBLE, ())
    assert statuses["m1.top_tier_award"] == (Status.UNDETERMINED, ("s1",))


values = st.sampled_from([0, 10, None])
profiles = st.fixed_dictionaries({name: values for name in FIELDS}).map(
    lambda drawn: {k: v for k, v in drawn.items() if v is not None}
)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(profiles)
def test_a_decided_answer_is_what_every_completion_gives(
    agrees_with_completions: CompletionCheck, profile: dict[str, Any]
) -> None:
    partial = _statuses(profile)
    removed = [name for name in FIELDS if name not in profile]
    completions = [
        _statuses(profile | dict(zip(removed, combo, strict=True)))
        for combo in itertools.product([0, 10], repeat=len(removed))
    ]
    for rule_id, (status, missing) in partial.items():
        answers = {c[rule_id][0] for c in completions}
        # r is read plainly, so completions may agree on an answer left undetermined
        agrees_with_completions(
            status, missing, answers, removed, (rule_id, profile), complete=False
        )


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(profiles, min_size=1, max_size=10))
def test_score_gives_evaluate_answers(
    score_gives_evaluate_answers: ScoreCheck, rows: list[dict[str, Any]]
) -> None:
    score_gives_evaluate_answers(ENGINE, rows, AS_OF)
