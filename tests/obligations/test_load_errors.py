"""A rulebook's subjects and obligations are checked when it loads: each problem is a located
diagnostic naming the file, line and obligation, all reported in one run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from subsidy_engine import RulebookError, load_rulebook

if TYPE_CHECKING:
    from conftest import EditFixture


def _refusal(root: Path) -> str:
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    return caught.value.render().replace(f"{root}/", "")


@pytest.mark.parametrize(
    ("old", "new", "start", "also"),
    [
        (
            # annual_sales is an enterprise fact: a service hall's obligation cannot read it
            "achieved: average_licence_days",
            "achieved: annual_sales",
            "obligations/m1.yaml:13:15: [unknown-name] m1.licence_days: unknown name "
            "'annual_sales'",
            ["(at obligations[0].achieved)", "in measure 1 提升审批效率"],
        ),
        (
            "subject: service_hall",
            "subject: servce_hall",
            "obligations/m1.yaml:7:14: [unknown-name] m1.licence_days: 'servce_hall' is not a "
            "subject kind declared in rulebook.yaml (at obligations[0].subject)",
            ["did you mean 'service_hall'?"],
        ),
    ],
    ids=["field-of-another-subject", "unknown-subject-kind"],
)
def test_a_problem_in_an_obligation_is_located(
    edited_fixture: EditFixture, old: str, new: str, start: str, also: list[str]
) -> None:
    rendered = _refusal(edited_fixture("duties", "obligations/m1.yaml", old, new))
    assert rendered.startswith(start), rendered
    for words in also:
        assert words in rendered


@pytest.mark.parametrize(
    ("rel", "old", "new", "message"),
    [
        (
            "obligations/m1.yaml",
            "required: licence_days_limit",
            "required: name",
            "[type-mismatch] m1.licence_days: the required figure must be a number",
        ),
        (
            "obligations/m1.yaml",
            "平均用时不超过3个",
            "平均用时不超过5个",
            "[not-verbatim] m1.licence_days: the quote is not verbatim",
        ),
        (
            "rulebook.yaml",
            "subjects/service_hall.yaml",
            "subjects/hall.yaml",
            "[missing-file] the rulebook needs subjects/hall.yaml",
        ),
        (
            "obligations/m1.yaml",
            "obligations:\n",
            "obligations:\n"
            "  - id: m1.licence_days\n    title: t\n    title_en: t\n    subject: service_hall\n"
            "    quote: 政务服务大厅\n    direction: at_least\n    unit: count\n"
            "    required: 1\n    achieved: 1\n",
            "[duplicate-id] m1.licence_days: id m1.licence_days is already used",
        ),
        (
            "obligations/m1.yaml",
            "measure: 1",
            "measure: 9",
            "[unknown-measure] measure 9 is not in rulebook.yaml",
        ),
    ],
    ids=["figure-not-a-number", "quote-not-verbatim", "missing-facts-file", "id-twice", "measure"],
)
def test_one_problem_is_named(
    edited_fixture: EditFixture, rel: str, old: str, new: str, message: str
) -> None:
    assert message in _refusal(edited_fixture("duties", rel, old, new))


def test_the_enterprise_is_not_redeclared(edited_fixture: EditFixture) -> None:
    root = edited_fixture("duties", "rulebook.yaml", "  service_hall:\n", "  enterprise:\n")
    rendered = _refusal(root)
    assert "[duplicate-name] 'enterprise' is the default subject" in rendered
    assert "'service_hall' is not a subject kind" in rendered  # every problem in one run


def test_a_case_expecting_what_its_results_cannot_have(edited_fixture: EditFixture) -> None:
    from subsidy_engine.rulebook.loader import load_cases

    # without `subject:` the case is an enterprise's, whose results have no required figure
    root = edited_fixture("duties", "tests/cases.yaml", "    subject: service_hall\n", "")
    with pytest.raises(RulebookError) as caught:
        load_cases(root)
    rendered = caught.value.render().replace(f"{root}/", "")
    assert rendered.startswith(
        "tests/cases.yaml:2:5: [schema] m1.licence_days: a rule (no `subject:`) has no "
        "achieved, required, shortfall, status met (at cases[0])"
    ), rendered


def test_a_role_declared_by_two_subject_kinds(edited_fixture: EditFixture) -> None:
    hall = "    title_en: A government service hall\n"
    twice = (
        hall + "    role: application_log\n"
        "  county_hall:\n"
        "    facts: subjects/service_hall.yaml\n"
        "    title: 县级政务服务大厅\n"
        "    title_en: A county service hall\n"
        "    role: application_log\n"
    )
    rendered = _refusal(edited_fixture("duties", "rulebook.yaml", hall, twice))
    assert rendered.startswith(
        "rulebook.yaml:21:11: [duplicate-name] role application_log is already declared by "
        "subject kind 'service_hall' (at subjects.county_hall.role)"
    ), rendered
