"""The JSON Schemas in schemas/ are generated from the models and must not drift from them;
rule files validate against them, as an editor would check them."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from subsidy_engine import Engine
from subsidy_engine.schemas import FILE_KINDS, drifted_schemas

ROOT = Path(__file__).parents[1]
SCHEMAS = ROOT / "schemas"
KIND_OF_FILE = {
    "rulebook.yaml": "manifest.schema.json",
    "profile.yaml": "profile-spec.schema.json",
    "parameters.yaml": "parameters.schema.json",
    "derived.yaml": "derived.schema.json",
    "synthetic.yaml": "synthetic.schema.json",
}


def test_schemas_match_the_models() -> None:
    drifted = drifted_schemas(Engine(), SCHEMAS)
    assert not drifted, f"regenerate with `subsidy-engine schema --out schemas`: {drifted}"


def _schema_for(path: Path) -> str:
    if path.name in KIND_OF_FILE:
        return KIND_OF_FILE[path.name]
    if path.parent.name == "reforms":
        return "reform.schema.json"
    if path.parent.name == "obligations":
        return "obligation-file.schema.json"
    if path.parent.name == "subjects":
        return "profile-spec.schema.json"
    return "rule-file.schema.json" if path.parent.name == "measures" else "cases.schema.json"


RULEBOOK_FILES = sorted(
    p
    for folder in (
        ROOT / "rules",
        ROOT / "tests" / "fixtures" / "mini",
        ROOT / "examples" / "reforms",
    )
    for p in folder.rglob("*.yaml")
)


@pytest.mark.parametrize("path", RULEBOOK_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rulebook_files_validate_against_their_schema(path: Path) -> None:
    schema = json.loads((SCHEMAS / _schema_for(path)).read_text(encoding="utf-8"))
    jsonschema.validate(_as_json(yaml.safe_load(path.read_text(encoding="utf-8"))), schema)


def _as_json(value: Any) -> Any:
    """YAML data as JSON sees it: dates (also as mapping keys) become ISO text."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_every_file_kind_has_a_schema() -> None:
    assert set(FILE_KINDS) <= {p.name for p in SCHEMAS.glob("*.json")}


def test_a_bad_rule_file_fails_its_schema() -> None:
    schema = json.loads((SCHEMAS / "rule-file.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="title_en"):
        jsonschema.validate(
            {
                "measure": 1,
                "lead_departments": [],
                "rules": [{"id": "m1.x", "title": "x", "quote": "x", "amount": {"unit": "cash"}}],
            },
            schema,
        )
