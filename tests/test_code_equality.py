"""A coarse industry code compared with classes by `==`, `!=`, `in` and `not in`, in both
backends: the code stands for the classes it covers, and the comparison is decided only where
every one of them gives the same answer (`lang.partial.code_in`).

* the fixture rulebook's YAML cases (tests/fixtures/codes/tests) through `evaluate` and `score`;
* the verdict for a code is what every class it covers says;
* a property on generated profiles: a decided status is the status of every completion of the
  code (each class it covers), an undetermined one is one the completions disagree on and names
  the code; `score` gives `evaluate`'s answers row by row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, Status
from subsidy_engine.cases import run_cases
from subsidy_engine.identifiers import industry_codes
from subsidy_engine.lang.partial import coarse_codes_in, code_equals, code_in, covered_classes

if TYPE_CHECKING:
    from conftest import CompletionCheck, ScoreCheck

ENGINE = Engine(Path(__file__).parent / "fixtures" / "codes")
AS_OF = date(2019, 6, 1)
OPTIONS = ("C3071", "D4411", "A0190")
"""The classes the fixture's rules name."""


def test_the_fixture_cases_pass_through_both_backends() -> None:
    outcomes = list(run_cases(ENGINE))
    assert len(outcomes) >= 10
    failed = {o.case: o.failures for o in outcomes if not o.passed}
    assert not failed


@pytest.mark.parametrize(
    ("code", "literal", "expected"),
    [
        ("C3071", "C3071", True),
        ("C3072", "C3071", False),
        ("C307", "C3071", None),
        ("C30", "C3071", None),
        ("C", "C3071", None),
        ("C31", "C3071", False),
        ("D44", "C3071", False),
        ("A019", "A0190", True),  # the group has one class
        ("A01", "A0190", None),
        ("C30", "C30", True),  # a coarse literal is compared as written
        ("C3071", "C30", False),
        ("C", "C30", False),
    ],
)
def test_code_equals(code: str, literal: str, expected: bool | None) -> None:
    assert code_equals(code, literal) is expected


CLASSES = [c for c in industry_codes() if len(c) == 5]


@given(
    st.sampled_from(industry_codes()),
    st.lists(st.sampled_from(CLASSES), min_size=1, max_size=4, unique=True),
)
def test_code_in_is_what_every_covered_class_says(code: str, options: list[str]) -> None:
    chosen = tuple(options)
    answers = {c in chosen for c in covered_classes(code)}
    verdict = code_in(code, chosen)
    if verdict is None:
        assert answers == {True, False}
    else:
        assert answers == {verdict}
    covering, undecided = coarse_codes_in(chosen)
    if code not in chosen and len(code) < 5:
        assert (code in covering) is (verdict is True)
        assert (code in undecided) is (verdict is None)


def _near(option: str) -> list[str]:
    """The option, its coarser codes and their neighbours on the list."""
    codes = industry_codes()
    coarse = [option[:n] for n in (1, 3, 4)]
    place = codes.index(option)
    return [option, *coarse, *codes[max(0, place - 3) : place + 4]]


CODES = sorted({c for o in OPTIONS for c in _near(o)} | {"D45", "A", "C31", "B"})

codes = st.one_of(st.sampled_from(CODES), st.sampled_from(industry_codes()))
project = st.fixed_dictionaries({"name": st.just("项目")}, optional={"industry_code": codes})
profile = st.fixed_dictionaries(
    {}, optional={"industry_code": codes, "projects": st.lists(project, max_size=3)}
)


def _statuses(evaluation: Any) -> dict[tuple[str, int | None], tuple[Status, tuple[str, ...]]]:
    return {
        (r.rule_id, r.item.index if r.item else None): (r.status, r.missing_facts)
        for r in evaluation
    }


def _code_of(known: dict[str, Any], item: int | None) -> tuple[str, str | None]:
    """The name of the code a result reads (the enterprise's, or its item's) and its value."""
    if item is None:
        return "industry_code", known.get("industry_code")
    return f"projects[{item}].industry_code", known["projects"][item].get("industry_code")


def _completed(known: dict[str, Any], item: int | None, code: str) -> dict[str, Any]:
    """The profile with the code a result reads replaced by `code`."""
    if item is None:
        return known | {"industry_code": code}
    items = list(known["projects"])
    items[item] = items[item] | {"industry_code": code}
    return known | {"projects": items}


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(profile)
def test_a_decided_answer_is_what_every_class_the_code_covers_gives(
    agrees_with_completions: CompletionCheck, known: dict[str, Any]
) -> None:
    partial = _statuses(ENGINE.evaluate(known, AS_OF))
    for key, (status, missing) in partial.items():
        rule_id, item = key
        if rule_id == "m1.ceramic_tile_project_subsidy" and item is None:
            continue  # the row for a list not given or empty reads no code
        name, code = _code_of(known, item)
        if code is None:
            assert status is Status.UNDETERMINED and missing == (name,), (key, known)
            continue
        answers = {
            _statuses(ENGINE.evaluate(_completed(known, item, c), AS_OF))[key][0]
            for c in covered_classes(code)
        }
        agrees_with_completions(status, missing, answers, {name}, (key, known))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(profile, min_size=1, max_size=8))
def test_score_gives_evaluate_answers_on_coarse_codes(
    score_gives_evaluate_answers: ScoreCheck, rows: list[dict[str, Any]]
) -> None:
    score_gives_evaluate_answers(ENGINE, rows, AS_OF)
