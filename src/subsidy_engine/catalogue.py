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
                "readings": [reading_row(rulebook, name) for name in rule.readings],
            }
        )
    return rows


def reading_row(rulebook: Rulebook, name: str) -> dict[str, Any]:
    """A reading parameter: its readings with their glosses, and the one in use (from its
    latest dated value)."""
    parameter = rulebook.parameters[name]
    latest = parameter.values[-1][1] if parameter.values else None
    return {
        "parameter": name,
        "in_use": latest,
        "readings": dict(parameter.spec.readings or {}),
    }


def readings_text(rows: list[dict[str, Any]]) -> str:
    """Reading rows as one line each: `parameter: in use* | other`."""
    lines = []
    for row in rows:
        names = [f"{n}*" if n == row["in_use"] else n for n in row["readings"]]
        lines.append(f"{row['parameter']}: {' | '.join(names)}")
    return "\n".join(lines)


def coverage_rows(rulebook: Rulebook) -> list[dict[str, Any]]:
    """Every measure of the manifest with its rule ids, or "government only" and the reason, the
    obligations of government bodies it imposes, and the sentences deliberately not encoded,
    each with why."""
    rows = []
    for measure in rulebook.manifest.measures:
        rules = [r.id for r in rulebook.rules_of_measure(measure.number)]
        if rules:
            coverage = ", ".join(rules)
        elif measure.government_only:
            coverage = f"government only: {measure.government_only}"
        else:
            coverage = ""
        duties = [o.id for o in rulebook.obligations if o.measure.number == measure.number]
        if duties:
            coverage += ("\n" if coverage else "") + f"obligations: {', '.join(duties)}"
        if measure.not_encoded:
            left_out = "; ".join(f"「{n.quote}」: {n.reason}" for n in measure.not_encoded)
            coverage += ("\n" if coverage else "") + f"not encoded: {left_out}"
        names = sorted({n for r in rulebook.rules_of_measure(measure.number) for n in r.readings})
        rows.append(
            {
                "measure": measure.number,
                "heading": measure.heading,
                "coverage": coverage,
                "readings": [reading_row(rulebook, name) for name in names],
            }
        )
    return rows
