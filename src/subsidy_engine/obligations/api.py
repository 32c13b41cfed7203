"""The Python entry points for obligations: a report for a period from a facts file or from
subjects given as data, and the required figures for given facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from subsidy_engine.errors import InputError
from subsidy_engine.obligations.check import ObligationChecker
from subsidy_engine.obligations.facts import read_facts, subject_facts
from subsidy_engine.obligations.period import parse_period
from subsidy_engine.obligations.report import ObligationReport, obligation_report
from subsidy_engine.results import Period
from subsidy_engine.rulebook.rulebook import Rulebook

if TYPE_CHECKING:
    import polars as pl


def check_obligations(
    rulebook: Rulebook,
    subjects: str | Path | Sequence[Mapping[str, Any]],
    period: str | Period | None = None,
    log: str | Path | pl.DataFrame | None = None,
) -> ObligationReport:
    """Every obligation of every subject over `period` (`2020Q1`, `2020` or a Period; by
    default the facts file's own `period:`), with the city roll-up.

    `subjects` is a facts file's path, or a list of `{kind, name, facts}` mappings. `log`, an
    application log (a file, or a frame of its columns), adds the deadline duties of the
    applications accepted in the period, per department and kind, and its refused rows.
    """
    checker = ObligationChecker(rulebook)
    named: str | None = None
    if isinstance(subjects, str | Path):
        facts_file = read_facts(Path(subjects), checker)
        given, named = facts_file.subjects, facts_file.period
    else:
        given = subject_facts(list(subjects), checker)
    chosen = period if period is not None else named
    if chosen is None:
        raise InputError("no period: give one (e.g. 2020Q1), or `period:` in the facts file")
    within = parse_period(chosen) if isinstance(chosen, str) else chosen
    checked_log = None
    if log is not None:
        from subsidy_engine.obligations.log import log_results

        checked_log = log_results(rulebook, log, within)
    return obligation_report(checker, given, within, checked_log)
