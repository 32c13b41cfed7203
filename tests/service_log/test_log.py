"""Reading a log, its compliance rates and measure 6's duty per department and kind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.errors import InputError
from subsidy_engine.obligations.results import ObligationStatus
from subsidy_engine.results import Period
from subsidy_engine.service_log import (
    LogShape,
    check_period,
    compliance_rates,
    obligation_results,
    parse_log,
    quarter,
    read_log,
)

BR, RE = "business_registration", "real_estate_registration"
Q4 = Period(date(2019, 10, 1), date(2019, 12, 31))


def log(*rows: tuple[str, str, str, str | None, str]) -> pl.DataFrame:
    columns = ("id", "kind", "applied_on", "completed_on", "department")
    return pl.DataFrame([dict(zip(columns, row, strict=True)) for row in rows])


def test_bad_rows_are_rejected_with_their_row_number_and_every_reason(shape: LogShape) -> None:
    parsed = parse_log(
        shape,
        log(
            ("1", BR, "2019-10-08", "2019-10-10", "市场监管局"),
            ("2", "passport", "2019-10-08", None, "公安局"),
            ("3", BR, "2019-10-32", None, "市场监管局"),
            ("4", RE, "2019-10-08", "2019-10-07", "不动产登记中心"),
            ("", BR, "2019-10-08", "", ""),
        ),
    )
    assert parsed.applications["id"].to_list() == ["1"]
    assert parsed.rows_read == 5
    assert parsed.rejects.to_dicts() == [
        {
            "row": 2,
            "id": "2",
            "reason": f"unknown kind 'passport'; kinds are {', '.join(shape.kind_names)}",
        },
        {"row": 3, "id": "3", "reason": "applied_on '2019-10-32' is not a date YYYY-MM-DD"},
        {"row": 4, "id": "4", "reason": "completed_on is before applied_on"},
        {"row": 5, "id": None, "reason": "id is empty; department is empty"},
    ]


def test_a_log_without_its_columns_is_refused_naming_them(shape: LogShape) -> None:
    frame = pl.DataFrame({"id": ["1"], "kind": [BR], "applied": ["2019-10-08"]})
    with pytest.raises(
        InputError,
        match=r"missing column.*applied_on, completed_on, department; unknown column.*applied",
    ):
        parse_log(shape, frame)


def test_quarter_is_parsed_and_bad_ones_refused() -> None:
    assert quarter("2020q1") == Period(date(2020, 1, 1), date(2020, 3, 31))
    assert quarter("2019Q4") == Q4
    with pytest.raises(InputError, match="not a quarter"):
        quarter("2020Q5")


def checked(shape: LogShape, *rows: tuple[str, str, str, str | None, str]) -> pl.DataFrame:
    return check_period(shape, parse_log(shape, log(*rows)).applications, Q4)


def test_rates_by_department_kind_and_month(shape: LogShape) -> None:
    frame = checked(
        shape,
        ("1", BR, "2019-09-30", "2019-10-10", "A"),  # before the quarter: not counted
        ("2", BR, "2019-10-08", "2019-10-10", "A"),  # on time
        ("3", BR, "2019-10-08", "2019-10-14", "A"),  # due 10-11; Sat 10-12 is worked: late by 2
        ("4", BR, "2019-10-08", "2019-10-16", "A"),  # late by 4
        ("5", BR, "2019-11-04", "2019-11-05", "A"),
        ("6", RE, "2019-12-30", None, "B"),  # open, its deadline in January: pending
    )
    rates = compliance_rates(frame, ["department", "kind", "month"])
    assert rates.select(
        "department",
        "month",
        "applications",
        "on_time",
        "late",
        "pending",
        "on_time_rate",
        "mean_working_days_late",
        "max_working_days_late",
    ).rows() == [
        ("A", "2019-10", 3, 1, 2, 0, 0.3333, 3.0, 4),
        ("A", "2019-11", 1, 1, 0, 0, 1.0, None, None),
        ("B", "2019-12", 1, 0, 0, 1, None, None, None),
    ]
    whole = compliance_rates(frame, [])
    assert whole.select("applications", "on_time", "late", "pending").row(0) == (5, 2, 2, 1)
    with pytest.raises(InputError, match="cannot group by county"):
        compliance_rates(frame, ["county"])


def test_duty_per_department_and_kind_is_met_not_met_or_undetermined(shape: LogShape) -> None:
    frame = checked(
        shape,
        ("1", BR, "2019-10-08", "2019-10-11", "A"),  # the 3rd working day: on time
        ("2", BR, "2019-10-08", "2019-10-14", "B"),  # late by 2
        ("3", BR, "2019-10-09", "2019-10-10", "B"),
        ("4", RE, "2019-12-30", None, "B"),  # pending at the quarter's end
    )
    results = {(r.subject, r.rule_id): r for r in obligation_results(shape, frame, Q4)}
    met = results["A", "m6.business_registration_3_days"]
    assert (met.status, met.required, met.achieved, met.shortfall) == (
        ObligationStatus.MET,
        Decimal(1),
        Decimal(1),
        Decimal(0),
    )
    short = results["B", "m6.business_registration_3_days"]
    assert (short.status, short.required, short.achieved, short.shortfall, short.unit) == (
        ObligationStatus.NOT_MET,
        Decimal(2),
        Decimal(1),
        Decimal(1),
        "count",
    )
    assert short.citation.measure == 6
    assert short.citation.quotes[0] in Engine().rulebook.source_text
    open_ = results["B", "m6.real_estate_registration_5_days"]
    assert (open_.status, open_.shortfall, open_.missing_facts) == (
        ObligationStatus.UNDETERMINED,
        None,
        ("completed_on",),
    )
    assert open_.period == Q4 and open_.subject_kind == "service_hall"


def test_duty_names_the_calendar_or_is_not_in_force_when_no_limit_applies(
    shape: LogShape,
) -> None:
    late_2026 = Period(date(2026, 12, 1), date(2026, 12, 31))
    frame = check_period(
        shape, parse_log(shape, log(("1", BR, "2026-12-30", None, "A"))).applications, late_2026
    )
    (result,) = obligation_results(shape, frame, late_2026)
    assert (result.status, result.missing_facts) == (
        ObligationStatus.UNDETERMINED,
        ("cn_working_day_calendar",),
    )
    before = Period(date(2018, 12, 1), date(2018, 12, 9))
    frame = check_period(
        shape,
        parse_log(shape, log(("1", BR, "2018-12-03", "2018-12-20", "A"))).applications,
        before,
    )
    (result,) = obligation_results(shape, frame, before)
    assert (result.status, result.required, result.shortfall) == (
        ObligationStatus.NOT_IN_FORCE,
        Decimal(0),
        None,
    )


def test_paused_working_days_are_read_for_budget_kinds_only(shape: LogShape) -> None:
    frame = log(
        ("1", "industrial_project_approval", "2019-09-02", "2019-12-20", "发改委"),
        ("2", "industrial_project_approval", "2019-09-02", "2019-12-20", "发改委"),
        ("3", BR, "2019-09-02", "2019-09-03", "A"),
        ("4", "industrial_project_approval", "2019-09-02", None, "发改委"),
    ).with_columns(pl.Series("paused_working_days", ["12", "-1", "2", None]))
    parsed = parse_log(shape, frame)
    assert parsed.applications.select("id", "paused_working_days").rows() == [
        ("1", 12),
        ("4", None),
    ]
    assert parsed.rejects.select("row", "reason").rows() == [
        (2, "paused_working_days '-1' is not a whole number from 0 to 100000"),
        (3, f"paused_working_days is given for {BR}, whose limit counts every working day"),
    ]


def test_a_bad_line_of_a_log_file_is_rejected_naming_it(shape: LogShape, tmp_path: Path) -> None:
    source = tmp_path / "log.csv"
    source.write_text(
        "id,kind,applied_on,completed_on,department\n"
        f"1,{BR},2019-10-08,2019-10-10,市场监管局\n"
        f"2,{BR},2019-10-08,2019-10-10,市场监管局,extra\n"
        f'3,{BR},2019-10-08,2019-10-10,市场"监管局\n',
        encoding="utf-8",
    )
    read = read_log(shape, source)
    assert read.applications["id"].to_list() == ["1"]
    assert read.rows_read == 3
    assert read.rejects.to_dicts() == [
        {"row": 2, "id": None, "reason": "line 3: 6 fields where the header has 5"},
        {
            "row": 3,
            "id": None,
            "reason": "line 4: an unpaired quote inside an unquoted field "
            "(quote the field, doubling its quotes)",
        },
    ]
