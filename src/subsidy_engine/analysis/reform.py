"""Reforms: an overlay that changes a rulebook — parameters for a period, rules disabled or
added — validated and type-checked exactly like a rulebook.

A reform file::

    id: higher-above-scale-award
    title: Raise the two-year above-scale award to 30万 from 2020
    text: 从2020年起,连续2年的,奖励提高至30万元。     # quoted by any rule it adds
    parameters:
      above_scale_award_2y:
        - {from: 2020-01-01, value: 30万, reference: draft of 2019-11-02}
      booth_subsidy_per_booth:
        - {value: 3000}                            # from the start; until: optional
    disable: [m36.leading_project_support]
    add:
      - measure: 35
        lead_departments: [市商务局]
        rules: [...]                               # rule specs, as in a rule file
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from subsidy_engine.errors import Diagnostic, InputError, RulebookError, did_you_mean
from subsidy_engine.limits import read_file
from subsidy_engine.rulebook.check import check_rulebook
from subsidy_engine.rulebook.figures import parameter_value
from subsidy_engine.rulebook.loader import schema_diagnostics
from subsidy_engine.rulebook.models import (
    DatedValue,
    ParametersFile,
    ParameterSpec,
    RuleFile,
    RuleId,
)
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.sources import RuleFileSource, Sources
from subsidy_engine.rulebook.yaml_source import YamlDocument, load_yaml

BEGINNING = date(1900, 1, 1)


class ParameterChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    value: Any = Field(description="The new figure (万/亿 allowed); null: no figure.")
    from_: date | None = Field(default=None, alias="from", description="Default: always.")
    until: date | None = Field(default=None, description="Last day of the change, inclusive.")
    reference: str | None = None


class Reform(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: str | None = Field(default=None, alias="$schema")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    text: str | None = Field(default=None, description="The reform's wording, for quotes.")
    parameters: dict[str, list[ParameterChange]] = Field(default_factory=dict)
    disable: list[RuleId] = Field(default_factory=list)
    add: list[RuleFile] = Field(default_factory=list)


class _Dumper(yaml.SafeDumper):
    """Safe YAML that also writes the engine's exact numbers: a whole Decimal as an integer,
    any other as text (which the figures' reader reads exactly, never through a float)."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if value.is_finite() and value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_str(str(value))


_Dumper.add_representer(Decimal, _decimal)


def reform_key(source: str | Path | Mapping[str, Any]) -> object:
    """What a reform is, for a cache: a file's resolved path and content (an edited file is a
    new reform), or a dict's contents."""
    if isinstance(source, Mapping):
        return ("dict", repr(sorted(source.items(), key=lambda item: str(item[0]))))
    path = Path(source)
    try:
        content = hashlib.sha256(read_file(path)).hexdigest()
    except InputError:
        content = None  # not a readable file: loading it names the problem
    return ("file", str(path.resolve()), content)


def read_reform(source: str | Path | Mapping[str, Any]) -> YamlDocument:
    """A reform as a YAML document: from a file, or from a dict (dumped, so errors have lines)."""
    if isinstance(source, Mapping):
        text = yaml.dump(dict(source), Dumper=_Dumper, allow_unicode=True, sort_keys=False)
        name = f"reform:{source.get('id', 'unnamed')}"
        return load_yaml(Path(name), text=text)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"no reform file {path}")
    return load_yaml(path)


def apply_reform(rulebook: Rulebook, source: str | Path | Mapping[str, Any]) -> Rulebook:
    """`rulebook` with the reform applied, type-checked; RulebookError lists every problem."""
    document = read_reform(source)
    try:
        reform = Reform.model_validate(document.data or {})
    except ValidationError as error:
        raise RulebookError(schema_diagnostics(document, error)) from None
    base = rulebook.sources
    if base is None:
        raise InputError("this rulebook was not loaded from files; a reform cannot recompile it")
    problems: list[Diagnostic] = []
    key = str(document.path)
    parameters = _changed_parameters(base, reform, document, problems)
    rule_files = _remaining_rules(base, reform, document, problems)
    for index, rule_file in enumerate(reform.add):
        rule_files[f"{key}#add{index}"] = RuleFileSource(
            rule_file, key, ("add", index), reform.text or "", reform.title
        )
    if problems:
        raise RulebookError(problems)
    sources = replace(
        base,
        documents={**base.documents, key: document},
        parameters=parameters,
        rule_files=rule_files,
        check_coverage=False,
    )
    digest = hashlib.sha256(document.text.encode()).hexdigest()[:12]
    return replace(check_rulebook(sources), reform_label=f"{reform.id}@{digest}")


