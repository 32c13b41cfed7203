"""`subsidy-engine service-log` and `generate --kind applications`, through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

if TYPE_CHECKING:
    from conftest import Cli

HEADER = "id,kind,applied_on,completed_on,department\n"
ROWS = [
    "1,business_registration,2019-09-30,2019-10-10,市场监管局",  # the 3rd working day: on time
    "2,business_registration,2019-09-30,2019-10-11,市场监管局",  # the 4th: late by 1
    "3,passport,2019-10-08,,公安局",
    "4,real_estate_registration,2019-10-08,2019-10-01,不动产登记中心",
    "5,real_estate_registration,2019-12-30,,不动产登记中心",  # open, due in January
    "6,business_registration,2020-01-02,2020-01-03,市场监管局",  # outside the quarter
]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def _from_september(cli: Cli, log: Path, *options: str) -> tuple[int, str, str]:
    """`service-log` over September to December 2019."""
    return cli("service-log", str(log), "--from", "2019-09-01", "--until", "2019-12-31", *options)


def test_json_counts_every_row_and_states_each_duty(cli: Cli, log: Path) -> None:
    code, out, _ = _from_september(cli, log, "--format", "json")
    assert code == 0
    body = json.loads(out)
    assert (body["rows_read"], body["in_period"], body["outside_period"], body["rejected"]) == (
        6,
        3,
        1,
        2,
    )
    assert [(r["row"], r["reason"]) for r in body["rejects"]][1] == (
        4,
        "completed_on is before applied_on",
    )
    rates = {(r["department"], r["kind"], r["month"]): r for r in body["rates"]}
    market = rates["市场监管局", "business_registration", "2019-09"]
    assert (market["on_time"], market["late"], market["max_working_days_late"]) == (1, 1, 1)
    duties = {(d["subject"], d["rule_id"]): d for d in body["obligations"]}
    late = duties["市场监管局", "m6.business_registration_3_days"]
    assert (late["status"], late["shortfall"], late["unit"]) == ("not_met", "1", "count")
    assert late["citation"]["measure"] == 6
    pending = duties["不动产登记中心", "m6.real_estate_registration_5_days"]
    assert (pending["status"], pending["missing_facts"]) == ("undetermined", ["completed_on"])


def test_table_and_files_written_whole(cli: Cli, log: Path, tmp_path: Path) -> None:
    rates, rejects = tmp_path / "rates.parquet", tmp_path / "rejects.csv"
    checked = tmp_path / "checked.xlsx"
    code, out, _ = _from_september(
        cli,
        log,
        *("--by", "kind", "-o", str(rates)),
        *("--rejects", str(rejects), "--checked", str(checked)),
    )
    assert code == 0
    assert "rows read 6 = 3 in the period + 1 outside it + 2 rejected" in out
    assert "rejected row 3: unknown kind 'passport'" in out
    frame = pl.read_parquet(rates)
    assert frame["kind"].to_list() == ["business_registration", "real_estate_registration"]
    assert pl.read_csv(rejects)["row"].to_list() == [3, 4]
    rows = pl.read_excel(checked).select("row", "status", "working_days_late").rows()
    assert rows == [(1, "on_time", 0), (2, "late", 1), (5, "pending", None)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2019Q5"], "not a quarter"),
        (["--from", "2019-10-01"], "--from needs --until"),
        (["--quarter", "2019Q4", "--by", "county"], "cannot group by county"),
    ],
)
def test_bad_arguments_are_refused(cli: Cli, log: Path, args: list[str], message: str) -> None:
    code, _, err = cli("service-log", str(log), *args)
    assert code == 2
    assert message in err


def test_a_log_with_a_wrong_column_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("id,kind,applied,completed_on,department\n", encoding="utf-8")
    code, _, err = cli("service-log", str(path), "--quarter", "2019Q4")
    assert code == 2
    assert "missing column(s) applied_on" in err


def test_generated_log_is_checked_with_nothing_rejected(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "applications.parquet"
    code, out, _ = cli("generate", "2000", "--kind", "applications", "-o", str(target))
    assert (code, out.strip()) == (0, f"2,000 synthetic applications written to {target}")
    log = pl.read_parquet(target)
    assert log.columns == ["id", "kind", "applied_on", "completed_on", "department"]
    assert log["completed_on"].null_count() > 0
    code, out, _ = cli(
        "service-log",
        str(target),
        "--from",
        "2018-01-01",
        "--until",
        "2026-12-31",
        "--format",
        "json",
    )
    body = json.loads(out)
    assert (body["rows_read"], body["in_period"], body["rejected"]) == (2000, 2000, 0)
    total = {s: sum(r[s] for r in body["rates"]) for s in ("on_time", "late", "pending")}
    assert total["on_time"] > 10 * total["late"] > 0
