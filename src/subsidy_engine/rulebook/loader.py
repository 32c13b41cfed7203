"""Rulebook folder -> `Rulebook`, or a `RulebookError` listing every problem found.

Loading runs in stages, each adding problems to one list so that a single run shows them all:
read every YAML file safely (syntax errors with file:line:column); validate each against its
pydantic model (schema errors with file, line, rule id and field); then check (see
`rulebook.check`): names, types, cycles, quotes. A rulebook that loads is one that can run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from subsidy_engine.errors import Diagnostic, InputError, RulebookError
from subsidy_engine.limits import read_file
from subsidy_engine.rulebook import models
from subsidy_engine.rulebook.check import check_rulebook
from subsidy_engine.rulebook.folder import inside, outside
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.sources import RuleFileSource, Sources, measure_label, with_measures
from subsidy_engine.rulebook.yaml_source import YamlDocument, load_yaml

MANIFEST = "rulebook.yaml"
PROFILE = "profile.yaml"
PARAMETERS = "parameters.yaml"
DERIVED = "derived.yaml"
MEASURES_DIR = "measures"
OBLIGATIONS_DIR = "obligations"
TESTS_DIR = "tests"

M = TypeVar("M", bound=BaseModel)


def load_cases(path: str | Path) -> dict[str, models.CasesFile]:
    """The YAML test cases of the rulebook in `path` (read only when tests run: they are not
    part of what the rules mean, nor of the rulebook's content hash)."""
    root = Path(path)
    problems: list[Diagnostic] = []
    reader = _Reader(root, problems)
    cases = {
        rel: cases_file
        for rel in reader.listing(TESTS_DIR)
        if (cases_file := reader.model(rel, models.CasesFile)) is not None
    }
    if problems:
        raise RulebookError(problems)
    return cases


def load_rulebook(path: str | Path) -> Rulebook:
    """Load, validate and type-check the rulebook in folder `path`."""
    root = Path(path)
    if not (root / MANIFEST).is_file():
        raise InputError(f"{root} is not a rulebook: it has no {MANIFEST}")
    problems: list[Diagnostic] = []
    reader = _Reader(root, problems)
    manifest = reader.model(MANIFEST, models.Manifest)
    profile = reader.model(PROFILE, models.ProfileSpec)
    parameters = reader.model(PARAMETERS, models.ParametersFile, optional=True)
    derived = reader.model(DERIVED, models.DerivedFile, optional=True)
    rule_files = {
        rel: RuleFileSource(model, rel)
        for rel in reader.listing(MEASURES_DIR)
        if (model := reader.model(rel, models.RuleFile)) is not None
    }
    subjects = {
        kind: facts
        for kind, spec in (manifest.subjects if manifest else {}).items()
        if (facts := reader.model(spec.facts, models.ProfileSpec)) is not None
    }
    obligation_files = {
        rel: obligation_file
        for rel in reader.listing(OBLIGATIONS_DIR)
        if (obligation_file := reader.model(rel, models.ObligationFile)) is not None
    }
    source_text = reader.source(manifest.source) if manifest else None
    if problems or manifest is None or profile is None or source_text is None:
        problems = with_measures(problems, _raw_measures(reader.documents, manifest))
        raise RulebookError(problems or [Diagnostic("missing-file", "rulebook incomplete")])
    sources = Sources(
        root=root,
        documents=reader.documents,
        manifest=manifest,
        profile=profile,
        parameters=parameters,
        derived=derived,
        rule_files=rule_files,
        source_text=source_text,
        sha256=reader.digest(),
        subjects=subjects,
        obligation_files=obligation_files,
    )
    return check_rulebook(sources)


def _raw_measures(
    documents: Mapping[str, YamlDocument], manifest: models.Manifest | None
) -> dict[str, str]:
    """Rule id -> measure label, read from the rule files as written (one that did not
    validate has no model, but its diagnostics still name their measure)."""
    labels: dict[str, str] = {}
    for rel, document in documents.items():
        data = document.data
        if not rel.startswith(f"{MEASURES_DIR}/") or not isinstance(data, dict):
            continue
        number = data.get("measure")
        rules = data.get("rules")
        if not isinstance(number, int) or not isinstance(rules, list):
            continue
        for rule in rules:
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                labels.setdefault(rule["id"], measure_label(number, manifest))
    return labels


class _Reader:
    """Reads the files of one rulebook, recording problems rather than stopping at the first."""

    def __init__(self, root: Path, problems: list[Diagnostic]) -> None:
        self.root = root
        self.problems = problems
        self.documents: dict[str, YamlDocument] = {}
        self.hashed: dict[str, bytes] = {}

    def listing(self, folder: str) -> list[str]:
        base = self.root / folder
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.suffix in (".yaml", ".yml") and p.is_file()
        )

    def model(self, rel: str, model: type[M], *, optional: bool = False) -> M | None:
        path = inside(self.root, rel)
        if path is None:
            self.problems.append(outside(rel))
            return None
        if not path.is_file():
            if not optional:
                self.problems.append(
                    Diagnostic("missing-file", f"the rulebook needs {rel}", yaml_path=None)
                )
            return None
        try:
            self.hashed[rel] = read_file(path)
            document = load_yaml(path)
        except InputError as error:
            self.problems.append(Diagnostic("unreadable-file", str(error)))
            return None
        except RulebookError as error:
            self.problems.extend(error.diagnostics)
            return None
        self.documents[rel] = document
        try:
            return model.model_validate(document.data if document.data is not None else {})
        except ValidationError as error:
            self.problems.extend(schema_diagnostics(document, error))
            return None

    def source(self, rel: str) -> str | None:
        path = inside(self.root, rel)
        if path is None:
            self.problems.append(outside(rel, MANIFEST))
            return None
        if not path.exists():
            self.problems.append(
                Diagnostic("missing-file", f"the source text {rel} named in {MANIFEST} is missing")
            )
            return None
        try:
            raw = read_file(path)
        except InputError as error:
            self.problems.append(Diagnostic("unreadable-file", str(error)))
            return None
        self.hashed[rel] = raw
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.problems.append(Diagnostic("encoding", f"{rel} is not UTF-8 (byte {error.start})"))
            return None

    def digest(self) -> str:
        """sha256 over every file read, in name order, each framed by its name and size."""
        digest = hashlib.sha256()
        for rel in sorted(self.hashed):
            raw = self.hashed[rel]
            digest.update(f"{rel}\0{len(raw)}\0".encode())
            digest.update(raw)
        return digest.hexdigest()


