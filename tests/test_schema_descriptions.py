"""Every field of the rule-file, profile-file and derived-file schemas says what it is, so an
editor's hover and a validator's message explain each key."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCHEMAS = Path(__file__).parents[1] / "schemas"


def _undescribed(node: Any, path: str) -> Iterator[str]:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict) and not prop.get("description"):
                yield f"{path}.{name}"
        for key, value in node.items():
            yield from _undescribed(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _undescribed(value, path)


@pytest.mark.parametrize("name", ["rule-file", "profile-spec", "derived"])
def test_every_field_has_a_description(name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert list(_undescribed(schema, name)) == []


def test_the_check_finds_an_undescribed_field() -> None:
    schema = {"properties": {"a": {"description": "A."}, "b": {"type": "string"}}}
    assert list(_undescribed(schema, "x")) == ["x.b"]
