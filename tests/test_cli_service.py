"""The command line for other systems and people: a profile on stdin, JSON for gaps, what-if and
impact, errors as JSON under --format json, the field map, and printable notices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).parents[1]
HUAIREN = ROOT / "examples" / "huairen-ceramics-large.yaml"
ERROR_SCHEMA = json.loads((ROOT / "schemas" / "error.schema.json").read_text(encoding="utf-8"))


def _on_huairen(cli: Cli, command: str, *extra: str) -> str:
    """`command` on the Huairen profile as of 2019-12-31, which must succeed; its output."""
    code, out, _ = cli(command, str(HUAIREN), "--as-of", "2019-12-31", *extra)
    assert code == 0
    return out


def test_evaluate_reads_the_profile_from_stdin(cli: Cli) -> None:
    code, out, _ = cli(
        *("evaluate", "-", "--as-of", "2019-12-31", "--format", "json"),
        *("--statuses", "eligible", "--citations", "ref", "--no-traces"),
        stdin=HUAIREN.read_text(encoding="utf-8"),
    )
    assert code == 0
    document = json.loads(out)
    assert document["profile_key"] == "91140681MA0K4D7U2Y"
    assert {r["status"] for r in document["results"]} == {"eligible"}
    assert "m14.ceramic_tax_retention_award" in document["rules"]


def test_a_bad_profile_on_stdin_is_a_json_error_naming_the_line(cli: Cli) -> None:
    code, out, err = cli(
        *("evaluate", "-", "--format", "json"),
        stdin='{"employees": -3,\n "employes": 4}',
    )
    assert (code, out) == (1, "")
    error = json.loads(err)
    jsonschema.validate(error, ERROR_SCHEMA)
    assert (error["code"], error["field"], error["location"]) == (
        "bad-profile",
        "employees",
        "<stdin>:1:15",
    )
    assert error["problems"][1]["hint"] == "did you mean 'employees'?"


def test_a_missing_file_is_a_json_error_with_exit_2(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("gaps", str(tmp_path / "none.yaml"), "--format", "json")
    assert code == 2
    assert json.loads(err)["code"] == "bad-input"


def test_gaps_and_what_if_print_json(cli: Cli) -> None:
    out = _on_huairen(cli, "gaps", "--format", "json")
    gaps = json.loads(out)["gaps"]
    assert gaps and all({"rule_id", "changes", "reachable"} <= set(g) for g in gaps)
    code, out, _ = cli(
        *("what-if", "-", "--set", "employees=480", "--as-of", "2019-12-31", "--format", "json"),
        stdin=HUAIREN.read_text(encoding="utf-8"),
    )
    assert code == 0
    changes = {c["rule_id"]: c for c in json.loads(out)["changes"]}
    assert changes["m25.ceramic_loan_interest_subsidy"]["kind"] == "lost"


def test_impact_prints_json(cli: Cli, tmp_path: Path) -> None:
    registry = tmp_path / "registry.parquet"
    assert cli("generate", "200", "-o", str(registry), "--seed", "3")[0] == 0
    code, out, _ = cli(
        *("impact", str(registry), "--as-of", "2019-12-31", "--format", "json"),
    )
    assert code == 0
    rows = json.loads(out)
    assert rows and all(isinstance(row["measure"], int) for row in rows)


def test_fields_of_one_rule_and_an_unknown_rule(cli: Cli) -> None:
    code, out, _ = cli("fields", "--rule", "m36.above_scale_award_2y", "--format", "json")
    assert code == 0
    fields = {row["field"]: row["rules"][0]["via"] for row in json.loads(out)}
    assert fields["operating_revenue"] == ["is_small_or_micro"]
    assert fields["above_scale_years"] == []
    code, _, err = cli("fields", "--rule", "m36.nothing")
    assert code == 2 and "no rule 'm36.nothing'" in err


def test_report_writes_one_notice(cli: Cli, tmp_path: Path) -> None:
    output = tmp_path / "notice.html"
    _on_huairen(cli, "report", "-o", str(output))
    page = output.read_text(encoding="utf-8")
    assert "怀仁市华晟建筑陶瓷有限公司" in page and "91140681MA0K4D7U2Y" in page
    assert not list(tmp_path.glob(".*partial"))


def test_report_for_a_registry_writes_one_notice_per_enterprise_and_names_refused_rows(
    cli: Cli, tmp_path: Path
) -> None:
    registry = tmp_path / "registry.jsonl"
    rows = [
        {"credit_code": "91140681MA0K4D7U2Y", "name": "甲", "employees": 30},
        {"credit_code": "91140603MA0KB8R17W", "employees": -1},
        {"name": "丙", "employees": 5},
    ]
    registry.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    folder = tmp_path / "notices"
    code, out, err = cli(
        *("report", str(registry), "--as-of", "2019-12-31", "-o", str(folder)),
    )
    assert code == 1
    assert sorted(p.name for p in folder.iterdir()) == ["91140681MA0K4D7U2Y.html", "row-3.html"]
    assert "row 2: refused: employees:" in err
    assert "2 notices written" in out and "1 rows refused" in out


def test_report_prints_a_pdf(cli: Cli, tmp_path: Path) -> None:
    output = tmp_path / "notice.pdf"
    _on_huairen(cli, "report", "-o", str(output))
    assert output.read_bytes().startswith(b"%PDF-")


def test_the_table_in_chinese(cli: Cli) -> None:
    out = _on_huairen(cli, "evaluate", "--lang", "zh")
    for words in ("状态", "兑付层级", "可申报", "780万元", "市级+县级：780万元，共1项"):
        assert words in out
    assert "eligible" not in out and "¥" not in out


def test_report_refuses_a_registry_with_columns_it_does_not_know(cli: Cli, tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text("credit_code,从业人员\n91140681MA0K4D7U2Y,30\n", encoding="utf-8")
    code, _, err = cli("report", str(registry), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "columns that are not profile fields: 从业人员" in err
    assert not (tmp_path / "out").exists()
