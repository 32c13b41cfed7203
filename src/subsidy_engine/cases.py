"""Run a rulebook's YAML test cases: each profile's results against what the case expects.

A case is one conformance test for every backend: `evaluate` judges its profile alone, `score`
judges it in a table (`batch.conformance`), and each must give what the case expects and the
same results as the other, rule by rule, whether the case names the rule or not. A case naming
a subject kind checks obligations (`obligations.cases`), which only the scalar backend runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from subsidy_engine.errors import ProfileError
from subsidy_engine.money import exact_decimal, to_fen
from subsidy_engine.obligations.cases import check_obligation_case
from subsidy_engine.results import RuleResult
from subsidy_engine.rulebook.loader import load_cases
from subsidy_engine.rulebook.models import ExpectedCase, ExpectSpec

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

Backend = Literal["evaluate", "score"]
BACKENDS: tuple[Backend, ...] = ("evaluate", "score")
Record = dict[str, Any]
"""A result as flat fields, the same for every backend (`result_record`)."""


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    file: str
    case: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_cases(engine: Engine, backends: tuple[Backend, ...] = BACKENDS) -> Iterator[CaseOutcome]:
    """Every test case of the engine's rulebook through each backend, one outcome per case."""
    files = sorted(load_cases(engine.rulebook.path).items())
    everything = [case for _, cases_file in files for case in cases_file.cases]
    scored = None
    if "score" in backends:
        from subsidy_engine.batch.conformance import score_cases

        scored = score_cases(engine, everything)
    for rel, cases_file in files:
        for case in cases_file.cases:
            run = "evaluate" in backends or case.subject is not None  # obligations: scalar
            failures = check_case(engine, case) if run else []
            if scored is not None and case.subject is None:
                failures += check_scored_case(engine, case, scored.of(case))
            yield CaseOutcome(rel, case.name, tuple(failures))


def case_engine(engine: Engine, case: ExpectedCase) -> Engine:
    """The engine a case runs on: `engine`, or a reform of it setting the case's readings and
    parameters."""
    chosen = sorted({**case.parameters, **case.readings}.items())
    if not chosen:
        return engine
    changes = {name: [{"value": value, "reference": "a test case"}] for name, value in chosen}
    title = ", ".join(f"{name}={value}" for name, value in chosen)
    return engine.with_reform({"id": "case-readings", "title": title, "parameters": changes})


def _with_details(result: RuleResult) -> Record:
    """`result_record` with the detail figures, which only `evaluate` reports."""
    details = {name: amount.value for name, amount in (result.details or {}).items()}
    return {**result_record(result), "details": details}


def check_case(engine: Engine, case: ExpectedCase) -> list[str]:
    """What differs between the case's expectations and `evaluate`'s results (for a case
    naming a subject kind, the obligations' results)."""
    if case.subject is not None:
        return check_obligation_case(engine, case)
    engine = case_engine(engine, case)
    try:
        evaluation = engine.evaluate(case.profile, as_of=case.as_of)
    except ProfileError as error:
        return [f"profile refused: {error}"]
    failures = []
    for where, spec in expectations(case):
        try:
            result = evaluation.result(where[0], where[1])
        except KeyError:
            failures.append(f"{_shown(where)}: no such result")
            continue
        failures += compare(_with_details(result), where, spec, _why(result))
    return failures


def check_scored_case(
    engine: Engine, case: ExpectedCase, scored: Mapping[tuple[str, int | None], Record] | None
) -> list[str]:
    """What differs between the case's expectations and `score`'s results for its profile
    (`batch.conformance.score_cases`), and between `score`'s and `evaluate`'s results."""
    from subsidy_engine.batch.conformance import differences

    engine = case_engine(engine, case)
    try:
        evaluation = engine.evaluate(case.profile, as_of=case.as_of)
    except ProfileError:
        return [] if scored is None else ["score: scored a profile evaluate refuses"]
    if scored is None:
        return ["score: rejected a profile evaluate accepts"]
    failures = []
    for where, spec in expectations(case):
        record = scored.get(where) if where[1] is not None else _first(scored, where[0])
        if record is None:
            failures.append(f"score: {_shown(where)}: no such result")
            continue
        failures += [f"score: {f}" for f in compare(record, where, spec)]
    evaluated = {
        (r.rule_id, r.item.index if r.item else None): result_record(r) for r in evaluation
    }
    return failures + [f"score differs: {d}" for d in differences(evaluated, scored)]


