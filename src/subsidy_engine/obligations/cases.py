"""A rulebook's YAML test cases for obligations: a subject's facts and what each obligation
binding it must come to (status, required, achieved and shortfall figures, missing facts,
arithmetic faults, readings). A case names its subject kind (`subject:`); its `profile` holds
the subject's facts and its period is the single day `as_of`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from subsidy_engine.errors import InputError, ProfileError
from subsidy_engine.money import exact_decimal
from subsidy_engine.obligations.check import ObligationChecker
from subsidy_engine.obligations.results import ObligationResult
from subsidy_engine.results import Period
from subsidy_engine.rulebook.models import ExpectedCase, ExpectSpec

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine


def check_obligation_case(engine: Engine, case: ExpectedCase) -> list[str]:
    """What differs between the case's expectations and the obligations' results."""
    from subsidy_engine.cases import case_engine, expectations

    assert case.subject is not None
    checker = ObligationChecker(case_engine(engine, case).rulebook)
    try:
        facts = checker.validate(case.subject, case.profile)
    except (InputError, ProfileError) as error:
        return [f"facts refused: {error}"]
    results = checker.check(case.subject, "case", facts, Period(case.as_of, case.as_of))
    by_id = {result.rule_id: result for result in results}
    failures = []
    for (rule_id, _), spec in expectations(case):
        result = by_id.get(rule_id)
        if result is None:
            failures.append(f"{rule_id}: no such obligation of a {case.subject}")
            continue
        failures += compare_obligation(result, spec)
    return failures


def compare_obligation(result: ObligationResult, spec: ExpectSpec) -> list[str]:
    """What in one obligation's result differs from what the case expects of it."""
    shown = result.rule_id
    out = []
    if result.status.value != spec.status:
        why = f" (missing: {', '.join(result.missing_facts)})" if result.missing_facts else ""
        out.append(f"{shown}: status {result.status.value}, expected {spec.status}{why}")
    for name in ("required", "achieved", "shortfall"):
        raw: Any = getattr(spec, name)
        got: Decimal | None = getattr(result, name)
        if raw is not None and got != exact_decimal(raw):
            out.append(f"{shown}: {name} {got}, expected {exact_decimal(raw)}")
    if spec.missing is not None and sorted(spec.missing) != sorted(result.missing_facts):
        out.append(f"{shown}: missing {list(result.missing_facts)}, expected {spec.missing}")
    if spec.arithmetic is not None and sorted(spec.arithmetic) != list(result.arithmetic):
        out.append(f"{shown}: arithmetic {list(result.arithmetic)}, expected {spec.arithmetic}")
    readings = sorted(str(reading) for reading in result.readings)
    if spec.readings is not None and sorted(spec.readings) != readings:
        out.append(f"{shown}: readings {readings}, expected {spec.readings}")
    return out
