"""Which profile fields feed which rules, directly or through derived facts, and the reverse.

A rule reads a field directly when one of its conditions or figures names it, and through a
derived fact when it names a fact computed from the field (`operating_revenue` decides
`sme_size_class`, which `is_small_or_micro` and `is_sme` read, which six rules' conditions
read), and through an exclusion rule that can withdraw it (`credit_status` decides whether
measure 27 withdraws every cash entitlement). An integrator reads this map to know which
registry columns decide which measures.

>>> from subsidy_engine import Engine
>>> uses = field_uses(Engine().rulebook)
>>> revenue = next(u for u in uses if u.field == "operating_revenue")
>>> revenue.direct
()
>>> len(revenue.rule_ids) >= 6
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from subsidy_engine.lang import ast
from subsidy_engine.rulebook.rulebook import Rule, Rulebook


@dataclass(frozen=True, slots=True)
class RuleUse:
    """One rule reading one field: directly (`via` empty) or through these derived facts."""

    rule_id: str
    measure: int
    via: tuple[str, ...]
    """What lies between (sorted): the derived facts the rule names whose computation reads
    the field, and the exclusion rules reading it that can withdraw this rule."""


@dataclass(frozen=True, slots=True)
class FieldUse:
    """A profile field and every rule that reads it."""

    field: str
    title: str | None
    rules: tuple[RuleUse, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(use.rule_id for use in self.rules)

    @property
    def direct(self) -> tuple[str, ...]:
        return tuple(use.rule_id for use in self.rules if not use.via)


@dataclass(frozen=True, slots=True)
class RuleInputs:
    """A rule and the profile fields that decide it, each with the derived facts it goes
    through (empty: the rule reads the field itself)."""

    rule_id: str
    measure: int
    fields: Mapping[str, tuple[str, ...]]


def _reads(nodes: Iterable[ast.Node]) -> tuple[set[str], set[str]]:
    """The profile fields (top-level names) and derived facts named in some expressions."""
    fields: set[str] = set()
    derived: set[str] = set()
    for node in nodes:
        for sub in node.walk():
            if isinstance(sub, ast.FieldRef):
                fields.add(sub.name)
            elif isinstance(sub, ast.ItemFieldRef):
                fields.add(sub.list_field)
            elif isinstance(sub, ast.DerivedRef):
                derived.add(sub.name)
    return fields, derived


def derived_fields(rulebook: Rulebook) -> dict[str, frozenset[str]]:
    """Every derived fact's profile fields, through the derived facts it uses in turn."""
    out: dict[str, frozenset[str]] = {}
    for name, fact in rulebook.derived.items():  # dependency order: used facts come first
        out[name] = fields_of(fact.node, out)
    return out


def fields_of(node: ast.Node, through: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The profile fields an expression reads, through the derived facts it names (`through`:
    `derived_fields`)."""
    fields, derived = _reads([node])
    return frozenset(fields.union(*(through[name] for name in derived)))


def rule_nodes(rule: Rule) -> list[ast.Node]:
    """A rule's expressions: its conditions, its amount and its details."""
    nodes = [condition.node for condition in rule.conditions]
    nodes += [q.node for q in (rule.amount, *rule.details.values()) if q.node is not None]
    return nodes


def rule_inputs(rulebook: Rulebook) -> tuple[RuleInputs, ...]:
    """For every rule, in rulebook order, the fields that decide it: its own, and those of the
    exclusion rules that can withdraw it (through the exclusion rule's id)."""
    through = derived_fields(rulebook)
    own = {rule.id: _own_inputs(rule, through) for rule in rulebook.rules}
    exclusions = [rule for rule in rulebook.rules if rule.is_exclusion]
    out = []
    for rule in rulebook.rules:
        fields = {name: set(via) for name, via in own[rule.id].items()}
        direct = {name for name, via in own[rule.id].items() if not via}
        for excluder in exclusions:
            if excluder is rule or not _withdraws(excluder, rule):
                continue
            for name, via in own[excluder.id].items():
                fields.setdefault(name, set()).update({excluder.id, *via})
        ordered = {
            name: () if name in direct else tuple(sorted(facts))
            for name, facts in sorted(fields.items())
        }
        out.append(RuleInputs(rule.id, rule.measure.number, ordered))
    return tuple(out)


def _own_inputs(rule: Rule, through: Mapping[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    direct, derived = _reads(rule_nodes(rule))
    if rule.for_each is not None:
        direct.add(rule.for_each.list_field)
    fields: dict[str, set[str]] = {name: set() for name in direct}
    for fact in derived:
        for name in through[fact]:
            fields.setdefault(name, set()).add(fact)
    return {name: () if name in direct else tuple(sorted(f)) for name, f in fields.items()}


def _withdraws(excluder: Rule, rule: Rule) -> bool:
    spec = excluder.spec.excludes
    return spec is not None and rule.amount.unit in spec.units


def field_uses(rulebook: Rulebook) -> tuple[FieldUse, ...]:
    """Every profile field, in profile order, with the rules that read it (none: no rule
    reads it, e.g. the enterprise's name)."""
    by_field: dict[str, list[RuleUse]] = {name: [] for name in rulebook.profile.spec.fields}
    for inputs in rule_inputs(rulebook):
        for name, via in inputs.fields.items():
            by_field[name].append(RuleUse(inputs.rule_id, inputs.measure, via))
    specs = rulebook.profile.spec.fields
    return tuple(FieldUse(name, specs[name].title, tuple(uses)) for name, uses in by_field.items())


def fields_read(rulebook: Rulebook) -> tuple[str, ...]:
    """The profile fields some rule reads (directly, through a derived fact or an exclusion
    rule), in profile order."""
    return tuple(use.field for use in field_uses(rulebook) if use.rules)


def inputs_of(rulebook: Rulebook, rule_id: str) -> RuleInputs:
    """The fields that decide one rule; KeyError naming the rule when there is none."""
    for inputs in rule_inputs(rulebook):
        if inputs.rule_id == rule_id:
            return inputs
    raise KeyError(rule_id)
