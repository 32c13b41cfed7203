"""Which profile facts an expression reads, and which of them are the enterprise's history.

A fact is named as the profile names it: `field` for a top-level field and `list.field` for a
field of a list's items. The profile spec marks historical facts (`historical: true`): a year
the enterprise entered a register, a date already past, a recognition already received. A gap
never proposes changing one.
"""

from __future__ import annotations

from subsidy_engine.lang import ast
from subsidy_engine.rulebook.models import ListFieldSpec
from subsidy_engine.rulebook.rulebook import Rule, Rulebook


class FactReader:
    """Answers, for any node of a rulebook's expressions, which profile facts it reads."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.derived = rulebook.derived
        self.historical = historical_facts(rulebook)
        self._derived_reads: dict[str, frozenset[str]] = {}

    def reads(self, node: ast.Node) -> frozenset[str]:
        """The profile facts `node` reads, through the derived facts it uses."""
        out: set[str] = set()
        for part in node.walk():
            if isinstance(part, ast.FieldRef):
                out.add(part.name)
            elif isinstance(part, ast.ItemFieldRef):
                out.add(f"{part.list_field}.{part.name}")
            elif isinstance(part, ast.DerivedRef) and part.name in self.derived:
                out |= self._derived(part.name)
        return frozenset(out)

    def is_historical(self, node: ast.Node) -> bool:
        """Whether every fact `node` reads is historical (and it reads at least one)."""
        facts = self.reads(node)
        return bool(facts) and facts <= self.historical

    def rule_reads(self, rule: Rule) -> frozenset[str]:
        """What a rule's conditions and figures read."""
        nodes = [c.node for c in rule.conditions]
        quantities = [rule.amount, *rule.details.values()]
        nodes += [q.node for q in quantities if q.node is not None]
        return frozenset().union(*(self.reads(node) for node in nodes))

    def _derived(self, name: str) -> frozenset[str]:
        known = self._derived_reads.get(name)
        if known is None:
            self._derived_reads[name] = frozenset()  # derived facts form no cycle; a guard
            known = self._derived_reads[name] = self.reads(self.derived[name].node)
        return known


def historical_facts(rulebook: Rulebook) -> frozenset[str]:
    """The profile's historical facts: `field`, and `list.field` for items' fields (every
    field of a historical list's items)."""
    out = set()
    for name, spec in rulebook.profile.spec.fields.items():
        if spec.historical:
            out.add(name)
        if isinstance(spec, ListFieldSpec):
            items = spec.fields or {}
            out |= {f"{name}.{sub}" for sub, s in items.items() if s.historical or spec.historical}
    return frozenset(out)
