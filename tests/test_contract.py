"""The JSON contract: an evaluation's JSON (full or by reference, any statuses, with or without
traces) matches schemas/evaluation.schema.json with no undocumented key; every field of the
answer schemas is described; the profile's bounds are standard JSON Schema keywords."""

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from subsidy_engine import Engine, Status
from subsidy_engine.profile_files import read_profile

ROOT = Path(__file__).parents[1]
SCHEMAS = ROOT / "schemas"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
HUAIREN = ROOT / "examples" / "huairen-ceramics-large.yaml"
DAY = date(2019, 12, 31)


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to any other key."""
    if isinstance(schema, dict):
        out = {k: closed(v) for k, v in schema.items()}
        if "properties" in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [closed(v) for v in schema]
    return schema


OPTIONS = [
    {},
    {"citations": "ref"},
    {"citations": "ref", "traces": False, "statuses": ["eligible", "undetermined"]},
    {"traces": False, "statuses": ["excluded"]},
    {"citations": "id", "traces": False},
]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("options", OPTIONS, ids=json.dumps)
def test_every_shape_of_an_evaluation_matches_its_schema(
    engine: Engine, path: Path, options: dict[str, Any]
) -> None:
    evaluation = engine.evaluate(read_profile(path, engine), DAY)
    document = json.loads(evaluation.to_json(**options))
    jsonschema.validate(document, closed(_schema("evaluation.schema.json")))


def test_citations_by_reference_lose_nothing(engine: Engine) -> None:
    evaluation = engine.evaluate(read_profile(EXAMPLES[0], engine), DAY)
    full = json.loads(evaluation.to_json())
    ref = json.loads(evaluation.to_json(citations="ref"))
    assert len(ref["results"]) == len(full["results"]) == len(evaluation.results)
    for whole, short in zip(full["results"], ref["results"], strict=True):
        rule = copy.deepcopy(ref["rules"][short.pop("rule_id")])
        measure = ref["measures"][str(rule["citation"]["measure"])]
        rule["citation"].update(
            document=ref["document"]["title"],
            document_number=ref["document"]["number"],
            heading=measure["heading"],
            lead_departments=measure["lead_departments"],
        )
        assert {**short, "rule": rule} == whole


def test_citations_by_id_keep_every_result_and_name_its_rule(engine: Engine) -> None:
    evaluation = engine.evaluate(read_profile(EXAMPLES[0], engine), DAY)
    full = json.loads(evaluation.to_json())
    ids = json.loads(evaluation.to_json(citations="id"))
    assert not {"rules", "measures", "document"} & ids.keys()
    assert len(ids["results"]) == len(full["results"])
    for whole, short in zip(full["results"], ids["results"], strict=True):
        rule = whole.pop("rule")
        assert short.pop("rule_id") == rule["id"]
        assert short == whole


def test_citations_by_reference_are_smaller(engine: Engine) -> None:
    evaluation = engine.evaluate(read_profile(HUAIREN, engine), DAY)
    for statuses in (None, ["eligible"]):
        full = evaluation.to_json(traces=False, statuses=statuses)
        by_reference = evaluation.to_json(traces=False, statuses=statuses, citations="ref")
        by_id = evaluation.to_json(traces=False, statuses=statuses, citations="id")
        assert len(by_id) < len(by_reference) < len(full)


@pytest.mark.parametrize("status", list(Status))
def test_statuses_keep_exactly_those_results(engine: Engine, status: Status) -> None:
    evaluation = engine.evaluate(read_profile(HUAIREN, engine), DAY)
    kept = json.loads(evaluation.to_json(statuses=[status.value], traces=False))["results"]
    assert [r["rule"]["id"] for r in kept] == [r.rule_id for r in evaluation.with_status(status)]
    assert all("conditions" not in r for r in kept)


def test_an_unknown_status_is_refused_by_name(engine: Engine) -> None:
    from subsidy_engine import InputError

    evaluation = engine.evaluate({}, DAY)
    with pytest.raises(InputError, match="no status 'elligible'; known: eligible"):
        evaluation.to_json(statuses=["elligible"])


def _undescribed(schema: dict[str, Any]) -> list[str]:
    missing = []
    for name, definition in {"": schema, **schema.get("$defs", {})}.items():
        for field, prop in definition.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{name or 'root'}.{field}")
    return missing


@pytest.mark.parametrize(
    "name",
    [
        "evaluation.schema.json",
        "rule.schema.json",
        "error.schema.json",
        "shuozhou-2019.profile.schema.json",
    ],
)
def test_every_field_of_an_answer_schema_is_described(name: str) -> None:
    assert _undescribed(_schema(name)) == []


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_profile_bounds_are_standard_json_schema() -> None:
    schema = _schema("shuozhou-2019.profile.schema.json")
    assert not {"ge", "le", "gt", "lt", "decimal_places"} & _keys(schema)
    employees = schema["properties"]["employees"]["anyOf"][0]
    assert (employees["minimum"], employees["type"]) == (0, "integer")
    jsonschema.validate({"employees": 0, "operating_revenue": 10**15}, schema)
    for bad in ({"employees": -1}, {"operating_revenue": 10**15 + 1}, {"fly_ash_share": 1.01}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