def _changed_parameters(
    base: Sources, reform: Reform, document: YamlDocument, problems: list[Diagnostic]
) -> ParametersFile | None:
    current = base.parameters.parameters if base.parameters else {}
    changed = dict(current)
    for name, changes in reform.parameters.items():
        spec = current.get(name)
        if spec is None:
            guess = did_you_mean(name, current)
            problems.append(
                document.diagnostic(
                    "unknown-name",
                    f"the rulebook has no parameter '{name}'",
                    ["parameters", name],
                    hint=f"did you mean '{guess}'?" if guess else None,
                    at_key=True,
                )
            )
            continue
        values = dict(spec.values)
        for index, change in enumerate(changes):
            if not _valid_change(spec, change, document, ["parameters", name, index], problems):
                continue
            start = change.from_ or BEGINNING
            end = change.until or date.max
            if change.until is not None:
                after = change.until + timedelta(days=1)
                values.setdefault(after, DatedValue(value=_value_at(spec.values, after)))
            values = {day: dated for day, dated in values.items() if not start < day <= end}
            values[start] = DatedValue(value=change.value, reference=change.reference)
        changed[name] = spec.model_copy(update={"values": dict(sorted(values.items()))})
    return ParametersFile(parameters=changed) if changed else base.parameters


def _valid_change(
    spec: ParameterSpec,
    change: ParameterChange,
    document: YamlDocument,
    path: list[str | int],
    problems: list[Diagnostic],
) -> bool:
    """Whether the change's period runs forward and its value is one the parameter can take;
    if not, the problem is placed in the reform, not in the rulebook it changes."""
    if change.from_ is not None and change.until is not None and change.until < change.from_:
        message = (
            f"{path[1]}: the change ends on {change.until}, before it starts on {change.from_}"
        )
        problems.append(document.diagnostic("bad-period", message, [*path, "until"]))
        return False
    if change.value is None:  # no figure from this date on
        return True
    try:
        parameter_value(spec, change.value)
    except (ValueError, ArithmeticError) as error:
        problems.append(
            document.diagnostic(
                "bad-parameter", f"{path[1]}: {error}", [*path, "value"], hint=_hint(spec)
            )
        )
        return False
    return True


def _hint(spec: ParameterSpec) -> str | None:
    shape = "a table {key: value}" if spec.table_key else "a list" if spec.list else None
    kind = f"{spec.type} values" if shape else f"a {spec.type} value"
    return f"the parameter takes {shape} of {kind}" if shape else f"the parameter takes {kind}"


def _value_at(values: Mapping[date, DatedValue], day: date) -> Any:
    earlier = [start for start in values if start <= day]
    return values[max(earlier)].value if earlier else None


def _remaining_rules(
    base: Sources, reform: Reform, document: YamlDocument, problems: list[Diagnostic]
) -> dict[str, RuleFileSource]:
    known = {spec.id for source in base.rule_files.values() for spec in source.model.rules}
    for index, rule_id in enumerate(reform.disable):
        if rule_id not in known:
            guess = did_you_mean(rule_id, known)
            problems.append(
                document.diagnostic(
                    "unknown-rule",
                    f"the rulebook has no rule {rule_id}",
                    ["disable", index],
                    hint=f"did you mean {guess}?" if guess else None,
                )
            )
    disabled = set(reform.disable)
    out = {}
    for key, source in base.rule_files.items():
        rules = [spec for spec in source.model.rules if spec.id not in disabled]
        if rules:
            model = source.model.model_copy(update={"rules": rules})
            out[key] = replace(source, model=model)
    return out
