"""The PRC working-day calendar and deadline arithmetic, through the public API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsidy_engine.errors import InputError, SubsidyEngineError
from subsidy_engine.workdays import CalendarError, WorkingDayCalendar

FIRST, LAST = date(2018, 1, 1), date(2026, 12, 31)


@pytest.fixture(scope="module")
def cn() -> WorkingDayCalendar:
    return WorkingDayCalendar.bundled("cn")


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- the bundled calendar ---------------------------------------------------------------------


def test_bundled_calendar_knows_2018_to_2026_and_is_cached(cn: WorkingDayCalendar) -> None:
    assert cn.name == "cn"
    assert cn.known_years == frozenset(range(2018, 2027))
    assert WorkingDayCalendar.bundled() is cn


def test_unknown_bundled_calendar_is_refused() -> None:
    with pytest.raises(InputError, match=r"'xx'.*cn"):
        WorkingDayCalendar.bundled("xx")


def test_every_day_matches_chinese_calendar(cn: WorkingDayCalendar) -> None:
    mismatches = [
        day
        for day in every_day(FIRST, LAST)
        if cn.is_working_day(day) != chinese_calendar.is_workday(day)
    ]
    assert mismatches == []


def test_working_days_are_sorted_distinct_and_complete(cn: WorkingDayCalendar) -> None:
    days = cn.working_days()
    assert list(days) == sorted(set(days))
    assert days == tuple(d for d in every_day(FIRST, LAST) if cn.is_working_day(d))
    assert days[0] == date(2018, 1, 2)  # 2018-01-01 is New Year's Day
    assert days[-1] == date(2026, 12, 31)


def test_references_name_the_notice_of_each_year(cn: WorkingDayCalendar) -> None:
    for year in cn.known_years:
        reference = cn.reference(year)
        assert reference is not None
        assert f"国务院办公厅关于{year}年部分节假日安排的通知" in reference
    assert "国办发明电〔2018〕15号" in (cn.reference(2019) or "")
    assert cn.reference(2017) is None
    assert cn.reference(2027) is None


def test_engine_does_not_import_chinese_calendar() -> None:
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from subsidy_engine.workdays import WorkingDayCalendar\n"
        "cn = WorkingDayCalendar.bundled()\n"
        "assert cn.add_working_days(date(2019, 9, 30), 3) == date(2019, 10, 10)\n"
        "assert 'chinese_calendar' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- known deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        # Monday before the National Day week (10-01..07 off, Saturday 10-12 worked).
        (date(2019, 9, 30), 3, date(2019, 10, 10)),
        (date(2019, 9, 30), 5, date(2019, 10, 12)),
        # Friday before the 2024 Spring Festival (02-10..17 off, Sunday 02-18 worked).
        (date(2024, 2, 9), 1, date(2024, 2, 18)),
        (date(2024, 2, 9), 2, date(2024, 2, 19)),
        # Labour Day 2025: 05-01..05 off, Sunday 04-27 worked.
        (date(2025, 4, 25), 1, date(2025, 4, 27)),
        (date(2025, 4, 30), 1, date(2025, 5, 6)),
        # Applying on a Saturday that is an adjusted working day: that day is not counted.
        (date(2019, 10, 12), 1, date(2019, 10, 14)),
        (date(2019, 10, 12), 3, date(2019, 10, 16)),
        # Applying during a holiday.
        (date(2019, 10, 3), 1, date(2019, 10, 8)),
        # 2020 Spring Festival, extended to 02-02 (Saturday 02-01 no longer worked).
        (date(2020, 1, 23), 1, date(2020, 2, 3)),
        # n == 0 is the start itself, working day or not.
        (date(2019, 10, 3), 0, date(2019, 10, 3)),
        (date(2024, 6, 5), 0, date(2024, 6, 5)),
        # Across year boundaries into known years.
        (date(2018, 12, 28), 1, date(2018, 12, 29)),  # Saturday worked before New Year 2019
        (date(2018, 12, 28), 2, date(2019, 1, 2)),
        (date(2025, 12, 31), 1, date(2026, 1, 4)),  # 2026-01-01..03 off, Sunday 01-04 worked
        (date(2025, 12, 31), 2, date(2026, 1, 5)),
        (date(2026, 12, 30), 1, date(2026, 12, 31)),  # the last known working day
    ],
)
def test_known_deadlines(cn: WorkingDayCalendar, start: date, n: int, deadline: date) -> None:
    assert cn.add_working_days(start, n) == deadline


@pytest.mark.parametrize(
    ("start", "n"),
    [
        (date(2017, 12, 29), 1),  # the start's year is unknown, even if the answer is in 2018
        (date(2017, 6, 1), 0),
        (date(2026, 12, 30), 2),  # runs into 2027
        (date(2026, 12, 15), 60),
        (date(2027, 1, 4), 1),
    ],
)
def test_unknown_years_give_none(cn: WorkingDayCalendar, start: date, n: int) -> None:
    assert cn.add_working_days(start, n) is None


def test_is_working_day_is_none_outside_known_years(cn: WorkingDayCalendar) -> None:
    assert cn.is_working_day(date(2017, 12, 29)) is None
    assert cn.is_working_day(date(2027, 1, 4)) is None
    assert cn.is_working_day(date(2019, 10, 12)) is True  # adjusted working Saturday
    assert cn.is_working_day(date(2019, 10, 1)) is False


def test_negative_count_is_rejected(cn: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError, match="-1"):
        cn.add_working_days(date(2019, 9, 30), -1)


@given(
    start=st.dates(min_value=FIRST, max_value=LAST),
    n=st.integers(min_value=0, max_value=60),
)
def test_deadline_is_the_nth_working_day_after_start(start: date, n: int) -> None:
    cn = WorkingDayCalendar.bundled()
    result = cn.add_working_days(start, n)
    if result is None:  # only when the count runs past 2026
        assert sum(map(chinese_calendar.is_workday, every_day(start, LAST)[1:])) < n
        return
    if n == 0:
        assert result == start
        return
    assert result > start
    assert chinese_calendar.is_workday(result)
    assert sum(map(chinese_calendar.is_workday, every_day(start, result)[1:])) == n


# --- calendar files -----------------------------------------------------------------------------

GOOD = """\
name: test
title: a test calendar
years:
  2030:
    reference: made up
    holidays: [2030-01-01]
    adjusted_working_days: [2030-01-05]
  2031:
    holidays: []
    adjusted_working_days: []
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_from_file_reads_a_small_calendar(tmp_path: Path) -> None:
    calendar = WorkingDayCalendar.from_file(write(tmp_path, GOOD))
    assert calendar.name == "test"
    assert calendar.known_years == frozenset({2030, 2031})
    assert calendar.is_working_day(date(2030, 1, 1)) is False  # Tuesday holiday
    assert calendar.is_working_day(date(2030, 1, 5)) is True  # Saturday worked
    assert calendar.add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 1)
    assert calendar.reference(2030) == "made up"
    assert calendar.reference(2031) is None


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape("absent.yaml")):
        WorkingDayCalendar.from_file(tmp_path / "absent.yaml")


