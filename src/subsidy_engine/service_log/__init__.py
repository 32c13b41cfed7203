"""A service hall's application log checked against the rulebook's working-day deadlines.

`log_shape(rulebook)` reads the application kinds and their limits off the deadline rules
(`shape.py`); `read_log` reads a log file, rejecting bad rows by row number (`read.py`);
`check_application` judges one application in plain Python (`scalar.py`) and `check_frame`
a whole log in one Polars pass (`vector.py`), with the same answers; `check_period` checks
the applications accepted in a period (`quarter`, `between`) at its end (`period.py`);
`compliance_rates` counts them by department, kind and month (`rates.py`);
`obligation_results` states, per department and kind, whether the duty was met over a period
(`duties.py`).
"""

from __future__ import annotations

from subsidy_engine.service_log.duties import obligation_results
from subsidy_engine.service_log.period import between, check_period, quarter
from subsidy_engine.service_log.rates import GROUPS, compliance_rates
from subsidy_engine.service_log.read import Log, parse_log, read_log
from subsidy_engine.service_log.scalar import Application, Check, check_application
from subsidy_engine.service_log.shape import (
    LOG_COLUMNS,
    LOG_ROLE,
    ApplicationKind,
    LogShape,
    log_shape,
)
from subsidy_engine.service_log.status import CHECK_COLUMNS, STATUSES
from subsidy_engine.service_log.vector import check_frame

__all__ = [
    "CHECK_COLUMNS",
    "GROUPS",
    "LOG_COLUMNS",
    "LOG_ROLE",
    "STATUSES",
    "Application",
    "ApplicationKind",
    "Check",
    "Log",
    "LogShape",
    "between",
    "check_application",
    "check_frame",
    "check_period",
    "compliance_rates",
    "log_shape",
    "obligation_results",
    "parse_log",
    "quarter",
    "read_log",
]
