"""An application log's deadline duties for a report: `service_log` reads and checks it; this
turns its answers, and the rows it refused, into a report's parts."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from subsidy_engine.obligations.report import LogResults, LogSummary, RejectedRow
from subsidy_engine.results import Period
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.service_log import check_period, log_shape, obligation_results, parse_log
from subsidy_engine.service_log import read_log as read_log_file


def log_results(rulebook: Rulebook, log: str | Path | pl.DataFrame, period: Period) -> LogResults:
    """The duty per department and kind over `period` for the applications of `log` (a file
    or a frame of the log's columns), with the count of its rows and every row refused."""
    shape = log_shape(rulebook)
    if isinstance(log, pl.DataFrame):
        source, read = "the log", parse_log(shape, log)
    else:
        source, read = str(log), read_log_file(shape, Path(log))
    checked = check_period(shape, read.applications, period)
    rejected = tuple(
        RejectedRow(int(row["row"]), row["id"], str(row["reason"]))
        for row in read.rejects.iter_rows(named=True)
    )
    summary = LogSummary(source, read.rows_read, checked.height, rejected)
    return LogResults(tuple(obligation_results(shape, checked, period)), summary)
