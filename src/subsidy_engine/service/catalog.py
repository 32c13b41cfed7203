"""The rulebook's own listings as JSON data: rules, one rule in detail, parameters, fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from subsidy_engine.catalogue import rule_rows
from subsidy_engine.dependencies import field_uses, inputs_of
from subsidy_engine.results import Period, RuleInfo
from subsidy_engine.rulebook.labels import Label
from subsidy_engine.rulebook.rulebook import Rule, Rulebook
from subsidy_engine.views import plain, rule_info_data
from subsidy_engine.wording import Wording


def rule_detail(rulebook: Rulebook, rule_id: str) -> dict[str, Any]:
    """One rule: its citation, conditions, figure, readings and the fields that decide it."""
    rule = rulebook.rule(rule_id)  # KeyError when absent
    inputs = inputs_of(rulebook, rule_id)
    through = sorted({fact for via in inputs.fields.values() for fact in via})
    spec = rule.spec
    titles = Wording.of(rulebook, "zh")
    readings = [spec.interpretation] if spec.interpretation else []
    readings_zh = [spec.interpretation_zh or spec.interpretation] if spec.interpretation else []
    for name in through:
        fact = rulebook.derived.get(name)  # the others are exclusion rules
        if fact is not None and fact.interpretation:
            readings.append(f"{name}: {fact.interpretation}")
            zh = fact.interpretation_zh or fact.interpretation
            readings_zh.append(f"{titles.title(name)}：{zh}")
    row = next(r for r in rule_rows(rulebook) if r["id"] == rule_id)
    return {
        "rule": rule_info_data(_info(rule)),
        "conditions": [{"name": c.name, "expression": c.text} for c in rule.conditions],
        "amount": row,
        "readings": readings,
        "readings_zh": readings_zh,
        "fields": {name: list(via) for name, via in inputs.fields.items()},
    }


def _info(rule: Rule) -> RuleInfo:
    force = rule.spec.in_force
    return RuleInfo(
        rule.id,
        rule.spec.title,
        rule.spec.title_en,
        rule.spec.kind,
        rule.citation,
        Period(force.from_, force.until),
        rule.spec.interpretation,
        interpretation_zh=rule.spec.interpretation_zh,
    )


def parameter_rows(rulebook: Rulebook) -> list[dict[str, Any]]:
    """Every parameter with its dated values and each value's reference."""
    rows = []
    for name, parameter in rulebook.parameters.items():
        spec = parameter.spec
        references = {day: v.reference for day, v in spec.values.items()}
        rows.append(
            {
                "name": name,
                "description": spec.description,
                "type": spec.type,
                "unit": spec.unit,
                "values": [
                    {
                        "start": day.isoformat(),
                        "value": plain(value),
                        "reference": references.get(day) or spec.reference,
                    }
                    for day, value in parameter.values
                ],
            }
        )
    return rows


def field_rows(rulebook: Rulebook, rule_id: str | None = None) -> list[dict[str, Any]]:
    """Each profile field with the rules it feeds; with `rule_id`, only that rule's fields."""
    rows = []
    labels = rulebook.labels.by_field
    for use in field_uses(rulebook):
        rules = [u for u in use.rules if rule_id is None or u.rule_id == rule_id]
        if rule_id is not None and not rules:
            continue
        rows.append(
            {
                "field": use.field,
                "title": use.title,
                "labels": _labels(labels.get(use.field, {})),
                "item_labels": {
                    path.partition(".")[2]: _labels(values)
                    for path, values in labels.items()
                    if path.startswith(f"{use.field}.")
                },
                "rules": [
                    {"rule_id": u.rule_id, "measure": u.measure, "via": list(u.via)} for u in rules
                ],
            }
        )
    return rows


def _labels(values: Mapping[str, Label]) -> dict[str, dict[str, str | None]]:
    return {value: {"zh": zh, "en": en} for value, (zh, en) in values.items()}
