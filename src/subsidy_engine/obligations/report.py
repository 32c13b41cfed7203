"""Every obligation of every subject for one period, and the roll-up for the whole city.

The roll-up counts each obligation's subjects by status and sums the figures of those decided
(met or not met); an undetermined subject adds nothing to a sum, it is counted, so a total
never passes off missing facts as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from subsidy_engine.__about__ import __version__
from subsidy_engine.obligations.check import ObligationChecker
from subsidy_engine.obligations.facts import SubjectFacts
from subsidy_engine.obligations.results import ObligationResult, ObligationStatus
from subsidy_engine.results import Citation, Period, Provenance


@dataclass(frozen=True, slots=True)
class ObligationRollup:
    rule_id: str
    title: str
    subject_kind: str
    unit: str
    citation: Citation
    subjects: int
    met: int
    not_met: int
    undetermined: int
    not_in_force: int
    required: Decimal | None
    """The sum over the subjects decided (met or not met); None when none is, or the figures
    are shares, which do not add up."""
    achieved: Decimal | None
    shortfall: Decimal | None


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int
    """The log's data row, counted from 1."""
    id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class LogSummary:
    """What became of an application log's rows: rows read = in the period + outside it +
    rejected; none is dropped unsaid."""

    source: str
    rows_read: int
    in_period: int
    """The applications accepted within the period, the ones its results count."""
    rejected: tuple[RejectedRow, ...]


@dataclass(frozen=True, slots=True)
class LogResults:
    """The deadline duties checked over an application log, ready for a report."""

    results: tuple[ObligationResult, ...]
    summary: LogSummary


@dataclass(frozen=True, slots=True)
class ObligationReport:
    period: Period
    provenance: Provenance
    results: tuple[ObligationResult, ...]
    """Subject by subject, in the order given; each subject's obligations in rulebook order;
    then the application log's, by department and kind."""
    rollup: tuple[ObligationRollup, ...]
    """One row per obligation that binds any subject reported, in rulebook order; then one per
    deadline rule the log's results name."""
    log: LogSummary | None = None
    """The application log checked with the facts, when one was given."""


def obligation_report(
    checker: ObligationChecker,
    subjects: Iterable[SubjectFacts],
    period: Period,
    log: LogResults | None = None,
) -> ObligationReport:
    """Check every subject's obligations over `period`, add the log's, and roll them up."""
    assert period.end is not None
    results = tuple(
        result
        for subject in subjects
        for result in checker.check(subject.kind, subject.name, subject.facts, period)
    ) + (log.results if log else ())
    book = checker.rulebook
    provenance = Provenance(book.id, book.sha256, __version__, period.end, book.reform_label)
    order = [o.id for o in book.obligations]
    order += list(dict.fromkeys(r.rule_id for r in results if r.rule_id not in order))
    rollup = tuple(
        _rollup([r for r in results if r.rule_id == rule_id])
        for rule_id in order
        if any(r.rule_id == rule_id for r in results)
    )
    return ObligationReport(period, provenance, results, rollup, log.summary if log else None)


def _rollup(results: list[ObligationResult]) -> ObligationRollup:
    first = results[0]
    counts = {status: 0 for status in ObligationStatus}
    for result in results:
        counts[result.status] += 1
    decided = [r for r in results if r.status in (ObligationStatus.MET, ObligationStatus.NOT_MET)]
    summable = bool(decided) and first.unit != "share"

    def total(name: str) -> Decimal | None:
        if not summable:
            return None
        return sum((getattr(r, name) for r in decided), Decimal(0))

    return ObligationRollup(
        first.rule_id,
        first.title,
        first.subject_kind,
        first.unit,
        first.citation,
        len(results),
        counts[ObligationStatus.MET],
        counts[ObligationStatus.NOT_MET],
        counts[ObligationStatus.UNDETERMINED],
        counts[ObligationStatus.NOT_IN_FORCE],
        total("required"),
        total("achieved"),
        total("shortfall"),
    )
