"""The scalar check: one application at a time, in plain Python over the calendar.

The reference the vectorised check (`vector.py`) is held to. The N-th working day after
applied_on is the last day on time (the day of acceptance does not count); an open application
is judged at `period_end`. A budget kind (see `ApplicationKind.budget`) has its limit lengthened
by the working days the file was paused; where the log does not say, one done after the
back-to-back date is undetermined.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

from subsidy_engine.service_log import status
from subsidy_engine.service_log.shape import LogShape
from subsidy_engine.workdays import WorkingDayCalendar


@dataclass(frozen=True, slots=True)
class Application:
    id: str
    kind: str
    applied_on: date
    completed_on: date | None
    department: str
    paused_working_days: int | None = None
    """For a budget kind: the working days the file was held outside the government's count."""


@dataclass(frozen=True, slots=True)
class Check:
    deadline: date | None
    status: str
    working_days_late: int | None
    unknown: str | None = None


def check_application(shape: LogShape, application: Application, period_end: date) -> Check:
    """Whether `application` met its kind's deadline, judged at `period_end` if still open.

    Raises KeyError for a kind the shape does not have (the log reader rejects those rows).
    """
    kind = shape.kind(application.kind)
    limit = kind.limit_on(application.applied_on)
    if limit is None:
        return Check(None, status.NOT_IN_FORCE, None)
    calendar = shape.calendar
    paused = application.paused_working_days if kind.budget else None
    deadline = calendar.add_working_days(application.applied_on, limit + (paused or 0))
    if deadline is None:
        return Check(None, status.UNDETERMINED, None, shape.calendar_gap)
    done = application.completed_on
    end = done if done is not None else period_end
    if end <= deadline:
        return (
            Check(deadline, status.ON_TIME, 0)
            if done is not None
            else Check(deadline, status.PENDING, None)
        )
    if kind.budget and paused is None:
        return Check(deadline, status.UNDETERMINED, None, status.PAUSED)
    late = working_days_after(calendar, deadline, end)
    return Check(deadline, status.LATE, late, shape.calendar_gap if late is None else None)


def working_days_after(calendar: WorkingDayCalendar, start: date, end: date) -> int | None:
    """The working days in (start, end]; None when the calendar does not know end's year.
    `start` must be a day of a known year."""
    if end.year not in calendar.known_years:
        return None
    days = calendar.working_days()
    return bisect.bisect_right(days, end) - bisect.bisect_right(days, start)
