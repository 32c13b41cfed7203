"""Obligations compiled once, then checked for one subject's facts over one period.

The required and achieved figures are typed trees compiled by the scalar compiler, so they
read facts and parameters, and treat a missing fact, exactly as an enterprise rule does: a
figure that needs a missing fact is unknown, and the obligation is undetermined, naming it; a
figure that leaves the number domain (an overflow, a division by zero) names that fault.
Parameters are those in force on the period's last day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from subsidy_engine.backends.python.compiler import Fn, Frame, ScalarCompiler, Unknown
from subsidy_engine.backends.python.evaluate import parameters_at
from subsidy_engine.errors import InputError
from subsidy_engine.lang.partial import code_fields
from subsidy_engine.money import to_fen
from subsidy_engine.obligations.results import ObligationResult, ObligationStatus
from subsidy_engine.results import Period, Reading
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.subjects import Obligation, Subject


@dataclass(frozen=True, slots=True)
class _Compiled:
    obligation: Obligation
    required: Fn
    achieved: Fn


class ObligationChecker:
    """A rulebook's obligations compiled to closures, checked subject by subject."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        compilers = {
            kind: ScalarCompiler({}, rulebook.calendar, code_fields(subject.schema.spec))
            for kind, subject in rulebook.subjects.items()
        }  # one per kind: an industry-code fact stands for every class it covers
        self._compiled = tuple(
            _Compiled(
                o,
                compilers[o.subject].compile(o.required),
                compilers[o.subject].compile(o.achieved),
            )
            for o in rulebook.obligations
        )

    def subject(self, kind: str) -> Subject:
        """The declared subject kind `kind`; InputError listing the kinds when it is not one."""
        subject = self.rulebook.subjects.get(kind)
        if subject is None:
            known = ", ".join(self.rulebook.subjects) or "none"
            raise InputError(f"unknown subject kind {kind!r}; this rulebook declares: {known}")
        return subject

    def check(
        self, kind: str, name: str, facts: Mapping[str, Any], period: Period
    ) -> list[ObligationResult]:
        """Every obligation binding subjects of `kind`, for the subject `name` whose facts
        (validated against the kind's model: see `validate`) are `facts`."""
        self.subject(kind)
        assert period.end is not None
        frame = Frame(facts, parameters_at(self.rulebook, period.end), period.end)
        parameters = self.rulebook.parameters
        return [
            _result(
                compiled,
                name,
                frame,
                period,
                tuple(parameters[p].reading_at(period.end) for p in compiled.obligation.readings),
            )
            for compiled in self._compiled
            if compiled.obligation.subject == kind
        ]

    def validate(self, kind: str, facts: Mapping[str, Any]) -> dict[str, Any]:
        """The facts of a subject of `kind` as its model reads them (ProfileError if bad)."""
        return dict(self.subject(kind).schema.validate(facts).__dict__)


def _result(
    compiled: _Compiled, name: str, frame: Frame, period: Period, readings: tuple[Reading, ...]
) -> ObligationResult:
    obligation = compiled.obligation
    spec = obligation.spec
    in_force = spec.in_force.contains(frame.as_of)
    base: dict[str, Any] = {
        "rule_id": obligation.id,
        "title": spec.title,
        "subject_kind": spec.subject,
        "subject": name,
        "period": period,
        "unit": spec.unit,
        "citation": obligation.citation,
        "readings": readings,
        "direction": spec.direction,
        "interpretation": spec.interpretation,
        "interpretation_zh": spec.interpretation_zh,
    }
    if not in_force:
        return ObligationResult(
            status=ObligationStatus.NOT_IN_FORCE,
            required=None,
            achieved=None,
            shortfall=None,
            **base,
        )
    required, achieved = compiled.required(frame), compiled.achieved(frame)
    unknown = [v for v in (required, achieved) if v.__class__ is Unknown]
    if unknown:
        facts = sorted({f for u in unknown for f in u.facts})
        params = sorted({p for u in unknown for p in u.params})
        faults = sorted({f for u in unknown for f in u.faults})
        return ObligationResult(
            status=ObligationStatus.UNDETERMINED,
            required=None if required.__class__ is Unknown else _figure(required, spec.unit),
            achieved=None if achieved.__class__ is Unknown else _figure(achieved, spec.unit),
            shortfall=None,
            missing_facts=tuple(facts),
            missing_parameters=tuple(params),
            arithmetic=tuple(faults),
            **base,
        )
    need, done = _figure(required, spec.unit), _figure(achieved, spec.unit)
    gap = need - done if spec.direction == "at_least" else done - need
    shortfall = _figure(max(gap, Decimal(0)), spec.unit)
    status = ObligationStatus.MET if shortfall == 0 else ObligationStatus.NOT_MET
    return ObligationResult(
        status=status, required=need, achieved=done, shortfall=shortfall, **base
    )


def _figure(value: Any, unit: str) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(value)
    return to_fen(number) if unit == "yuan" else number
