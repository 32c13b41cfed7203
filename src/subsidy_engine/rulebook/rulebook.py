"""A loaded rulebook: every file validated, every expression parsed and type-checked.

These objects are backend-neutral: they hold typed ASTs, not closures. The scalar evaluator and
the vectorised scorer each compile them their own way, and so mean the same thing. That holds
for the item checks of profile.yaml too: `Rulebook.profile` validates the declared fields, and
each backend compiles `Rulebook.item_checks` into its own validation (`Engine.validate` runs
both).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from subsidy_engine.lang import ast
from subsidy_engine.lang.types import Type
from subsidy_engine.profile import ProfileSchema
from subsidy_engine.results import Reading
from subsidy_engine.rulebook.cited import Cited
from subsidy_engine.rulebook.labels import ValueLabels
from subsidy_engine.rulebook.models import (
    Manifest,
    ParameterSpec,
    QuantitySpec,
    RuleSpec,
    Unit,
)
from subsidy_engine.rulebook.subjects import Obligation, Subject
from subsidy_engine.workdays import WorkingDayCalendar

if TYPE_CHECKING:
    from subsidy_engine.rulebook.sources import Sources


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    spec: ParameterSpec
    ty: Type
    values: tuple[tuple[date, Any], ...]
    """(from date, value) sorted by date; empty when the text gives no figure."""

    @property
    def is_reading(self) -> bool:
        """It chooses between readings of the text, not a figure."""
        return self.spec.readings is not None

    def reading_at(self, day: date) -> Reading:
        """The reading in use on `day`, with its gloss and the alternatives."""
        readings = self.spec.readings or {}
        name = self.value_at(day)
        gloss_zh = (self.spec.readings_zh or {}).get(name) if name else None
        return Reading(
            self.name, name, readings.get(name) if name else None, tuple(readings), gloss_zh
        )

    def value_at(self, day: date) -> Any | None:
        """The value in force on `day`, or None when there is none (unspecified)."""
        starts = [start for start, _ in self.values]
        index = bisect.bisect_right(starts, day)
        return self.values[index - 1][1] if index else None  # a None value: no figure


@dataclass(frozen=True, slots=True)
class DerivedFact:
    name: str
    description: str
    node: ast.Node
    interpretation: str | None = None
    interpretation_zh: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    text: str
    node: ast.Node
    leaves: tuple[tuple[str, ast.Node], ...]
    """What the condition reads, by display name: fields, derived facts, parameters."""


@dataclass(frozen=True, slots=True)
class Quantity:
    spec: QuantitySpec
    node: ast.Node | None
    """The figure's expression, or None where the text gives none."""

    @property
    def unit(self) -> Unit:
        return self.spec.unit


@dataclass(frozen=True, slots=True)
class ForEach:
    var: str
    list_field: str
    label_field: str | None


@dataclass(frozen=True, slots=True)
class Rule(Cited[RuleSpec]):
    conditions: tuple[Condition, ...]
    amount: Quantity
    details: Mapping[str, Quantity]
    for_each: ForEach | None
    source_file: str
    readings: tuple[str, ...] = ()
    """The reading parameters its conditions and amounts depend on (through derived facts too)."""

    @property
    def is_exclusion(self) -> bool:
        return self.spec.kind == "exclusion"


@dataclass(frozen=True, slots=True)
class ItemCheck:
    """A check on each item of a list field: `node` reads the item's own fields."""

    list_field: str
    var: str
    node: ast.Node
    message: str


@dataclass(frozen=True, slots=True)
class Rulebook:
    path: Path
    manifest: Manifest
    source_text: str
    profile: ProfileSchema
    parameters: Mapping[str, Parameter]
    derived: Mapping[str, DerivedFact]
    """In dependency order: each fact only uses those before it."""
    rules: tuple[Rule, ...]
    calendar: WorkingDayCalendar
    sha256: str
    """Content hash of every file of the rulebook, for provenance."""
    item_checks: tuple[ItemCheck, ...] = field(default=())
    reform_label: str | None = None
    """For a reformed rulebook: the reform's id and a hash of its file."""
    sources: Sources | None = None
    """The validated files it was compiled from (a reform recompiles them with changes)."""
    subjects: Mapping[str, Subject] = field(default_factory=dict)
    """The kinds of subject other than the enterprise that its obligations bind, by kind."""
    obligations: tuple[Obligation, ...] = ()
    labels: ValueLabels = field(default_factory=ValueLabels)
    """How the values of its enum fields and derived facts are shown to people."""

    @property
    def id(self) -> str:
        return self.manifest.id

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def rules_of_measure(self, number: int) -> list[Rule]:
        return [r for r in self.rules if r.measure.number == number]
