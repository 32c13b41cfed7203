"""People read titles and labels, not field names and enum values: the Markdown, the notebook
HTML and the terminal table in Chinese, from the rulebook's own words."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from subsidy_engine import Engine
from subsidy_engine.cli import main
from subsidy_engine.profile_files import read_profile
from subsidy_engine.results import Evaluation, Status
from subsidy_engine.wording import Wording

ROOT = Path(__file__).parents[1]
HUAIREN = ROOT / "examples" / "huairen-ceramics-large.yaml"
DAY = date(2019, 12, 31)


@pytest.fixture(scope="module")
def huairen(engine: Engine) -> Evaluation:
    return engine.evaluate(read_profile(HUAIREN, engine), DAY)


def test_chinese_markdown_has_chinese_scaffolding_and_labels(
    engine: Engine, huairen: Evaluation
) -> None:
    text = huairen.to_markdown("zh", engine.rulebook)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# 91140681MA0K4D7U2Y 政策匹配结果"
    assert "## 可申报的政策" in headings and "## 差一项条件即可申报" in headings
    assert "### 兑付或给予层级：市级+县级" in headings
    assert not any(
        re.search(r"[A-Za-z]{4,}", h.removeprefix("# 91140681MA0K4D7U2Y")) for h in headings
    )
    # a derived fact's value and a project's enum fields, by their labels and titles
    assert "企业规模（2011年划型标准）=大型" in text
    assert "industrial (项目类型=工业项目)" in text and "project.kind=" not in text
    assert "所在县（市、区）=怀仁市" in text
    assert "— 投资项目（第1项）岩板生产线项目**" in text  # an item by its list's title
    # amounts in 万元, the rule's title alone (no English beside it)
    assert "780万元" in text and "Ceramic" not in text
    # a reading's gloss and a rule's reading in Chinese
    assert "理解 `private_enterprise_reading=non_state`：统计意义上的民营" in text
    assert "适用的理解：“年销售收入达到5000万元以上”包含恰好5000万元" in text


def test_english_markdown_keeps_names_and_english_titles(
    engine: Engine, huairen: Evaluation
) -> None:
    text = huairen.to_markdown("en", engine.rulebook)
    assert "## What the enterprise qualifies for" in text
    assert "sme\\_size\\_class=large" in text  # no English label declared: the value itself
    assert "county=Huairen City" in text  # an English label where one is declared
    assert huairen.to_markdown().startswith("# Entitlements of 91140681MA0K4D7U2Y")


def test_chinese_html_reads_statuses_payers_and_missing_facts_in_chinese(
    engine: Engine,
) -> None:
    evaluation = engine.evaluate({"county": "应县", "employees": 40}, DAY)
    page = evaluation.to_html("zh", engine.rulebook)
    assert "<th>状态</th>" in page and "<th>政策依据</th>" in page
    assert "<td>需补充信息</td>" in page and "<td>eligible</td>" not in page
    assert "国民经济行业代码" in page  # a missing fact by its title
    english = evaluation._repr_html_()
    assert "<th>status</th>" in english and "industry_code" in english


def test_chinese_table_names_missing_facts_by_title(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("county: 应县\n", encoding="utf-8")
    code = main(["evaluate", str(profile), "--as-of", "2019-12-31", "--lang", "zh"])
    out = capsys.readouterr().out
    assert code == 0
    assert "需补充信息" in out and "统一社会信用代码" not in out
    assert "从业人员（人）" in out and "employees" not in out


def test_values_read_as_people_read_them(engine: Engine) -> None:
    zh = Wording.of(engine.rulebook, "zh")
    assert zh.value("taxes_paid", Decimal("26000000")) == "2600万元"
    assert zh.value("taxes_paid", Decimal("518.50")) == "518.50元"
    assert zh.value("ownership", "hk_macao_taiwan_invested") == "港澳台商投资企业"
    assert zh.value("award.level", "provincial") == "省级"  # a per-item rule's variable
    assert zh.value("above_scale_years", [2018, 2019]) == "2018、2019"
    assert zh.value("above_scale_years", []) == "无"
    assert zh.value("in_park", False) == "否" and zh.value("in_park", None) == "缺失"
    assert zh.title("projects[1].land_tenure") == "投资项目（第2项）土地供应方式"
    assert zh.title("is_small_low_profit") == "小型微利企业"  # a derived fact's title
    assert zh.title("ceramic_jobs_threshold") == "ceramic_jobs_threshold"  # a parameter
    en = Wording.of(engine.rulebook, "en")
    assert en.title("projects[1].land_tenure") == "projects[1].land_tenure"
    assert en.value("in_park", True) == "yes" and en.value("ownership", "mixed") == "mixed"


def test_an_unknown_language_is_refused_when_the_words_are_made(engine: Engine) -> None:
    with pytest.raises(ValueError, match="no language 'fr'"):
        Wording.of(engine.rulebook, "fr")


def test_every_status_reads_in_chinese_in_the_html(engine: Engine, huairen: Evaluation) -> None:
    page = huairen.to_html("zh", engine.rulebook)
    for status in {r.status for r in huairen.results}:
        assert f"<td>{Wording.plain('zh').gettext(str(status))}</td>" in page
    assert Status.ELIGIBLE in {r.status for r in huairen.results}
