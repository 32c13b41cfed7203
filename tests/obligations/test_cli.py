"""`subsidy-engine obligations`: the report in every form, the floors, and refusals naming
file, line and field."""

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_engine.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "obligations" / "2020Q1.yaml"


def test_the_table_names_every_subject_and_the_city_roll_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["obligations", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("政策落实情况报告（2020Q1）")
    assert "全市汇总" in out
    line = next(x for x in out.splitlines() if x.startswith("市教育局") and "sme_reserve" in x)
    assert line.split()[2:] == ["未达标", "300万元", "250万元", "50万元"]


def test_json_has_the_period_results_and_roll_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["obligations", str(EXAMPLE), "--format", "json", "--quarter", "2020Q2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"period", "provenance", "results", "rollup"}
    assert data["period"] == {"label": "2020Q2", "start": "2020-04-01", "end": "2020-06-30"}
    first = data["results"][0]
    assert {k: first[k] for k in ("rule_id", "subject", "status", "required", "shortfall")} == {
        "rule_id": "m37.sme_reserve",
        "subject": "市教育局",
        "status": "not_met",
        "required": "3000000.00",
        "shortfall": "500000.00",
    }
    assert first["citation"]["measure"] == 37
    assert data["provenance"]["rulebook_id"] == "shuozhou-2019"
    undetermined = [r for r in data["results"] if r["status"] == "undetermined"]
    assert undetermined and all(r["missing_facts"] for r in undetermined)


def test_excel_html_and_json_files_are_written_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx, html, js = tmp_path / "r.xlsx", tmp_path / "r.html", tmp_path / "r.json"
    args = ["obligations", str(EXAMPLE), "-o", str(xlsx), "-o", str(html), "-o", str(js)]
    assert main(args) == 0
    capsys.readouterr()
    results = pl.read_excel(xlsx, sheet_name="results")
    rollup = pl.read_excel(xlsx, sheet_name="rollup")
    assert results.height == len(json.loads(js.read_text(encoding="utf-8"))["results"])
    row = results.filter(pl.col("subject") == "市教育局").row(0, named=True)
    assert (row["rule_id"], row["status"], row["shortfall"]) == (
        "m37.sme_reserve",
        "not_met",
        500000,
    )
    assert "m48.quarterly_report" in rollup["rule_id"].to_list()
    page = html.read_text(encoding="utf-8")
    for heading in ("政策落实情况报告（2020Q1）", "全市汇总", "各责任主体落实情况", "政策依据"):
        assert heading in page
    assert "未达标" in page and "已达标" in page and "需补充信息" in page
    assert "预留面向中小微企业采购的预算（元）" in page  # 市交通局's missing fact, by its title
    assert "市教育局 <small>政府采购单位（各级各部门）</small>" in page
    assert "应预留年度政府采购项目预算总额的30%以上,专门面向中小微企业采购" in page
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_a_bad_fact_is_refused_with_its_line_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "period: 2020Q1\nsubjects:\n"
        "  - kind: procuring_body\n    name: 市教育局\n"
        "    facts: {procurement_budget: lots}\n"
        "  - kind: hall\n    name: x\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.xlsx"
    assert main(["obligations", str(facts), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{facts}:5:" in err and "市教育局 (procuring_body)" in err
    assert "procurement_budget" in err
    assert f"{facts}:6:" in err and "unknown subject kind 'hall'" in err
    assert not out.exists()


def test_a_facts_file_without_a_period_needs_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("subjects: []\n", encoding="utf-8")
    assert main(["obligations", str(facts)]) == 2
    assert "no period" in capsys.readouterr().err


def test_the_floors_of_a_budget(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["obligations", "--floors", "1000万", "--as-of", "2020-03-31", "--format", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["budget"] == "10000000"
    assert [(f["rule_id"], f["required"]) for f in data["floors"]] == [
        ("m37.sme_reserve", "3000000.00"),
        ("m37.small_micro_reserve", "1800000.00"),
    ]
    assert [r["name"] for r in data["floors"][1]["readings"]] == ["required_reserve"]
    assert data["floors"][0]["citation"]["quotes"] == [
        "应预留年度政府采购项目预算总额的30%以上,专门面向中小微企业采购"
    ]
    assert main(["obligations", "--floors", "1000万", "--as-of", "2020-03-31"]) == 0
    text = capsys.readouterr().out
    assert "应达到 300万元" in text and "应达到 180万元" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["obligations"],
        ["obligations", "--floors", "很多"],
        ["obligations", str(EXAMPLE), "--floors", "1000万"],
        ["obligations", str(EXAMPLE), "-o", "report.pdf"],
        ["obligations", str(EXAMPLE), "--quarter", "2020Q5"],
    ],
)
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("subsidy-engine: ")


def test_a_subject_listed_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.yaml"
    entry = "  - kind: department\n    name: 市财政局\n    facts: {implementation_reports: 1}\n"
    facts.write_text("period: 2020Q1\nsubjects:\n" + entry + entry, encoding="utf-8")
    assert main(["obligations", str(facts)]) == 1
    err = capsys.readouterr().err
    assert f"{facts}:7:" in err and "市财政局 (department) is listed twice" in err


FRAGMENTS = [
    "period: 2020Q1\n", "period: 2020Q9\n", "period: 2020\n", "period: [1]\n", "subjects:\n",
    "subjects: x\n", "  - kind: procuring_body\n", "  - kind: city\n", "  - kind: nope\n",
    "    name: 市教育局\n", "    name: 7\n", "    facts: {procurement_budget: 1000万}\n",
    "    facts: {sme_reserved: " + "9" * 60 + "}\n", "    facts: {sme_reserved: -1}\n",
    "    facts: {small_to_above_size_firms: 1e400}\n", "    facts: [1]\n", "    extra: 1\n",
    "[", "a: 1\na: 2\n", "\x00", "&a [*a]\n",
]  # fmt: skip


@settings(max_examples=25, deadline=None)  # each run loads the rulebook
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=8))
def test_any_facts_file_is_answered_or_refused_never_a_bug(parts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        facts = Path(folder) / "facts.yaml"
        facts.write_text("".join(parts), encoding="utf-8")
        out = Path(folder) / "r.xlsx"
        code = main(["obligations", str(facts), "-o", str(out)])
        assert code in (0, 1, 2)
        assert out.exists() == (code == 0)
        assert not [p for p in Path(folder).iterdir() if ".partial-" in p.name]


def test_a_year_as_the_files_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "period: 2019\nsubjects:\n  - kind: city\n    name: 朔州市\n"
        "    facts: {small_to_above_size_firms: 20}\n",
        encoding="utf-8",
    )
    assert main(["obligations", str(facts), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == {"label": "2019", "start": "2019-01-01", "end": "2019-12-31"}
    assert data["results"][1]["status"] == "met"
