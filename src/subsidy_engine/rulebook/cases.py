"""Run a rulebook's YAML test cases: each profile's results against what the case expects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from subsidy_engine.errors import ProfileError
from subsidy_engine.money import exact_decimal, to_fen
from subsidy_engine.results import AmountStatus, Evaluation, RuleResult
from subsidy_engine.rulebook.loader import load_cases
from subsidy_engine.rulebook.models import ExpectedCase, ExpectSpec

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    file: str
    case: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_cases(engine: Engine) -> Iterator[CaseOutcome]:
    """Evaluate every test case of the engine's rulebook, one outcome per case."""
    for rel, cases_file in sorted(load_cases(engine.rulebook.path).items()):
        for case in cases_file.cases:
            yield CaseOutcome(rel, case.name, tuple(check_case(engine, case)))


def check_case(engine: Engine, case: ExpectedCase) -> list[str]:
    """What differs between the case's expectations and the engine's results."""
    try:
        evaluation = engine.evaluate(case.profile, as_of=case.as_of)
    except ProfileError as error:
        return [f"profile refused: {error}"]
    failures = []
    for rule_id, expected in case.expect.items():
        specs = expected if isinstance(expected, list) else [expected]
        for spec in specs:
            wanted = ExpectSpec.model_validate({"status": spec}) if isinstance(spec, str) else spec
            failures += _compare(evaluation, rule_id, wanted)
    return failures


def _compare(evaluation: Evaluation, rule_id: str, spec: ExpectSpec) -> list[str]:
    where = rule_id if spec.item is None else f"{rule_id}[{spec.item}]"
    try:
        result = evaluation.result(rule_id, spec.item)
    except KeyError:
        return [f"{where}: no such result"]
    out = []
    if result.status != spec.status:
        out.append(f"{where}: status {result.status}, expected {spec.status}{_why(result)}")
    if spec.amount is not None:
        want = _expected_amount(spec.amount)
        if result.amount.value != want:
            out.append(f"{where}: amount {result.amount.value}, expected {want}")
    if spec.unspecified is not None:
        unspecified = result.amount.status is AmountStatus.UNSPECIFIED
        if unspecified != spec.unspecified:
            out.append(f"{where}: amount status {result.amount.status}")
    if spec.missing is not None and sorted(spec.missing) != sorted(result.missing_facts):
        out.append(f"{where}: missing {list(result.missing_facts)}, expected {spec.missing}")
    return out


def _expected_amount(raw: Any) -> Decimal | date:
    if isinstance(raw, date):
        return raw
    return to_fen(exact_decimal(raw))


def _why(result: RuleResult) -> str:
    failed = [c.name for c in result.conditions if c.outcome is not True]
    parts = []
    if failed:
        parts.append("conditions not met: " + ", ".join(failed))
    if result.missing_facts:
        parts.append("missing: " + ", ".join(result.missing_facts))
    return f" ({'; '.join(parts)})" if parts else ""
