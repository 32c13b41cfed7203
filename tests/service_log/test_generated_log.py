"""The synthetic application log: valid, deterministic and realistic enough to measure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from polars.testing import assert_frame_equal

from subsidy_engine import Engine
from subsidy_engine.service_log import LogShape, check_period, log_shape, parse_log
from subsidy_engine.service_log.period import between
from subsidy_engine.synthetic.applications import generate_applications


@pytest.fixture(scope="module")
def shape() -> LogShape:
    return log_shape(Engine().rulebook)


def test_same_seed_same_log_and_every_row_is_valid(shape: LogShape) -> None:
    log = generate_applications(shape, 3000, seed=7)
    assert_frame_equal(log, generate_applications(shape, 3000, seed=7))
    assert not log.equals(generate_applications(shape, 3000, seed=8))
    parsed = parse_log(shape, log)
    assert (parsed.applications.height, parsed.rejects.height) == (3000, 0)
    assert set(log["kind"]) == set(shape.kind_names)


def test_most_on_time_some_late_some_open_some_across_holidays(shape: LogShape) -> None:
    log = generate_applications(shape, 5000, seed=1)
    checked = check_period(shape, log, between(date(2018, 1, 1), date(2026, 12, 31)))
    counts = checked["status"].value_counts().rows()
    by_status = dict(counts)
    assert by_status["on_time"] > 0.85 * log.height
    assert 0.03 * log.height < by_status["late"] < 0.15 * log.height
    assert log["completed_on"].null_count() > 0
    calendar = shape.calendar

    def crosses_holiday(applied: date, completed: date | None) -> bool:
        if completed is None:
            return False
        days = (applied + timedelta(days=i) for i in range(1, (completed - applied).days))
        return any(d.weekday() < 5 and calendar.is_working_day(d) is False for d in days)

    crossing = sum(
        crosses_holiday(a, c) for a, c in log.select("applied_on", "completed_on").rows()
    )
    assert crossing > 0.02 * log.height
