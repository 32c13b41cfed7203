"""The measure 6 deadlines over an application log: the scalar and vectorised checks agree,
and each limit holds at its bound, across holidays and adjusted working days."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, bundled_rulebook_path, load_rulebook
from subsidy_engine.errors import InputError
from subsidy_engine.service_log import (
    Application,
    Check,
    LogShape,
    check_application,
    check_frame,
    log_shape,
)

SHAPE = log_shape(Engine().rulebook)


def vector(shape: LogShape, applications: list[Application], period_end: date) -> list[Check]:
    frame = pl.DataFrame(
        {
            "id": [a.id for a in applications],
            "kind": [a.kind for a in applications],
            "applied_on": [a.applied_on for a in applications],
            "completed_on": [a.completed_on for a in applications],
            "department": [a.department for a in applications],
            "paused_working_days": [a.paused_working_days for a in applications],
        },
        schema={
            "id": pl.String,
            "kind": pl.String,
            "applied_on": pl.Date,
            "completed_on": pl.Date,
            "department": pl.String,
            "paused_working_days": pl.Int64,
        },
    )
    checked = check_frame(shape, frame, period_end).collect()
    return [
        Check(r["deadline"], r["status"], r["working_days_late"], r["unknown"])
        for r in checked.iter_rows(named=True)
    ]


def business(applied: date, completed: date | None) -> Application:
    return Application("a1", "business_registration", applied, completed, "市场监管局")


# --- the shape comes from the rulebook ---------------------------------------------------------


def test_shape_reads_every_3545_kind_with_its_parameter_and_quote(shape: LogShape) -> None:
    limits = {k.name: (k.limit_on(date(2020, 1, 2)), k.parameter.name) for k in shape.kinds}
    assert limits == {
        "business_registration": (3, "deadline_business_registration_days"),
        "real_estate_registration": (5, "deadline_real_estate_registration_days"),
        "industrial_project_approval": (45, "deadline_industrial_project_days"),
        "construction_project_approval": (100, "deadline_construction_project_days"),
    }
    first = shape.kind("business_registration")
    assert first.rule.citation.measure == 6
    assert "3个工作日内" in first.rule.citation.quotes[0]
    assert shape.calendar.name == "cn"


def test_no_limit_before_the_policy_is_in_force(shape: LogShape) -> None:
    kind = shape.kind("real_estate_registration")
    assert kind.limit_on(date(2018, 12, 9)) is None
    assert kind.limit_on(date(2018, 12, 10)) == 5
    check = check_application(
        shape, business(date(2018, 12, 9), date(2018, 12, 10)), date(2019, 1, 1)
    )
    assert check.status == "not_in_force"


# --- bounds across the 2019 National Day break --------------------------------------------------

# Applied Monday 2019-09-30; 10-01..07 are the National Day holiday; Sunday 09-29 and
# Saturday 10-12 are worked. The 3rd working day after is Thursday 10-10, the 4th Friday 10-11.
APPLIED = date(2019, 9, 30)


@pytest.mark.parametrize(
    ("completed", "status", "late"),
    [
        (date(2019, 10, 8), "on_time", 0),
        (date(2019, 10, 10), "on_time", 0),  # the 3rd working day: the last on time
        (date(2019, 10, 11), "late", 1),  # the 4th
        (date(2019, 10, 12), "late", 2),  # an adjusted working Saturday counts
        (date(2019, 10, 13), "late", 2),  # a Sunday does not
    ],
)
def test_business_registration_bound_across_national_day(
    shape: LogShape, completed: date, status: str, late: int
) -> None:
    application = business(APPLIED, completed)
    expected = Check(date(2019, 10, 10), status, late)
    assert check_application(shape, application, date(2019, 12, 31)) == expected
    assert vector(shape, [application], date(2019, 12, 31)) == [expected]


def test_open_application_is_pending_until_its_deadline_passes(shape: LogShape) -> None:
    open_one = business(APPLIED, None)
    assert check_application(shape, open_one, date(2019, 10, 10)).status == "pending"
    after = check_application(shape, open_one, date(2019, 10, 11))
    assert (after.status, after.working_days_late) == ("late", 1)
    assert vector(shape, [open_one], date(2019, 10, 10))[0].status == "pending"


def test_a_year_the_calendar_lacks_is_undetermined_naming_the_calendar(shape: LogShape) -> None:
    beyond = business(date(2026, 12, 30), None)  # the 3rd working day falls in 2027
    expected = Check(None, "undetermined", None, "cn_working_day_calendar")
    assert check_application(shape, beyond, date(2027, 3, 31)) == expected
    assert vector(shape, [beyond], date(2027, 3, 31)) == [expected]
    late_into_2027 = business(date(2026, 12, 1), date(2027, 1, 5))
    check = check_application(shape, late_into_2027, date(2027, 3, 31))
    assert (check.status, check.working_days_late, check.unknown) == (
        "late",
        None,
        "cn_working_day_calendar",
    )
    assert vector(shape, [late_into_2027], date(2027, 3, 31)) == [check]


# --- the two checks agree -----------------------------------------------------------------------

# Dates around the calendar's first and last years, the policy's start and holiday breaks.
DAYS = st.dates(date(2017, 12, 1), date(2027, 2, 1)) | st.sampled_from(
    [
        date(2018, 12, 9),
        date(2018, 12, 10),
        date(2019, 9, 29),
        date(2019, 9, 30),
        date(2019, 10, 8),
        date(2019, 10, 12),
        date(2020, 1, 23),
        date(2026, 12, 31),
    ]
)


@st.composite
def applications(draw: st.DrawFn) -> Application:
    applied = draw(DAYS)
    took = draw(st.none() | st.integers(0, 200))
    completed = None if took is None else applied + timedelta(days=took)
    kind = draw(st.sampled_from(SHAPE.kind_names))
    paused = draw(st.none() | st.integers(0, 3000))
    return Application(str(draw(st.integers(0, 99))), kind, applied, completed, "d", paused)


@settings(max_examples=200, deadline=None)
@given(st.lists(applications(), min_size=1, max_size=30), DAYS)
def test_scalar_and_vectorised_checks_agree(rows: list[Application], period_end: date) -> None:
    expected = [check_application(SHAPE, row, period_end) for row in rows]
    assert vector(SHAPE, rows, period_end) == expected


# --- another rulebook, no code change ------------------------------------------------------------


def test_limits_follow_the_rulebooks_dated_parameter(tmp_path: Path) -> None:
    folder = tmp_path / "rulebook"
    shutil.copytree(bundled_rulebook_path(), folder)
    parameters = folder / "parameters.yaml"
    text = parameters.read_text(encoding="utf-8")
    old = (
        "      2018-12-10: {value: 3, reference: "
        "第6条 3个工作日内完成营业执照办理、涉税办理、公章刻制等事项}\n"
    )
    assert old in text
    parameters.write_text(
        text.replace(old, old + "      2020-01-01: {value: 2, reference: 压缩至2个工作日}\n"),
        encoding="utf-8",
    )
    changed = log_shape(load_rulebook(folder))
    kind = changed.kind("business_registration")
    assert (kind.limit_on(date(2019, 12, 31)), kind.limit_on(date(2020, 1, 1))) == (3, 2)
    # Thursday 2020-01-02: the 2nd working day after is Monday 01-06, the 3rd Tuesday 01-07
    application = business(date(2020, 1, 2), date(2020, 1, 7))
    expected = Check(date(2020, 1, 6), "late", 1)
    assert check_application(changed, application, date(2020, 3, 31)) == expected
    assert vector(changed, [application], date(2020, 3, 31)) == [expected]


def test_a_rulebook_without_deadline_rules_is_refused() -> None:
    with pytest.raises(InputError, match="has no deadline rule"):
        log_shape(load_rulebook(Path(__file__).parents[2] / "benchmarks" / "anchor_rulebook"))


def test_a_working_day_budget_past_its_back_to_back_date_is_undetermined(
    shape: LogShape,
) -> None:
    assert [k.name for k in shape.kinds if k.budget] == [
        "industrial_project_approval",
        "construction_project_approval",
    ]
    applied = date(2019, 9, 2)
    due = shape.calendar.add_working_days(applied, 45)
    assert due is not None
    project = Application("p1", "industrial_project_approval", applied, due, "发改委")
    late = Application("p2", "industrial_project_approval", applied, due + timedelta(1), "发改委")
    end = date(2019, 12, 31)
    expected = [Check(due, "on_time", 0), Check(due, "undetermined", None, "paused_working_days")]
    assert [check_application(shape, a, end) for a in (project, late)] == expected
    assert vector(shape, [project, late], end) == expected


def test_paused_working_days_decide_a_budget_kind(shape: LogShape) -> None:
    applied = date(2019, 9, 2)
    due = shape.calendar.add_working_days(applied, 45 + 10)
    assert due is not None
    kind = "industrial_project_approval"
    within = Application("p1", kind, applied, due, "发改委", paused_working_days=10)
    beyond = Application("p2", kind, applied, due + timedelta(1), "发改委", paused_working_days=10)
    end = date(2019, 12, 31)
    after = due + timedelta(1)
    late_by = 1 if shape.calendar.is_working_day(after) else 0
    expected = [Check(due, "on_time", 0), Check(due, "late", late_by)]
    assert [check_application(shape, a, end) for a in (within, beyond)] == expected
    assert vector(shape, [within, beyond], end) == expected


def test_a_rulebook_naming_no_kind_to_bind_is_refused_at_its_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "rulebook"
    shutil.copytree(bundled_rulebook_path(), folder)
    manifest = folder / "rulebook.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count("    role: application_log\n") == 1
    manifest.write_text(text.replace("    role: application_log\n", ""), encoding="utf-8")
    message = f"{manifest}: subjects: no subject kind has role: application_log"
    with pytest.raises(InputError, match=re.escape(message)):
        log_shape(load_rulebook(folder))


def test_the_bound_kind_is_the_one_the_rulebook_declares(shape: LogShape) -> None:
    assert shape.subject_kind == "service_hall"
    assert Engine().rulebook.subjects[shape.subject_kind].role == "application_log"
