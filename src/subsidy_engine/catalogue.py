"""Listings of a rulebook for people: its rules, and how each measure of the text is covered."""

from __future__ import annotations

from typing import Any

from subsidy_engine.lang.unparse import unparse
from subsidy_engine.rulebook.rulebook import Rulebook


def rule_rows(rulebook: Rulebook) -> list[dict[str, Any]]:
    """One row per rule: id, measure, titles, kind, unit and its figure (or "unspecified")."""
    rows = []
    for rule in rulebook.rules:
        quantity = rule.amount
        if quantity.node is not None:
            figure = unparse(quantity.node)
        elif quantity.unit.value == "right":
            figure = "—"
        else:
            figure = "unspecified"
        rows.append(
            {
                "id": rule.id,
                "measure": rule.measure.number,
                "title": rule.spec.title,
                "title_en": rule.spec.title_en,
                "kind": rule.spec.kind,
                "unit": quantity.unit.value,
                "amount": figure,
            }
        )
    return rows


def coverage_rows(rulebook: Rulebook) -> list[dict[str, Any]]:
    """Every measure of the manifest with its rule ids, or "government only" and the reason."""
    rows = []
    for measure in rulebook.manifest.measures:
        rules = [r.id for r in rulebook.rules_of_measure(measure.number)]
        if rules:
            coverage = ", ".join(rules)
        elif measure.government_only:
            coverage = f"government only: {measure.government_only}"
        else:
            coverage = ""
        rows.append({"measure": measure.number, "heading": measure.heading, "coverage": coverage})
    return rows
