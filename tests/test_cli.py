"""The command line: each command's output, and one clear message with a non-zero exit on bad
input, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli, TmpFile

MINI = Path(__file__).parent / "fixtures" / "mini"
PROFILE = """\
credit_code: 91350100M000100Y43
industry_code: C3071
annual_sales: 6000万
seriously_dishonest: false
exhibitions:
  - {name: 广交会, booths: 2}
"""


@pytest.fixture
def profile(tmp_file: TmpFile) -> Path:
    return tmp_file("profile.yaml", PROFILE)


def _on_mini(cli: Cli, *args: str) -> tuple[int, str, str]:
    """A command over the mini rulebook as of 1 June 2019."""
    return cli(*args, "--as-of", "2019-06-01", "--rulebook", str(MINI))


def test_evaluate_json(cli: Cli, profile: Path) -> None:
    code, out, _ = _on_mini(cli, "evaluate", str(profile), "--format", "json")
    assert code == 0
    data = json.loads(out)
    statuses = {r["rule"]["id"]: r["status"] for r in data["results"]}
    assert statuses["m1.ceramics_award"] == "eligible"
    assert data["provenance"]["as_of"] == "2019-06-01"


def test_evaluate_table_and_markdown(cli: Cli, profile: Path) -> None:
    code, out, _ = _on_mini(cli, "evaluate", str(profile))
    assert code == 0
    assert "陶瓷企业奖励" in out and "¥500,000.00" in out
    code, out, _ = _on_mini(cli, "evaluate", str(profile), "--format", "markdown")
    assert code == 0
    assert "## What the enterprise qualifies for" in out
    assert "> 对年销售收入达到5000万元以上的陶瓷企业,给予50万元奖励" in out
    assert "市财政局" in out


def test_bad_profile_names_file_line_and_field(cli: Cli, tmp_file: TmpFile) -> None:
    path = tmp_file("bad.yaml", "annual_sales: 6000万\nemployees: -3\n")
    code, _, err = cli("evaluate", str(path), "--rulebook", str(MINI))
    assert code == 1
    assert f"{path}:2:12: [bad-profile]" in err
    assert "employees" in err and "Traceback" not in err


def test_missing_file_and_bad_date(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("evaluate", str(tmp_path / "nope.yaml"), "--rulebook", str(MINI))
    assert code == 2 and "no profile file" in err
    code, _, _ = cli("evaluate", "x.yaml", "--as-of", "31/12/2019")
    assert code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "x.yaml"],
        ["gaps", "x.yaml"],
        ["what-if", "x.yaml"],
        ["impact", "r.csv"],
        ["score", "r.csv"],
        ["report", "x.yaml"],
        ["changes", "r.csv", "--previous", "p.csv"],
        ["obligations", "--floors", "1000万"],
    ],
)
def test_every_as_of_refuses_a_bad_date_in_the_same_words(cli: Cli, command: list[str]) -> None:
    code, _, err = cli(*command, "--as-of", "2019-13-01")
    assert code == 2
    assert "'2019-13-01' is not a date YYYY-MM-DD" in err


def test_lint(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("lint", str(MINI))
    assert code == 0 and "mini: ok" in out
    broken = tmp_path / "mini"
    shutil.copytree(MINI, broken)
    rules = broken / "measures" / "m1.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("annual_sales >=", "annual >="), encoding="utf-8"
    )
    code, _, err = cli("lint", str(broken))
    assert code == 1
    assert "m1.yaml:10:14: [unknown-name] m1.ceramics_award: unknown name 'annual'" in err


def test_rules_coverage_and_schema(cli: Cli) -> None:
    code, out, _ = cli("rules", "--rulebook", str(MINI), "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert {
        "id": "m1.booth_subsidy",
        "amount": "exhibition.booths * booth_subsidy",
    }.items() <= next(r for r in rows if r["id"] == "m1.booth_subsidy").items()
    code, out, _ = cli("coverage", "--rulebook", str(MINI))
    assert code == 0 and "government only" in out
    code, out, _ = cli("schema", "rule-file", "--rulebook", str(MINI))
    assert code == 0 and json.loads(out)["title"] == "RuleFile"


def test_test_command_reports_failures(cli: Cli, tmp_path: Path) -> None:
    book = tmp_path / "mini"
    shutil.copytree(MINI, book)
    (book / "tests").mkdir(exist_ok=True)
    (book / "tests" / "cases.yaml").write_text(
        "cases:\n"
        "  - name: exactly at the bound\n"
        "    as_of: 2019-06-01\n"
        "    profile: {industry_code: C3071, annual_sales: 5000万, seriously_dishonest: false}\n"
        "    expect:\n"
        "      m1.ceramics_award: {status: eligible, amount: 50万}\n"
        "  - name: a wrong expectation\n"
        "    as_of: 2019-06-01\n"
        "    profile: {industry_code: C3071, annual_sales: 4000万}\n"
        "    expect: {m1.ceramics_award: eligible}\n",
        encoding="utf-8",
    )
    code, out, _ = cli("test", "--rulebook", str(book))
    assert code == 1
    assert "1 of 2 cases pass" in out
    assert "m1.ceramics_award: status ineligible, expected eligible" in out


def test_impact_of_a_reform_over_a_registry(cli: Cli, tmp_path: Path, tmp_file: TmpFile) -> None:
    import polars as pl

    registry = tmp_path / "registry.parquet"
    pl.DataFrame(
        [
            {
                "industry_code": "C3071",
                "annual_sales": 45_000_000,
                "county": "东区",
                "seriously_dishonest": False,
            },
            {
                "industry_code": "C3071",
                "annual_sales": 60_000_000,
                "county": "西区",
                "seriously_dishonest": False,
            },
        ]
    ).write_parquet(registry)
    reform = tmp_file(
        "reform.yaml",
        "id: lower\ntitle: Lower bar\nparameters:\n  sales_threshold:\n    - {value: 4000万}\n",
    )
    chart = tmp_path / "chart.png"
    code, out, _ = _on_mini(
        cli,
        "impact",
        str(registry),
        "--reform",
        str(reform),
        "--by",
        "county",
        "--chart",
        str(chart),
    )
    assert code == 0
    assert "东区" in out and "500000.00" in out and "2 enterprises scored" in out
    assert chart.stat().st_size > 0
    code, _, err = cli("impact", str(tmp_path / "x.txt"), "--rulebook", str(MINI))
    assert code == 2 and ".parquet, .csv, .jsonl or .xlsx" in err


def test_python_dash_m_runs_the_same_command_line(profile: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "subsidy_engine",
            "evaluate",
            str(profile),
            "--rulebook",
            str(MINI),
            "--as-of",
            "2019-12-31",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"]
    refused = subprocess.run(
        [sys.executable, "-m", "subsidy_engine", "evaluate", "no-such.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "no-such.yaml" in refused.stderr and "Traceback" not in refused.stderr
