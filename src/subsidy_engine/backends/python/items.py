"""Item checks (a list field's `checks` in profile.yaml) -> closures, and the profile model
that runs them.

The loaded `Rulebook` keeps each check as a typed tree (`Rulebook.item_checks`); its `profile`
validates the declared fields only. This module is the Python backend's half of a profile's
validation, as `batch.validate` is the Polars one: it compiles the checks and builds the model
that refuses an item breaking one. A check that cannot tell (it reads a missing item field)
lets the item pass: a missing fact is never read as a broken rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from subsidy_engine.backends.python.compiler import Fn, Frame, ScalarCompiler, is_unknown
from subsidy_engine.profile import ItemCheck, ProfileSchema, build_profile_schema
from subsidy_engine.rulebook.rulebook import Rulebook


def checked_profile(rulebook: Rulebook) -> ProfileSchema:
    """The rulebook's profile model with its item checks run on every item."""
    if not rulebook.item_checks:
        return rulebook.profile
    return build_profile_schema(rulebook.profile.spec, compile_item_checks(rulebook))


def compile_item_checks(rulebook: Rulebook) -> dict[str, list[tuple[ItemCheck, str]]]:
    """Each list field's checks as (closure over one item, message), in declaration order."""
    compiler = ScalarCompiler({}, rulebook.calendar)  # a check reads the item alone
    out: dict[str, list[tuple[ItemCheck, str]]] = {}
    for check in rulebook.item_checks:
        out.setdefault(check.list_field, []).append(
            (_on_item(compiler.compile(check.node)), check.message)
        )
    return out


def _on_item(fn: Fn) -> ItemCheck:
    def run(item: Mapping[str, Any]) -> bool | None:
        value = fn(Frame(item, {}, date.min))
        return None if is_unknown(value) else bool(value)

    return run
