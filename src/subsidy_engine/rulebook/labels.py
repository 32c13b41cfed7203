"""How an enum's values are shown to people: `labels:` in profile.yaml and derived.yaml.

A value stays the rule language's and the JSON's (`private`, `small`); a person reads its label
(私营企业, 小型). `ValueLabels` gathers every label of a rulebook by field path: `ownership` for a
profile field, `projects.kind` for a field of a list's items, `sme_size_class` for a derived
fact. A value with no label is shown as itself. `label_problems` finds labels naming values the
field does not have.

>>> labels = ValueLabels({"ownership": {"private": ("私营企业", "Private")}})
>>> labels.label("ownership", "private", "zh"), labels.label("ownership", "private", "en")
('私营企业', 'Private')
>>> labels.label("projects[0].kind", "other", "zh")
'other'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from subsidy_engine.rulebook.models import (
    DerivedFile,
    ProfileSpec,
    ScalarFieldSpec,
    ValueLabel,
)
from subsidy_engine.rulebook.models import ValueLabels as LabelSpecs

Label = tuple[str, str | None]
"""A value's Chinese label and its English one (None: the value itself is shown)."""
_INDEX = re.compile(r"\[\d*\]")


@dataclass(frozen=True, slots=True)
class ValueLabels:
    """Every enum label of a rulebook, by field path, then by value."""

    by_field: Mapping[str, Mapping[str, Label]] = field(default_factory=dict)

    def label(self, fact: str, value: object, language: str) -> str:
        """`value` of `fact` (a field, `list[0].field` or a derived fact) as people read it."""
        text = str(value)
        found = self.by_field.get(_INDEX.sub("", fact), {}).get(text)
        if found is None:
            return text
        zh, en = found
        return zh if language == "zh" else (en or text)

    def of(self, fact: str, language: str) -> dict[str, str]:
        """The labels of one field's values in `language` (only the values that have one)."""
        return {v: self.label(fact, v, language) for v in self.by_field.get(fact, {})}


def value_labels(profile: ProfileSpec, derived: DerivedFile | None) -> ValueLabels:
    """The labels declared in a rulebook's profile and derived facts."""
    out: dict[str, dict[str, Label]] = {}
    for path, _, labels, _ in _declared(profile, derived):
        out[path] = {value: label_pair(spec) for value, spec in labels.items()}
    return ValueLabels(out)


def profile_label_problems(profile: ProfileSpec) -> Iterator[tuple[list[Any], str]]:
    """(YAML path, message) for each profile label naming a value its field does not have."""
    for path, where, labels, values in _declared(profile, None):
        yield from _unknown(path, where, labels, values or ())


def derived_label_problems(
    derived: DerivedFile, values_of: Mapping[str, tuple[str, ...]]
) -> Iterator[tuple[list[Any], str]]:
    """The same for derived facts; `values_of` holds each text-valued fact's possible values
    (a fact absent from it has no texts to label)."""
    for path, where, labels, _ in _declared(ProfileSpec(fields={}), derived):
        yield from _unknown(path, where, labels, values_of.get(path, ()))


def _declared(
    profile: ProfileSpec, derived: DerivedFile | None
) -> Iterator[tuple[str, list[Any], LabelSpecs, list[str] | None]]:
    """(field path, its YAML path, its labels, its declared values) for every field and fact
    with labels."""
    for name, spec in profile.fields.items():
        if isinstance(spec, ScalarFieldSpec):
            if spec.labels:
                yield name, ["fields", name], spec.labels, spec.values
            continue
        for item, item_spec in (spec.fields or {}).items():
            if item_spec.labels:
                where = ["fields", name, "fields", item]
                yield f"{name}.{item}", where, item_spec.labels, item_spec.values
    for name, fact in (derived.derived if derived else {}).items():
        if fact.labels:
            yield name, ["derived", name], fact.labels, fact.values


def _unknown(
    path: str, where: list[Any], labels: LabelSpecs, values: tuple[str, ...] | list[str]
) -> Iterator[tuple[list[Any], str]]:
    for value in labels:
        if value not in values:
            known = ", ".join(values) if values else "none"
            yield (
                [*where, "labels", value],
                f"label for {value!r}, which is not a value of {path} (values: {known})",
            )


def label_pair(spec: str | ValueLabel) -> Label:
    """A label as written (`私营企业` or `{zh: 私营企业, en: Private}`) as (Chinese, English)."""
    return (spec, None) if isinstance(spec, str) else (spec.zh, spec.en)
