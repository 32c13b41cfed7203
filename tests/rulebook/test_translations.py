"""Each rule's reading is given in Chinese beside the English, and `lint` names a rule that
gives it in English only."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from subsidy_engine import Engine, load_rulebook
from subsidy_engine.rulebook.translations import untranslated

if TYPE_CHECKING:
    from conftest import Cli, EditFixture

FIXTURES = Path(__file__).parents[1] / "fixtures"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_shipped_rule_with_an_interpretation_has_it_in_chinese() -> None:
    rulebook = Engine().rulebook
    assert untranslated(rulebook) == []
    facts = [f for f in rulebook.derived.values() if f.interpretation]
    assert len(facts) >= 7 and all(HAN.search(f.interpretation_zh or "") for f in facts)
    for parameter in rulebook.parameters.values():
        glosses = parameter.spec.readings_zh or {}
        assert set(glosses) == set(parameter.spec.readings or {}), parameter.name
    read = [r for r in rulebook.rules if r.spec.interpretation]
    assert len(read) > 50
    for rule in read:
        chinese = rule.spec.interpretation_zh or ""
        assert len(HAN.findall(chinese)) > 5, rule.id


def test_a_rule_in_english_only_loads_and_lint_warns_at_its_line(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    rulebook = load_rulebook(root)
    assert untranslated(rulebook) == [
        f"{root}/measures/m1.yaml:29:21: warning: m1.rate_cut has an interpretation in English and "
        "none in Chinese (interpretation_zh)"
    ]
    code, out, _ = cli("lint", root)
    assert code == 0
    assert "m1.rate_cut has an interpretation in English" in out


def test_a_translated_rule_is_not_warned_of(edited_fixture: EditFixture) -> None:
    english = "    interpretation: The extension runs one year from the end of April 2019.\n"
    chinese = "    interpretation_zh: 自2019年4月底起延续一年。\n"
    root = edited_fixture("mini", "measures/m1.yaml", english, english + chinese)
    rulebook = load_rulebook(root)
    assert untranslated(rulebook) == []
    rule = rulebook.rule("m1.rate_cut")
    assert rule.spec.interpretation_zh == "自2019年4月底起延续一年。"


def test_a_derived_fact_in_english_only_is_warned_of(edited_fixture: EditFixture) -> None:
    anchor = "    description: A rough size class\n"
    english = "    interpretation: Staff alone decide.\n"
    root = edited_fixture("mini", "derived.yaml", anchor, anchor + english)
    warnings = untranslated(load_rulebook(root))
    assert warnings[-1] == (
        f"{root}/derived.yaml:7:21: warning: derived fact size has an interpretation in "
        "English and none in Chinese (interpretation_zh)"
    )


def test_a_reading_glossed_in_english_only_is_warned_of(edited_fixture: EditFixture) -> None:
    anchor = "  booth_subsidy:\n"
    reading = (
        "  ceramics_reading:\n    description: Who is a ceramics maker\n    type: text\n"
        "    readings: {by_code: its industry code, by_sales: its sales}\n"
        "    readings_zh: {by_code: 按行业代码}\n"
        "    values:\n      2019-01-01: {value: by_code}\n"
    )
    root = edited_fixture("mini", "parameters.yaml", anchor, reading + anchor)
    warnings = untranslated(load_rulebook(root))
    assert [w for w in warnings if "parameters.yaml" in w] == [
        f"{root}/parameters.yaml:16:54: warning: reading 'by_sales' of parameter "
        "ceramics_reading has a gloss in English and none in Chinese (readings_zh)"
    ]


def test_an_obligation_read_in_english_only_is_warned_of(edited_fixture: EditFixture) -> None:
    anchor = "    achieved: average_licence_days\n"
    english = "    interpretation: An average over the quarter.\n"
    root = edited_fixture("duties", "obligations/m1.yaml", anchor, anchor + english)
    assert untranslated(load_rulebook(root)) == [
        f"{root}/obligations/m1.yaml:14:21: warning: obligation m1.licence_days has an "
        "interpretation in English and none in Chinese (interpretation_zh)"
    ]
    chinese = "    interpretation_zh: 按季度平均计算。\n"
    edited_fixture("duties", "obligations/m1.yaml", anchor, anchor + english + chinese)
    assert untranslated(load_rulebook(root)) == []


def test_every_shipped_obligation_is_read_in_chinese_too() -> None:
    obligations = [o for o in Engine().rulebook.obligations if o.spec.interpretation]
    assert len(obligations) >= 6
    assert all(len(HAN.findall(o.spec.interpretation_zh or "")) > 5 for o in obligations)