def year_2019(holidays: str = "[]", adjusted: str = "[]", extra: str = "") -> str:
    return (
        "name: bad\nyears:\n  2019:\n"
        f"    holidays: {holidays}\n    adjusted_working_days: {adjusted}\n{extra}"
    )


@pytest.mark.parametrize(
    ("text", "year", "fragments"),
    [
        (year_2019(holidays="[2019-02-02]"), 2019, ["holidays", "2019-02-02", "Saturday"]),
        (year_2019(adjusted="[2019-02-04]"), 2019, ["adjusted_working_days", "Monday"]),
        (year_2019(holidays="[2018-12-31]"), 2019, ["holidays", "2018-12-31", "not in 2019"]),
        (year_2019(holidays="[2019-10-01, 2019-10-01]"), 2019, ["twice"]),
        (year_2019(adjusted="[tomorrow]"), 2019, ["adjusted_working_days", "tomorrow"]),
        (year_2019(holidays="2019-10-01"), 2019, ["holidays", "list"]),
        (year_2019(extra="    adjusted_workdays: []\n"), 2019, ["adjusted_workdays", "unknown"]),
        ("name: bad\nyears:\n  2019:\n    holidays: []\n", 2019, ["adjusted_working_days"]),
        (year_2019(extra="  2021:\n    holidays: []\n    adjusted_working_days: []\n"), 2020, []),
        (year_2019(extra="  next: {}\n"), None, ["years", "'next'"]),
        (year_2019(holidays="[2019-02-30]"), None, ["not a valid YAML"]),
        ("name: bad\nyears: [2019]\n", None, ["years"]),
        ("- 2019-01-01\n", None, ["mapping"]),
        ("years:\n  2019: {holidays: [], adjusted_working_days: []}\n", None, ["name"]),
    ],
)
def test_malformed_calendars_are_refused(
    tmp_path: Path, text: str, year: int | None, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CalendarError) as caught:
        WorkingDayCalendar.from_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert caught.value.file == str(path)
    assert caught.value.year == year
    if year is not None:
        assert f"year {year}" in message
    for fragment in fragments:
        assert fragment in message
    assert isinstance(caught.value, SubsidyEngineError)
