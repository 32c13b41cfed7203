"""The quarterly report with a service hall's application log: measure 6's deadline duties per
department and kind beside the facts' obligations, in every view, and the log's refused rows
counted and listed."""

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.cli import main
from subsidy_engine.obligations.views import report_json

EXAMPLE = Path(__file__).parents[2] / "examples" / "obligations" / "2020Q1.yaml"
RULE = "m6.business_registration_3_days"
CITY_HALL, COUNTY_HALL = "市行政审批局", "怀仁市行政审批局"


def small_log() -> pl.DataFrame:
    """Business registrations of 2020Q1 (3 working days allowed), one refused row and one of
    the quarter before. Mondays 03-02 and 03-09: the 3rd working day after is Thursday."""
    return pl.DataFrame(
        {
            "id": ["on-time", "late", "pending", "bad-kind", "last-year"],
            "kind": [*["business_registration"] * 3, "passport", "business_registration"],
            "applied_on": ["2020-03-02", "2020-03-09", "2020-03-30", "2020-03-02", "2019-12-30"],
            # 03-05 is the 3rd working day; 03-13 the 4th; 03-30's deadline is after 03-31
            "completed_on": ["2020-03-05", "2020-03-13", None, "2020-03-03", "2020-01-02"],
            "department": [CITY_HALL, CITY_HALL, COUNTY_HALL, CITY_HALL, CITY_HALL],
        }
    )


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "applications.parquet"
    small_log().write_parquet(path)
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["obligations", str(EXAMPLE), "--format", "json", *argv]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def figures(result: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("subject_kind", "subject", "status", "unit", "required", "achieved", "shortfall")
    return tuple(result[k] for k in keys)


def test_the_log_adds_measure_6_per_department_with_status_and_shortfall(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = run_json(capsys, "--log", str(log_file))
    measure_6 = [r for r in data["results"] if r["citation"]["measure"] == 6]
    assert [figures(r) for r in measure_6] == [
        ("service_hall", CITY_HALL, "not_met", "count", "2", "1", "1"),
        ("service_hall", COUNTY_HALL, "undetermined", "count", "1", "0", None),
    ]
    assert {r["rule_id"] for r in measure_6} == {RULE}
    assert measure_6[1]["missing_facts"] == ["completed_on"]
    assert "3个工作日内完成营业执照办理" in measure_6[0]["citation"]["quotes"][0]


def test_the_roll_up_counts_the_departments_and_sums_the_decided(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rollup = run_json(capsys, "--log", str(log_file))["rollup"]
    row = next(r for r in rollup if r["rule_id"] == RULE)
    counts = {k: row[k] for k in ("subjects", "met", "not_met", "undetermined", "not_in_force")}
    assert counts == {"subjects": 2, "met": 0, "not_met": 1, "undetermined": 1, "not_in_force": 0}
    # the undetermined department adds to no sum
    assert (row["required"], row["achieved"], row["shortfall"]) == ("2", "1", "1")


def test_rejected_rows_are_counted_and_listed(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = run_json(capsys, "--log", str(log_file))["log"]
    assert (log["source"], log["rows_read"], log["in_period"]) == (str(log_file), 5, 3)
    assert log["rows_rejected"] == len(log["rejected"]) == 1
    assert log["rejected"][0]["row"] == 4 and log["rejected"][0]["id"] == "bad-kind"
    assert log["rejected"][0]["reason"].startswith("unknown kind 'passport'")


def test_the_facts_only_report_is_unchanged_by_the_log(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = run_json(capsys)
    assert "log" not in alone
    both = run_json(capsys, "--log", str(log_file))
    assert both["results"][: len(alone["results"])] == alone["results"]
    assert both["rollup"][: len(alone["rollup"])] == alone["rollup"]
    assert [r["rule_id"] for r in both["rollup"][len(alone["rollup"]) :]] == [RULE]


def test_the_table_shows_the_log_rows_and_its_refusals(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["obligations", str(EXAMPLE), "--log", str(log_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"办件记录 {log_file}：读取 5 行，本期受理 3 件，退回 1 行"
    assert lines[2].startswith("  第 4 行（bad-kind）：unknown kind 'passport'")
    city = next(x for x in lines if x.startswith(CITY_HALL + " ") and RULE in x)
    assert city.split()[2:] == ["未达标", "2", "1", "1"]
    county = next(x for x in lines if x.startswith(COUNTY_HALL) and RULE in x)
    assert county.split()[2:] == ["需补充信息", "1", "0", "completed_on"]
    roll = [x for x in lines if x.startswith(RULE)]
    assert [x.split()[1:] for x in roll] == [["0", "1", "1", "0", "1"]]


def test_excel_and_html_carry_the_log(
    log_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx, html = tmp_path / "r.xlsx", tmp_path / "r.html"
    argv = ["obligations", str(EXAMPLE), "--log", str(log_file), "-o", str(xlsx), "-o", str(html)]
    assert main(argv) == 0
    capsys.readouterr()
    results = pl.read_excel(xlsx, sheet_name="results").filter(pl.col("rule_id") == RULE)
    assert results.select("subject", "status", "shortfall").rows() == [
        (CITY_HALL, "not_met", 1),
        (COUNTY_HALL, "undetermined", None),
    ]
    rollup = pl.read_excel(xlsx, sheet_name="rollup").filter(pl.col("rule_id") == RULE)
    assert rollup.select("subjects", "not_met", "undetermined").rows() == [(2, 1, 1)]
    rejects = pl.read_excel(xlsx, sheet_name="rejects")
    assert rejects.select("row", "id").rows() == [(4, "bad-kind")]
    clean = tmp_path / "clean.xlsx"
    clean_log = tmp_path / "clean.parquet"
    small_log().filter(pl.col("id") != "bad-kind").write_parquet(clean_log)
    assert main(["obligations", str(EXAMPLE), "--log", str(clean_log), "-o", str(clean)]) == 0
    capsys.readouterr()
    assert pl.read_excel(clean, sheet_name="rejects").columns == ["row", "id", "reason"]
    page = html.read_text(encoding="utf-8")
    assert "读取 5 行，本期受理 3 件，退回 1 行" in page
    assert f"{CITY_HALL} <small>政务服务窗口部门</small>" in page
    assert "办结日期" in page  # the pending application's missing fact, by its title


def test_the_python_api_takes_a_frame_and_subjects_as_data() -> None:
    subjects = [{"kind": "department", "name": "市财政局", "facts": {"implementation_reports": 1}}]
    report = Engine().obligations(subjects, "2020Q1", log=small_log())
    assert [(r.subject, r.status.value) for r in report.results] == [
        ("市财政局", "met"),
        (CITY_HALL, "not_met"),
        (COUNTY_HALL, "undetermined"),
    ]
    assert report.log is not None and report.log.source == "the log"
    assert report_json(report)["log"]["rows_rejected"] == 1
    assert [r.rule_id for r in report.rollup] == ["m48.quarterly_report", RULE]


def test_a_log_outside_the_quarter_reports_no_duty_but_its_rows() -> None:
    report = Engine().obligations([], "2019Q3", log=small_log())
    assert report.results == () and report.rollup == ()
    assert report.log is not None and (report.log.rows_read, report.log.in_period) == (5, 0)


def test_a_log_without_its_columns_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "applications.csv"
    log.write_text("id,kind,applied\n1,business_registration,2020-03-02\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["obligations", str(EXAMPLE), "--log", str(log), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{log}: missing column(s) applied_on, completed_on, department" in err
    assert not out.exists()


def test_a_log_goes_with_facts_not_with_floors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["obligations", "--floors", "1000万", "--log", "x.parquet"]) == 2
    assert "--log goes with a facts file" in capsys.readouterr().err


ENGINE = Engine()
KINDS = ("business_registration", "real_estate_registration", "passport")
Q1 = (date(2020, 1, 1), date(2020, 3, 31))
rows = st.lists(
    st.tuples(
        st.sampled_from(("甲局", "乙局", "丙局")),
        st.sampled_from(KINDS),
        st.integers(0, 150),  # applied: days after 2019-12-01
        st.none() | st.integers(0, 15),  # completed: days after applied, or open
    ),
    max_size=30,
)


@given(rows)
@settings(max_examples=30, deadline=None)
def test_every_row_is_counted_once_and_every_duty_counts_its_applications(
    given_rows: list[tuple[str, str, int, int | None]],
) -> None:
    start = date(2019, 12, 1)
    applied = [start + timedelta(days=day) for _, _, day, _ in given_rows]
    frame = pl.DataFrame(
        {
            "id": [str(i) for i in range(len(given_rows))],
            "kind": [kind for _, kind, _, _ in given_rows],
            "applied_on": [d.isoformat() for d in applied],
            "completed_on": [
                None if late is None else (d + timedelta(days=late)).isoformat()
                for d, (_, _, _, late) in zip(applied, given_rows, strict=True)
            ],
            "department": [department for department, _, _, _ in given_rows],
        },
        schema=dict.fromkeys(("id", "kind", "applied_on", "completed_on", "department"), pl.String),
    )
    report = ENGINE.obligations([], "2020Q1", log=frame)
    within = Counter(
        (department, kind)
        for (department, kind, _, _), d in zip(given_rows, applied, strict=True)
        if kind != "passport" and Q1[0] <= d <= Q1[1]
    )
    assert report.log is not None
    assert report.log.rows_read == len(given_rows)
    assert len(report.log.rejected) == sum(kind == "passport" for _, kind, _, _ in given_rows)
    assert report.log.in_period == sum(within.values())
    by_department_kind = {
        (r.subject, KINDS[0] if "business" in r.rule_id else KINDS[1]): r for r in report.results
    }
    assert set(by_department_kind) == set(within)
    for key, result in by_department_kind.items():
        assert result.required == within[key]
        assert result.achieved is not None and result.achieved <= within[key]
        assert (result.status.value == "not_met") == bool(result.shortfall)
    for row in report.rollup:
        mine = [r for r in report.results if r.rule_id == row.rule_id]
        assert row.subjects == len(mine)
        assert row.met + row.not_met + row.undetermined + row.not_in_force == len(mine)
