"""An obligation's figure that leaves the number domain (a division by a fact that is zero, a
product too large for 64-bit integers) leaves the obligation undetermined naming that fault,
as a rule's amount does, in every view of the report, over HTTP and in the YAML cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from subsidy_engine import Engine
from subsidy_engine.cases import run_cases
from subsidy_engine.cli import main
from subsidy_engine.service.app import create_app

if TYPE_CHECKING:
    from conftest import TmpFile

DUTIES = Path(__file__).parents[1] / "fixtures" / "duties"
QUOTE = "政务服务大厅办理营业执照平均用时不超过3个工作日。"
PER_CLERK, VOLUME = "m1.licences_per_clerk", "m1.licence_volume"
RATIO, CUBE = "licences / clerks", "licences * licences * licences"
BY_ZERO, OVERFLOW = f"division_by_zero: {RATIO}", f"overflow: {CUBE}"


def _obligation(id: str, achieved: str) -> str:
    return f"""  - id: {id}
    title: 每名工作人员办理量
    title_en: Licences per clerk
    subject: service_hall
    in_force: {{from: 2019-01-01}}
    quote: {QUOTE}
    direction: at_most
    unit: count
    required: licence_days_limit
    achieved: {achieved}
"""


def _case(name: str, facts: str, rule: str, faults: list[str]) -> str:
    return f"""  - name: {name}
    subject: service_hall
    as_of: 2020-03-31
    profile: {{name: 东区大厅, {facts}}}
    expect:
      {rule}: {{status: undetermined, missing: [], arithmetic: {json.dumps(faults)}}}
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The duties rulebook with two figures that can leave the number domain, and cases."""
    root = tmp_path_factory.mktemp("book") / "duties"
    shutil.copytree(DUTIES, root)
    with (root / "subjects" / "service_hall.yaml").open("a", encoding="utf-8") as facts:
        facts.write("  licences: {type: int, min: 0}\n  clerks: {type: int, min: 0}\n")
    with (root / "obligations" / "m1.yaml").open("a", encoding="utf-8") as obligations:
        obligations.write(_obligation(PER_CLERK, RATIO))
        obligations.write(_obligation(VOLUME, CUBE))
    with (root / "tests" / "cases.yaml").open("a", encoding="utf-8") as cases:
        cases.write(_case("no clerk", "licences: 5, clerks: 0", PER_CLERK, [BY_ZERO]))
        cases.write(_case("too many", "licences: 10000000, clerks: 1", VOLUME, [OVERFLOW]))
    return root


@pytest.fixture
def facts(tmp_file: TmpFile) -> Path:
    return tmp_file(
        "facts.yaml",
        "period: 2020Q1\nsubjects:\n"
        "  - {kind: service_hall, name: 东区, facts: {licences: 10000000, clerks: 0}}\n",
    )


def _by_id(results: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {result["rule_id"]: result for result in results}


def test_the_json_report_names_each_fault_and_no_fact(
    book: Path, facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["obligations", str(facts), "--rulebook", str(book), "--format", "json"]) == 0
    results = _by_id(json.loads(capsys.readouterr().out)["results"])
    for rule, fault in ((PER_CLERK, BY_ZERO), (VOLUME, OVERFLOW)):
        result = results[rule]
        assert (result["status"], result["achieved"], result["shortfall"]) == (
            "undetermined",
            None,
            None,
        )
        assert (result["arithmetic"], result["missing_facts"]) == ([fault], [])
        assert result["required"] == "3"
    assert results["m1.licence_days"]["arithmetic"] == []


@pytest.mark.parametrize(
    ("language", "by_zero", "overflow"),
    [
        ("zh", f"除数为零：{RATIO}", f"数值超出精确计算范围：{CUBE}"),
        ("en", f"division by zero: {RATIO}", f"too large to compute exactly: {CUBE}"),
    ],
)
def test_the_table_and_the_html_page_say_which_figure_left_the_domain(
    book: Path,
    facts: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    language: str,
    by_zero: str,
    overflow: str,
) -> None:
    page = tmp_path / "report.html"
    common = [str(facts), "--rulebook", str(book), "--lang", language]
    assert main(["obligations", *common]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert next(x for x in lines if PER_CLERK in x).endswith(by_zero)
    assert next(x for x in lines if VOLUME in x).endswith(overflow)
    assert main(["obligations", *common, "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    for text in (by_zero, overflow):
        assert f'<td class="num">{text.replace(">", "&gt;")}</td>' in html


def test_the_http_answer_names_the_fault(book: Path) -> None:
    client = TestClient(create_app(Engine(book)))
    body = {
        "period": "2020Q1",
        "subjects": [
            {"kind": "service_hall", "name": "东区", "facts": {"licences": 5, "clerks": 0}}
        ],
    }
    answer = client.post("/obligations", json=body)
    assert answer.status_code == 200, answer.text
    results = _by_id(answer.json()["results"])
    assert results[PER_CLERK]["arithmetic"] == [BY_ZERO]
    assert results[VOLUME]["arithmetic"] == []
    assert results[VOLUME]["status"] == "not_met"


def test_a_yaml_case_expects_the_fault_and_fails_on_another(book: Path, tmp_path: Path) -> None:
    assert [o.failures for o in run_cases(Engine(book), ("evaluate",)) if not o.passed] == []
    wrong = tmp_path / "duties"
    shutil.copytree(book, wrong)
    cases = wrong / "tests" / "cases.yaml"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace(f'["{BY_ZERO}"]', f'["{OVERFLOW}"]'),
        encoding="utf-8",
    )
    failed = [o.failures for o in run_cases(Engine(wrong), ("evaluate",)) if not o.passed]
    assert failed == [(f"{PER_CLERK}: arithmetic ['{BY_ZERO}'], expected ['{OVERFLOW}']",)]
