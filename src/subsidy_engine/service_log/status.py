"""What a check says of one application, in both backends alike."""

from __future__ import annotations

from typing import Final

ON_TIME: Final = "on_time"
"""Completed on or before its deadline."""
LATE: Final = "late"
"""Completed after its deadline, or still open after it at the period's end."""
PENDING: Final = "pending"
"""Still open at the period's end, whose deadline has not passed: not yet decided."""
UNDETERMINED: Final = "undetermined"
"""The deadline falls in a year the working-day calendar lacks (`unknown` names the calendar),
or a budget kind took longer than its back-to-back date (`unknown` is `PAUSED`)."""
NOT_IN_FORCE: Final = "not_in_force"
"""Accepted on a day the kind's deadline rule is not in force: no limit applies."""

PAUSED: Final = "paused_working_days"
"""What would decide a budget kind finished after its back-to-back date: the working days the
file was held outside the government's count (the enterprise's corrections, reviews, notices)."""

STATUSES: Final = (ON_TIME, LATE, PENDING, UNDETERMINED, NOT_IN_FORCE)

CHECK_COLUMNS: Final = ("deadline", "status", "working_days_late", "unknown")
"""The columns a check adds to each application. `working_days_late` is 0 when on time, the
working days after the deadline up to completion (or the period's end, while open) when late,
and empty when pending, undetermined, not in force, or late by a count the calendar cannot
give; `unknown` then names the calendar gap."""
