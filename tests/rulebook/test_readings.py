"""Named readings: a parameter chooses between readings of the text by name, a reform switches
it, and every result of a rule depending on it names the reading it used, in `evaluate`'s
results, their JSON, `score`'s `readings` column and the `rules` listing."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from subsidy_engine import Engine, RulebookError, Status, load_rulebook
from subsidy_engine.cli import main
from subsidy_engine.results import Evaluation

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
ENGINE = Engine()
DAY = date(2019, 12, 31)
COLLECTIVE = {"credit_code": "91140602MA0K000135", "ownership": "collective"}
TO_PRIVATE_ONLY = {
    "id": "private-only",
    "title": "民营 read as registered private only",
    "parameters": {"private_enterprise_reading": [{"value": "registered_private"}]},
}


def _mini_with_reading(tmp_path: Path, condition: str) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    parameters = root / "parameters.yaml"
    parameters.write_text(
        parameters.read_text("utf-8") + "  ceramics_reading:\n"
        "    description: Who is a ceramics maker\n"
        "    type: text\n"
        "    readings: {by_code: its industry code, by_sales: its sales}\n"
        "    values:\n"
        "      2019-01-01: {value: by_code}\n",
        "utf-8",
    )
    rules = root / "measures" / "m1.yaml"
    text = rules.read_text("utf-8").replace("ceramics: is_ceramics", f"ceramics: {condition}")
    rules.write_text(text, "utf-8")
    return root


def test_a_misspelt_reading_is_refused_when_the_rulebook_loads(tmp_path: Path) -> None:
    root = _mini_with_reading(tmp_path, "is_ceramics or ceramics_reading == 'by_sale'")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    assert "by_sale" in caught.value.render()
    assert {d.code for d in caught.value.diagnostics} == {"unknown-enum-value"}


def test_a_rule_names_the_readings_it_reads_directly(tmp_path: Path) -> None:
    root = _mini_with_reading(tmp_path, "is_ceramics if ceramics_reading == 'by_code' else true")
    engine = Engine(root)
    assert engine.rulebook.rule("m1.ceramics_award").readings == ("ceramics_reading",)
    assert engine.rulebook.rule("m1.booth_subsidy").readings == ()
    result = engine.evaluate({"industry_code": "C3071"}, DAY).result("m1.ceramics_award")
    (reading,) = result.readings
    assert (reading.parameter, reading.name, reading.gloss) == (
        "ceramics_reading",
        "by_code",
        "its industry code",
    )
    assert reading.alternatives == ("by_code", "by_sales")


def test_a_reading_read_through_a_derived_fact_is_named() -> None:
    rule = ENGINE.rulebook.rule("m6.business_registration_3_days")  # via is_private_enterprise
    assert rule.readings == ("private_enterprise_reading",)


def _bridge(evaluation: Evaluation) -> tuple[Status, list[str]]:
    result = evaluation.result("m2.no_initial_track_record_threshold")
    return result.status, [str(r) for r in result.readings]


def test_a_reform_switches_the_reading_and_the_results_say_so() -> None:
    profile = {**COLLECTIVE, "has_industry_qualification": True}
    assert _bridge(ENGINE.evaluate(profile, DAY)) == (
        Status.ELIGIBLE,
        ["private_enterprise_reading=non_state"],
    )
    assert _bridge(ENGINE.evaluate(profile, DAY, reform=TO_PRIVATE_ONLY)) == (
        Status.INELIGIBLE,
        ["private_enterprise_reading=registered_private"],
    )


def test_the_reading_is_in_the_json_and_survives_a_round_trip() -> None:
    evaluation = ENGINE.evaluate({**COLLECTIVE, "has_industry_qualification": True}, DAY)
    data = json.loads(evaluation.to_json())
    named = next(r for r in data["results"] if r["rule"]["id"].startswith("m2.no_initial"))
    assert named["rule"]["readings"][0]["name"] == "non_state"
    again = Evaluation.from_json(evaluation.to_json())
    assert again.result("m2.no_initial_track_record_threshold").readings[0].name == "non_state"


def test_score_names_the_reading_in_its_readings_column() -> None:
    table = pl.DataFrame([{**COLLECTIVE, "has_industry_qualification": True}])
    for reform, name in ((None, "non_state"), (TO_PRIVATE_ONLY, "registered_private")):
        scored = ENGINE.score(table, DAY, statuses="all", reform=reform)
        rows = scored.results.filter(pl.col("rule_id") == "m2.no_initial_track_record_threshold")
        assert rows["readings"].cast(pl.String).to_list() == [f"private_enterprise_reading={name}"]
        plain = scored.results.filter(pl.col("rule_id") == "m35.export_credit_insurance")
        assert plain["readings"].cast(pl.String).to_list() == [""]
    both = ENGINE.score(table, DAY, statuses="all").results.filter(
        pl.col("rule_id") == "m2.social_project_equal_treatment"
    )
    assert both["readings"].cast(pl.String).to_list() == [
        "m2_pilot=not_a_condition,private_enterprise_reading=non_state"
    ]


def test_rules_lists_each_rules_readings_and_alternatives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    (reading,) = rows["m36.above_scale_award_2y"]["readings"]
    assert reading["parameter"] == "m36_small_micro_moment"
    assert reading["in_use"] == "at_entry"
    assert set(reading["readings"]) == {"at_entry", "current"}
    assert main(["coverage"]) == 0
    assert "m36_small_micro_moment: at_entry* | current" in capsys.readouterr().out
