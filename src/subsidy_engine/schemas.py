"""JSON Schemas generated from the models: rule files (for editors), profiles, results.

`schemas/` in the repository holds their output; a test fails when the two drift apart.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from subsidy_engine.analysis.reform import Reform
from subsidy_engine.atomic import Outputs
from subsidy_engine.batch.mapping import ColumnMapping
from subsidy_engine.engine import Engine
from subsidy_engine.errors import InputError
from subsidy_engine.rulebook import models
from subsidy_engine.service.models import contract_schemas
from subsidy_engine.synthetic.config import SyntheticConfig

FILE_KINDS: dict[str, type[BaseModel]] = {
    "manifest.schema.json": models.Manifest,
    "profile-spec.schema.json": models.ProfileSpec,
    "parameters.schema.json": models.ParametersFile,
    "derived.schema.json": models.DerivedFile,
    "rule-file.schema.json": models.RuleFile,
    "cases.schema.json": models.CasesFile,
    "reform.schema.json": Reform,
    "column-mapping.schema.json": ColumnMapping,
    "synthetic.schema.json": SyntheticConfig,
    "obligation-file.schema.json": models.ObligationFile,
}


def all_schemas(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every schema by file name: the rulebook file kinds, the evaluation, the engine's profile."""
    out = {name: model.model_json_schema(by_alias=True) for name, model in FILE_KINDS.items()}
    out.update(contract_schemas())
    profile = engine.profile_model.model_json_schema()
    out[f"{engine.rulebook.id}.profile.schema.json"] = profile
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True, default=_number) + "\n"


def _number(value: object) -> int | float:
    """Bounds such as `minimum` come from Decimal field constraints; JSON wants numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{value!r} has no JSON form")


def write_schemas(engine: Engine, folder: Path) -> list[Path]:
    """Write every schema into `folder`, all of them or (on a failure) none."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is not a folder")
    written = []
    with Outputs() as outputs:
        for name, schema in all_schemas(engine).items():
            path = folder / name
            outputs.add(path).write_text(render(schema), encoding="utf-8")
            written.append(path)
    return written


def drifted_schemas(engine: Engine, folder: Path) -> list[str]:
    """Names of schema files missing from `folder` or different from the models."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    out = []
    for name, schema in all_schemas(engine).items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != render(schema):
            out.append(name)
    return out
