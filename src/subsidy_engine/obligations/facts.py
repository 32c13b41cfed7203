"""A facts file: the subjects of one report and their facts, read safely and checked.

    period: 2020Q1                 # optional; the command line's --quarter wins
    subjects:
      - kind: procuring_body       # a subject kind the rulebook declares
        name: 市教育局
        facts: {procurement_budget: 1000万, sme_reserved: 250万}

Every problem is reported at once, each with the file, line and field: an unknown kind, a
fact the kind does not declare, a value its field refuses. Facts left out stay unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from subsidy_engine.errors import Diagnostic, DiagnosticsError, InputError, ProfileError
from subsidy_engine.obligations.check import ObligationChecker
from subsidy_engine.rulebook.loader import schema_diagnostics
from subsidy_engine.rulebook.yaml_source import YamlDocument, load_yaml


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    name: str = Field(min_length=1)
    facts: dict[str, Any] = Field(default_factory=dict)


class _FactsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    period: str | int | None = None
    """`2020Q1`, or a year (which YAML reads as a number)."""
    subjects: list[_Entry]


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    kind: str
    name: str
    facts: Mapping[str, Any]
    """As the kind's model reads them: every declared fact, None where not given."""


@dataclass(frozen=True, slots=True)
class FactsFile:
    period: str | None
    subjects: tuple[SubjectFacts, ...]


def read_facts(path: Path, checker: ObligationChecker) -> FactsFile:
    """The facts file at `path`, every subject's facts validated against its kind."""
    try:
        document = load_yaml(path)
    except DiagnosticsError as error:
        raise DiagnosticsError(error.diagnostics) from None
    try:
        model = _FactsFile.model_validate(document.data if document.data is not None else {})
    except ValidationError as error:
        raise DiagnosticsError(schema_diagnostics(document, error)) from None
    subjects = subject_facts(model.subjects, checker, document)
    return FactsFile(None if model.period is None else str(model.period), subjects)


def subject_facts(
    entries: list[_Entry] | list[Mapping[str, Any]],
    checker: ObligationChecker,
    document: YamlDocument | None = None,
) -> tuple[SubjectFacts, ...]:
    """Each entry's facts validated against its kind; every problem reported together (at its
    line in `document` when the entries came from a file)."""
    problems: list[Diagnostic] = []
    out: list[SubjectFacts] = []
    for index, raw in enumerate(entries):
        where: list[Any] = ["subjects", index]
        try:
            entry = raw if isinstance(raw, _Entry) else _Entry.model_validate(raw)
        except ValidationError as error:
            problems += [
                Diagnostic("bad-profile", str(e["msg"]), yaml_path=f"subjects[{index}]")
                for e in error.errors(include_url=False)
            ]
            continue
        if any((s.kind, s.name) == (entry.kind, entry.name) for s in out):
            message = f"{entry.name} ({entry.kind}) is listed twice; its facts would count twice"
            problems.append(_at(document, message, [*where, "name"]))
            continue
        try:
            facts = checker.validate(entry.kind, entry.facts)
        except InputError as error:
            problems.append(_at(document, str(error), [*where, "kind"]))
            continue
        except ProfileError as error:
            for problem in error.diagnostics:
                path = [*where, "facts", *(problem.yaml_path or "").split(".")]
                message = f"{entry.name} ({entry.kind}): {problem.message}"
                problems.append(_at(document, message, path, problem.hint))
            continue
        out.append(SubjectFacts(entry.kind, entry.name, facts))
    if problems:
        raise ProfileError(problems)
    return tuple(out)


def _at(
    document: YamlDocument | None, message: str, path: list[Any], hint: str | None = None
) -> Diagnostic:
    if document is None:
        shown = ".".join(str(p) for p in path)
        return Diagnostic("bad-profile", message, yaml_path=shown, hint=hint)
    return document.diagnostic("bad-profile", message, path, hint=hint)
