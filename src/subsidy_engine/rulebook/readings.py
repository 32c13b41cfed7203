"""Named readings: where the text admits several, a parameter chooses one by name.

A reading parameter (`readings: {name: gloss}` in parameters.yaml) is a text whose values are
the names of its readings; the rule language types it as an enum of them, so a condition that
compares it with a misspelt name is refused when the rulebook loads. A rule depends on the
readings its conditions and amounts read, directly or through derived facts; every result of
the rule names the reading in use on its `as_of` date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.rulebook.models import ParameterSpec
from subsidy_engine.rulebook.rulebook import DerivedFact, Parameter, Rule


def reading_type(spec: ParameterSpec) -> t.Enum:
    assert spec.readings is not None
    return t.Enum(tuple(spec.readings))


def reading_problems(
    spec: ParameterSpec, values: Iterable[tuple[date, Any]]
) -> list[tuple[tuple[Any, ...], str]]:
    """What is wrong with a reading parameter, each with its path under the parameter: its
    shape, and values that name no reading."""
    assert spec.readings is not None
    if spec.type != "text" or spec.list or spec.table_key is not None:
        return [(("readings",), "a parameter with readings is a single text naming one of them")]
    if not spec.readings:
        return [(("readings",), "a parameter with readings needs at least one")]
    known = ", ".join(spec.readings)
    problems: list[tuple[tuple[Any, ...], str]] = [
        (("values", start, "value"), f"{value!r} is not one of its readings ({known})")
        for start, value in values
        if value is not None and value not in spec.readings
    ]
    problems += [
        (("readings_zh", name), f"a Chinese gloss for {name!r}, which is not one of its readings")
        for name in spec.readings_zh or {}
        if name not in spec.readings
    ]
    return problems


def rule_readings(
    rule: Rule, derived: Mapping[str, DerivedFact], parameters: Mapping[str, Parameter]
) -> tuple[str, ...]:
    """The reading parameters `rule` reads, in name order, through derived facts too."""
    roots = [c.node for c in rule.conditions]
    roots += [q.node for q in (rule.amount, *rule.details.values()) if q.node is not None]
    found: set[str] = set()
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        for node in stack.pop().walk():
            if isinstance(node, ast.ParamRef) and parameters[node.name].is_reading:
                found.add(node.name)
            elif isinstance(node, ast.DerivedRef) and node.name not in seen:
                seen.add(node.name)
                stack.append(derived[node.name].node)
    return tuple(sorted(found))