def schema_diagnostics(document: YamlDocument, error: ValidationError) -> list[Diagnostic]:
    """One diagnostic per pydantic error, placed at the offending value in the YAML file."""
    out = []
    # an empty (or comments-only) file is validated as an empty mapping
    data = document.data if document.data is not None else {}
    for item in error.errors(include_url=False):
        loc = _yaml_loc(item["loc"], data)
        rule_id = _rule_id_at(data, loc)
        message = str(item["msg"]).removeprefix("Value error, ")
        name = loc[-1] if loc else (item["loc"][-1] if item["loc"] else "?")
        if item["type"] == "missing":
            message = f"required field '{name}' is missing"
            loc = loc[:-1]
        elif item["type"] == "extra_forbidden":
            message = f"unknown field '{name}'"
        at_key = item["type"] == "extra_forbidden"
        out.append(document.diagnostic("schema", message, loc, rule_id=rule_id, at_key=at_key))
    return out


def _yaml_loc(loc: Sequence[int | str], data: Any) -> list[Any]:
    """Pydantic's error location as a path into the YAML data.

    Pydantic inserts the names of union members it tried (`ScalarFieldSpec`, `str`); they are
    skipped. A key absent from the data (a missing field) ends the path.
    """
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
            continue
        if not isinstance(node, dict):
            break
        key = next((k for k in node if k == part or str(k) == str(part)), None)
        if key is not None:
            out.append(key)
            node = node[key]
        elif isinstance(part, str) and part.isidentifier() and part.islower():
            out.append(part)
            break
    return out


def _rule_id_at(data: Any, loc: Sequence[int | str]) -> str | None:
    if isinstance(data, dict) and len(loc) >= 2 and loc[0] == "rules":
        rules = data.get("rules")
        index = loc[1]
        if isinstance(rules, list) and isinstance(index, int) and index < len(rules):
            rule = rules[index]
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                return str(rule["id"])
    return None