def expectations(case: ExpectedCase) -> Iterator[tuple[tuple[str, int | None], ExpectSpec]]:
    """Each (rule id, item) the case names, with what it expects."""
    for rule_id, expected in case.expect.items():
        specs = expected if isinstance(expected, list) else [expected]
        for spec in specs:
            wanted = ExpectSpec.model_validate({"status": spec}) if isinstance(spec, str) else spec
            yield (rule_id, wanted.item), wanted


def result_record(result: RuleResult) -> Record:
    """One result as flat fields, as `score`'s columns show it."""
    amount = result.amount
    value = amount.value
    return {
        "status": result.status.value,
        "amount": value if isinstance(value, Decimal) else None,
        "amount_date": value if isinstance(value, date) else None,
        "amount_status": amount.status.value,
        "unit": amount.unit.value,
        "payer": "+".join(amount.payer) or "unstated",
        "missing_facts": list(result.missing_facts),
        "missing_parameters": list(result.missing_parameters),
        "unspecified_parameters": list(amount.unspecified_parameters),
        "excluded_by": result.excluded_by.rule_id if result.excluded_by else None,
        "item_label": result.item.label if result.item else None,
        "readings": [str(reading) for reading in result.readings],
        "arithmetic": list(result.arithmetic),
    }


def compare(
    record: Record, where: tuple[str, int | None], spec: ExpectSpec, why: str = ""
) -> list[str]:
    """What in one result (`result_record`) differs from what the case expects of it."""
    shown = _shown(where)
    out = []
    if record["status"] != spec.status:
        out.append(f"{shown}: status {record['status']}, expected {spec.status}{why}")
    if spec.amount is not None:
        want = _expected_amount(spec.amount)
        got = record["amount_date"] if isinstance(want, date) else record["amount"]
        if got != want:
            out.append(f"{shown}: amount {got}, expected {want}")
    if spec.unspecified is not None:
        unspecified = record["amount_status"] == "unspecified"
        if unspecified != spec.unspecified:
            out.append(f"{shown}: amount status {record['amount_status']}")
    missing = record["missing_facts"]
    if spec.missing is not None and sorted(spec.missing) != sorted(missing):
        out.append(f"{shown}: missing {list(missing)}, expected {spec.missing}")
    faults = record["arithmetic"]
    if spec.arithmetic is not None and sorted(spec.arithmetic) != sorted(faults):
        out.append(f"{shown}: arithmetic {list(faults)}, expected {spec.arithmetic}")
    if spec.readings is not None and sorted(spec.readings) != sorted(record["readings"]):
        out.append(f"{shown}: readings {record['readings']}, expected {spec.readings}")
    details: dict[str, Any] | None = record.get("details")
    if details is not None and spec.details is not None:
        for name, raw in spec.details.items():
            got, want = details.get(name), _expected_amount(raw)
            if got != want:
                out.append(f"{shown}: detail {name} {got}, expected {want}")
    return out


def _first(records: Mapping[tuple[str, int | None], Record], rule_id: str) -> Record | None:
    """A rule's result when the case names no item: the first, as `Evaluation.result` gives."""
    found = [k for k in records if k[0] == rule_id]
    return records[min(found, key=lambda k: k[1] or 0)] if found else None


def _shown(where: tuple[str, int | None]) -> str:
    return where[0] if where[1] is None else f"{where[0]}[{where[1]}]"


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
