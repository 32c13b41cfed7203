"""The result of checking one obligation for one subject over one period.

An obligation is a duty of a government body (a procuring body, a service hall, a fund, the
city), not an entitlement of an enterprise: it is met, not met or undetermined, with the
figure the text requires, the figure achieved and the shortfall between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from subsidy_engine.results import Citation, Period, Reading


class ObligationStatus(StrEnum):
    MET = "met"
    """The achieved figure reaches the required one."""
    NOT_MET = "not_met"
    """The achieved figure falls short: see `shortfall`."""
    UNDETERMINED = "undetermined"
    """The facts given do not decide it: `missing_facts` says what would (or `arithmetic`,
    the fault that left a figure without a value)."""
    NOT_IN_FORCE = "not_in_force"
    """The duty is not in force during the period."""


@dataclass(frozen=True, slots=True)
class ObligationResult:
    rule_id: str
    title: str
    subject_kind: str
    """The kind of body the duty binds, as declared in the rulebook."""
    subject: str
    """Which body: its name or identifier in the facts given."""
    period: Period
    status: ObligationStatus
    unit: str
    """What `required`, `achieved` and `shortfall` count: yuan, share, count or working_days."""
    required: Decimal | None
    achieved: Decimal | None
    shortfall: Decimal | None
    """How far `achieved` falls short of `required`; zero when met, None when undecided."""
    citation: Citation
    missing_facts: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    missing_parameters: tuple[str, ...] = ()
    """Parameters with no value for the period that the figures need (not facts to supply)."""
    arithmetic: tuple[str, ...] = ()
    """The arithmetic faults that left a figure undetermined, each with the expression:
    `overflow: a * b`, `division_by_zero: a / b` (no fact to supply: the figure left the
    number domain, `lang.numbers`)."""
    direction: str = "at_least"
    """`at_least`: achieved must reach required; `at_most`: it must not exceed it."""
    interpretation: str | None = None
    interpretation_zh: str | None = None
