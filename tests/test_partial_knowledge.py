"""Partial knowledge decides what it can (DESIGN §2), in both backends.

* a trace shows the values a size class may still take;
* a property: on small profiles with facts removed or an industry code coarsened, a decided
  answer is the one every completion of the unknown facts gives, and an undecided one is one
  that completions disagree on, naming only facts that are unknown;
* a coarse code is decided by the national list: `starts_with` is unknown only where the code
  covers classes on both sides.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError, Status
from subsidy_engine.identifiers import industry_codes
from subsidy_engine.lang import ast
from subsidy_engine.lang.partial import code_verdict, covered_classes
from subsidy_engine.results import Evaluation

if TYPE_CHECKING:
    from conftest import CompletionCheck

ROOT = Path(__file__).resolve().parents[1]
RULEBOOK = ROOT / "rules" / "shuozhou-2019"
ENGINE = Engine(RULEBOOK)
AS_OF = date(2019, 12, 31)

SIZE_RULES = (
    "m37.procurement_sme_set_aside",
    "m37.procurement_small_micro_set_aside",
    "m23.receivables_financing",
    "m23.ceramic_dedicated_lending",
    "m21.freight_three_inspections_in_one",
)
"""Rules reading only the size class, the sector, the ceramics test or a code prefix."""


# Traces ----------------------------------------------------------------------------------------


def test_trace_shows_the_size_classes_still_possible() -> None:
    evaluation = ENGINE.evaluate(
        {"ownership": "private", "industry_code": "K7010", "operating_revenue": "3亿"}, AS_OF
    )
    (trace,) = evaluation.result("m37.procurement_small_micro_set_aside").conditions
    assert trace.outcome is None
    assert trace.values == {"sme_size_class": "one of {medium, micro, small}"}
    (decided,) = evaluation.result("m37.procurement_sme_set_aside").conditions
    assert decided.outcome is True


def test_a_code_that_is_no_level_of_the_list_is_refused() -> None:
    with pytest.raises(ProfileError, match="industry_code"):
        ENGINE.evaluate({"industry_code": "C3"}, AS_OF)


# Codes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "prefix", "expected"),
    [
        ("C3071", "C307", True),
        ("C307", "C307", True),
        ("C30", "C307", None),
        ("C", "C307", None),
        ("C31", "C307", False),
        ("B", "C307", False),
        ("H", "H61", None),
        ("C3071", "C30711", False),
    ],
)
def test_code_verdict(code: str, prefix: str, expected: bool | None) -> None:
    assert code_verdict(code, prefix) is expected


@given(st.sampled_from(industry_codes()), st.sampled_from(industry_codes()))
def test_code_verdict_is_what_every_covered_class_says(code: str, prefix: str) -> None:
    answers = {c.startswith(prefix) for c in covered_classes(code)}
    verdict = code_verdict(code, prefix)
    if verdict is None:
        assert answers == {True, False}
    else:
        assert answers <= {verdict}


# Completions ---------------------------------------------------------------------------------


def _size_thresholds(field: str) -> list[int]:
    """The bounds the size class compares `field` with."""
    node = ENGINE.rulebook.derived["sme_size_class"].node
    bounds: set[int] = set()
    for sub in node.walk():
        if isinstance(sub, ast.Compare) and isinstance(sub.operands[0], ast.FieldRef):
            literal = sub.operands[1]
            if sub.operands[0].name == field and isinstance(literal, ast.Literal):
                bounds.add(int(literal.value))  # type: ignore[arg-type]
    return sorted(bounds)


def _domain(field: str) -> list[Any]:
    """Each bound and one below it, and zero: every region between bounds has a value."""
    return sorted({0} | {b for t in _size_thresholds(field) for b in (t - 1, t)})


NUMBERS = {f: _domain(f) for f in ("employees", "operating_revenue", "total_assets")}
CODE_PREFIXES = ("J", "A", "B", "C", "D", "E", "F51", "F52", "G53", "G591", "G59", "G60", "G")
CODE_PREFIXES += ("H61", "H62", "I63", "I64", "I65", "K701", "K702", "L", "C307", "G543")
CLASSES = [c for c in industry_codes() if len(c) == 5]
MAX_COMPLETIONS = 400


def _representatives(code: str) -> list[str]:
    """One class per way the classes `code` covers can answer the rulebook's code tests."""
    seen: dict[tuple[bool, ...], str] = {}
    for c in covered_classes(code):
        seen.setdefault(tuple(c.startswith(p) for p in CODE_PREFIXES), c)
    return list(seen.values())


def _outcomes(evaluation: Evaluation) -> dict[str, tuple[Status, Any]]:
    out = {}
    for rule_id in SIZE_RULES:
        result = evaluation.result(rule_id)
        out[rule_id] = (result.status, result.missing_facts)
    return out


def _size_class(evaluation: Evaluation) -> Any:
    (trace,) = evaluation.result("m37.procurement_sme_set_aside").conditions
    return trace.values["sme_size_class"]


@st.composite
def _partial_profiles(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    full = draw(st.sampled_from(CLASSES))
    profile: dict[str, Any] = {
        "ownership": "private",
        "industry_code": draw(st.sampled_from([full[:1], full[:3], full[:4], full])),
        "operates_freight_trucks": draw(st.booleans()),
    }
    profile |= {f: draw(st.sampled_from(values)) for f, values in NUMBERS.items()}
    removable = [*NUMBERS, "operates_freight_trucks"]
    removed = draw(st.lists(st.sampled_from(removable), unique=True, max_size=2))
    for name in removed:
        del profile[name]
    return profile, removed


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(_partial_profiles())
def test_a_decided_answer_is_what_every_completion_gives(
    agrees_with_completions: CompletionCheck, drawn: tuple[dict[str, Any], list[str]]
) -> None:
    profile, removed = drawn
    code = profile["industry_code"]
    partial = ENGINE.evaluate(profile, AS_OF)
    choices: list[list[tuple[str, Any]]] = [
        [(name, v) for v in NUMBERS.get(name, [False, True])] for name in removed
    ]
    choices.append([("industry_code", c) for c in _representatives(code)])
    combos = list(itertools.product(*choices))
    exhaustive = len(combos) <= MAX_COMPLETIONS
    if not exhaustive:  # every k-th: the decided answers are still checked against them
        combos = combos[:: len(combos) // MAX_COMPLETIONS + 1]
    completions = [ENGINE.evaluate(profile | dict(combo), AS_OF) for combo in combos]
    unknown = {*removed, "industry_code"} if len(code) < 5 else set(removed)
    for rule_id in SIZE_RULES:
        status, missing = _outcomes(partial)[rule_id]
        answers = {_outcomes(c)[rule_id][0] for c in completions}
        assert Status.UNDETERMINED not in answers, (rule_id, profile)
        context = (rule_id, profile)
        agrees_with_completions(status, missing, answers, unknown, context, complete=exhaustive)
    classes = {_size_class(c) for c in completions}
    seen = _size_class(partial)
    if isinstance(seen, str) and not seen.startswith("one of"):
        assert classes == {seen}, (profile, classes)
    elif seen is not None:
        assert classes <= set(seen.removeprefix("one of {").removesuffix("}").split(", "))


def test_completions_cover_every_region_between_bounds() -> None:
    assert Decimal(NUMBERS["operating_revenue"][-1]) == Decimal(20_0000_0000)
    assert {19, 20, 199, 200, 299, 300, 999, 1000} <= set(NUMBERS["employees"])
