"""The plain data a rulebook is checked from: its validated files, and where each came from.

A loaded `Rulebook` keeps its `Sources`, so that a reform can re-check them with its changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from subsidy_engine.errors import Diagnostic
from subsidy_engine.rulebook.models import (
    DerivedFile,
    Manifest,
    ObligationFile,
    ParametersFile,
    ProfileSpec,
    RuleFile,
)
from subsidy_engine.rulebook.yaml_source import YamlDocument


@dataclass(frozen=True, slots=True)
class RuleFileSource:
    """A rule file, and where its rules sit: in their own file, or inside another document
    (a reform's `add:` list) at `prefix`, quoting that document's own `text`."""

    model: RuleFile
    document: str
    prefix: tuple[Any, ...] = ()
    quoted_text: str | None = None
    """The text its quotes must come from, when it is not the rulebook's source."""
    cited_document: str | None = None
    """The document its rules cite, when it is not the rulebook's."""


@dataclass(frozen=True, slots=True)
class Sources:
    """Every file of a rulebook, validated against its model, with the documents they came from."""

    root: Path
    documents: Mapping[str, YamlDocument]
    manifest: Manifest
    profile: ProfileSpec
    parameters: ParametersFile | None
    derived: DerivedFile | None
    rule_files: Mapping[str, RuleFileSource]
    source_text: str
    sha256: str
    check_coverage: bool = True
    """Every measure needs a rule or a reason; a reform that disables rules is exempt."""
    subjects: Mapping[str, ProfileSpec] = field(default_factory=dict)
    """The facts file of each subject kind the manifest declares, by kind."""
    obligation_files: Mapping[str, ObligationFile] = field(default_factory=dict)


def measure_label(number: int, manifest: Manifest | None) -> str:
    """A measure as a diagnostic names it: its number and, when the manifest lists it, heading."""
    headings = {m.number: m.heading for m in manifest.measures} if manifest else {}
    return f"{number} {headings[number]}" if number in headings else str(number)


def with_measures(problems: list[Diagnostic], labels: Mapping[str, str]) -> list[Diagnostic]:
    """Each rule's diagnostics with its measure (`labels`: rule id -> measure label)."""
    out = []
    for problem in problems:
        label = labels.get(problem.rule_id or "")
        out.append(problem if label is None or problem.measure else replace(problem, measure=label))
    return out
