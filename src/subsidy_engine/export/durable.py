"""Export a rulebook's eligibility conditions to a durable-rules ruleset.

For sites that run `durable-rules <https://github.com/jruizgit/rules>`_ hosts on event
streams: `to_durable(rulebook, as_of)` translates every rule it can into a durable-rules
condition over one fact per enterprise profile, and lists every rule it cannot, with the reason.
`run(export, profiles)` matches profiles against it the correct way (``assert_fact`` then
``retract_fact`` for each profile; see below) and returns the (row, rule id) pairs found
eligible. Needs the ``durable_rules`` package (``pip install durable_rules==2.0.28``, also in the
``bench`` extra); it is imported only when a ruleset is run.

**What it means.** A rule is exported as "eligible": every condition certainly true and no
exclusion (measure 27's serious dishonesty) that could withdraw it. Parameters take their values
on `as_of`; a rule out of force then is not exported (it is never eligible). Derived facts are
inlined; ``x in {…}`` becomes alternatives; ``starts_with(industry_code, …)`` becomes ranges
of codes. Durable-rules has no *unknown*: the export gives the eligible set only, never
"undetermined" nor the facts that would decide a rule, so **it is valid for complete profiles**.
The translation is built from each condition's "certainly true" reading, and a durable-rules
comparison on a field the fact does not carry never matches, so a profile with facts left out
still gets exactly the engine's eligible rules (the tests check both); but what is missing is
not reported.

**Not exported** (`DurableExport.skipped`, each with the reason): per-item rules (one result
per project or award; a fact is a whole profile), conditions aggregating over list fields
(``min(above_scale_years)``, ``len(…)``), calendar arithmetic on facts (``add_years``,
working days), division by a fact (the C engine kills the process on an integer division by
zero), comparisons between two computed values, tests that a fact is missing, conditions that
expand to too many alternatives, and rules an unexportable exclusion could withdraw.

**Facts** (`DurableExport.fact`): the scalar fields the conditions read, dates as day numbers
since 1970-01-01, money and other decimals as floats (exact for amounts below 2**53 fen),
missing facts left out, plus ``_row`` (the profile's position). Floating-point arithmetic
inside a condition (``x < y * 0.05``) can differ from the engine's exact decimals at the last
digit of an exact bound.

**Running it.** ``assert_fact`` keeps each fact until retracted, at ~8 KB a fact, and above
~50,000 live facts durable-rules rejects distinct facts whose 32-bit hashes collide; ``post``
(events) lets the first matching rule consume the event, so other rules never see it. `run`
asserts and retracts one fact at a time, catches ``MessageNotHandledException`` (no rule
matched), and uses a host without durable-rules' background dispatch threads.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel

from subsidy_engine.export.dnf import Arith, Atom, Const, Dnf, FieldValue, Operand, TooComplexError
from subsidy_engine.export.lower import Lowering, UnsupportedError, day_number
from subsidy_engine.lang import ast
from subsidy_engine.optional import require
from subsidy_engine.rulebook.rulebook import Rule, Rulebook

ROW_FIELD = "_row"
"""The fact field holding the profile's position; an unconditional rule tests only it."""
MAX_ALTERNATIVES = 14
"""The most alternatives of conjunctions durable-rules 2.0.28 accepts in one rule (it refuses
more with error 113); a longer condition is split over several rules."""

SkipKind = Literal["unsupported", "not_in_force", "never_eligible"]


class DurableRule(NamedTuple):
    """One durable-rules rule: its name, condition on the fact ``m`` (JSON), the amount its
    action records (an expression of the fact, or None), and whether its firing means the
    rule is eligible (otherwise it only gives the amount in one case)."""

    name: str
    condition: Mapping[str, Any]
    amount: Any
    eligibility: bool


@dataclass(frozen=True, slots=True)
class AmountCase:
    """The amount of an eligible rule in one case, as a durable-rules expression of the fact."""

    conditions: tuple[Mapping[str, Any], ...]
    """When this case holds (JSON, eligibility included; any of them); none: whenever the
    rule is eligible."""
    value: Any
    """A constant, ``{"$m": field}`` or arithmetic on them (JSON); None where the engine finds
    no figure."""


@dataclass(frozen=True, slots=True)
class ExportedRule:
    rule_id: str
    conditions: tuple[Mapping[str, Any], ...]
    """When the rule is eligible: any of these durable-rules conditions on the fact ``m``
    (JSON), each of at most `MAX_ALTERNATIVES` alternatives."""
    alternatives: int
    """How many alternatives (conjunctions) the condition has."""
    amounts: tuple[AmountCase, ...] = ()
    """How to compute the amount; empty where the text gives no figure or the amount cannot be
    exported (a note says why)."""
    notes: tuple[str, ...] = ()

    def durable_rules(self) -> list[DurableRule]:
        """The durable-rules rules of this rule. It is eligible exactly when one of those
        named by the rule id (``<id>``, ``<id>.part2``…) fires; a rule whose amount depends on
        a choice (``x if test else y``, a table looked up by a fact) has more,
        ``<id>.amount<k>``, for each case."""
        plain = [a.value for a in self.amounts if not a.conditions]
        out = _named(self.rule_id, self.conditions, plain[0] if plain else None, True)
        guarded = [a for a in self.amounts if a.conditions]
        for k, case in enumerate(guarded, start=1):
            out += _named(f"{self.rule_id}.amount{k}", case.conditions, case.value, False)
        return out


def _named(
    name: str, conditions: Iterable[Mapping[str, Any]], value: Any, eligibility: bool
) -> list[DurableRule]:
    return [
        DurableRule(name if k == 1 else f"{name}.part{k}", condition, value, eligibility)
        for k, condition in enumerate(conditions, start=1)
    ]


@dataclass(frozen=True, slots=True)
class SkippedRule:
    rule_id: str
    reason: str
    kind: SkipKind = "unsupported"


@dataclass(frozen=True, slots=True)
class DurableExport:
    """A rulebook's conditions as a durable-rules ruleset, as of a date."""

    name: str
    rulebook_id: str
    rulebook_sha256: str
    as_of: date
    rules: tuple[ExportedRule, ...]
    skipped: tuple[SkippedRule, ...]
    fields: tuple[str, ...]
    """The profile fields the exported conditions read (each fact carries these)."""

    @property
    def exported_ids(self) -> list[str]:
        return [r.rule_id for r in self.rules]

    def reasons(self) -> dict[str, str]:
        """Rule id -> why it is not exported, for every rule not exported."""
        return {s.rule_id: s.reason for s in self.skipped}

    def definition(self) -> dict[str, Any]:
        """The ruleset as durable-rules reads it, without actions: ``{name: {rule: {"all":
        [{"m": condition}]}}}``; add a ``"run"`` action to each rule to host it."""
        return {
            self.name: {
                part.name: {"all": [{"m": part.condition}]}
                for r in self.rules
                for part in r.durable_rules()
            }
        }

    def amounts(self) -> dict[str, Any]:
        """Durable-rules rule name -> the amount its action records (an expression of the fact
        ``m``; ``amount(expression, fact)`` computes it), for the rules that record one."""
        return {
            part.name: part.amount
            for r in self.rules
            for part in r.durable_rules()
            if part.amount is not None
        }

    def to_json(self) -> str:
        """`definition()` with provenance and the rules not exported, as JSON text."""
        document = {
            "rulebook": self.rulebook_id,
            "rulebook_sha256": self.rulebook_sha256,
            "as_of": self.as_of.isoformat(),
            "fact_fields": [ROW_FIELD, *self.fields],
            "ruleset": self.definition(),
            "amounts": self.amounts(),
            "not_exported": [
                {"rule": s.rule_id, "kind": s.kind, "reason": s.reason} for s in self.skipped
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2)

    def fact(self, profile: Mapping[str, Any] | BaseModel, row: int) -> dict[str, Any]:
        """The durable-rules fact of one profile: the fields the conditions read, converted."""
        values = profile.__dict__ if isinstance(profile, BaseModel) else profile
        out: dict[str, Any] = {ROW_FIELD: row}
        for name in self.fields:
            value = values.get(name)
            if value is not None:
                out[name] = fact_value(value)
        return out


def fact_value(value: Any) -> Any:
    """A profile value as durable-rules compares it."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    if isinstance(value, date):
        return day_number(value)
    raise TypeError(f"no durable-rules value for {value!r}")


def to_durable(rulebook: Rulebook, as_of: date, *, name: str | None = None) -> DurableExport:
    """Translate `rulebook`'s rules, with their parameters as of `as_of`, into a durable-rules
    ruleset; rules that cannot be translated are listed in `skipped` with the reason."""
    lowering = Lowering(rulebook, as_of)
    exclusions = [r for r in rulebook.rules if r.is_exclusion and _in_force(r, as_of)]
    withdrawn: dict[str, Dnf | str] = {}
    for exclusion in exclusions:
        try:
            withdrawn[exclusion.id] = _lower_rule(lowering, exclusion)[1]
        except (UnsupportedError, TooComplexError) as error:
            withdrawn[exclusion.id] = str(error) or "too complex"
    exported: list[ExportedRule] = []
    skipped: list[SkippedRule] = []
    for rule in rulebook.rules:
        if not _in_force(rule, as_of):
            period = rule.spec.in_force
            skipped.append(
                SkippedRule(
                    rule.id,
                    f"not in force on {as_of} (in force {period.from_ or '…'} to "
                    f"{period.until or '…'}): never eligible",
                    "not_in_force",
                )
            )
            continue
        try:
            condition, notes = _eligible(lowering, rule, exclusions, withdrawn)
            amounts, amount_note = _amounts(lowering, rule, condition)
        except UnsupportedError as error:
            skipped.append(SkippedRule(rule.id, str(error)))
            continue
        except TooComplexError as error:
            skipped.append(SkippedRule(rule.id, f"expands to {error}"))
            continue
        if condition.is_false:
            why = "; ".join(notes) or "its conditions cannot all hold"
            skipped.append(
                SkippedRule(rule.id, f"never eligible on {as_of}: {why}", "never_eligible")
            )
            continue
        if amount_note:
            notes.append(amount_note)
        exported.append(
            ExportedRule(
                rule.id, to_conditions(condition), len(condition.terms), amounts, tuple(notes)
            )
        )
    parts = [[p.condition, p.amount] for r in exported for p in r.durable_rules()]
    read = sorted(_condition_fields(parts) - {ROW_FIELD})
    return DurableExport(
        name=name or f"{rulebook.id}-{as_of.isoformat()}",
        rulebook_id=rulebook.id,
        rulebook_sha256=rulebook.sha256,
        as_of=as_of,
        rules=tuple(exported),
        skipped=tuple(skipped),
        fields=tuple(read),
    )


def _in_force(rule: Rule, as_of: date) -> bool:
    return rule.spec.in_force.contains(as_of)


def _lower_rule(lowering: Lowering, rule: Rule) -> tuple[Dnf, Dnf]:
    if rule.for_each is not None:
        each = rule.for_each
        raise UnsupportedError(
            f"per-item rule (for each {each.var} in {each.list_field}): durable-rules matches "
            "one fact per profile, and the engine gives one result per item"
        )
    conditions = [c.node for c in rule.conditions]
    if not conditions:
        return Dnf.true(), Dnf.false()
    span = conditions[0].span
    both = ast.Logic(span=span, op="and", operands=tuple(lowering.inline(c) for c in conditions))
    return lowering.lower(both)


def _eligible(
    lowering: Lowering,
    rule: Rule,
    exclusions: list[Rule],
    withdrawn: Mapping[str, Dnf | str],
) -> tuple[Dnf, list[str]]:
    """When `rule` is eligible: its conditions true and no exclusion possibly withdrawing it."""
    lowering.unstated = set()
    true, _ = _lower_rule(lowering, rule)
    for exclusion in exclusions:
        spec = exclusion.spec.excludes
        if exclusion is rule or spec is None or not spec.withdraws(rule.id, rule.amount.unit):
            continue
        not_excluded = withdrawn[exclusion.id]
        if isinstance(not_excluded, str):
            raise UnsupportedError(
                f"may be withdrawn by exclusion {exclusion.id}, which cannot be exported: "
                f"{not_excluded}"
            )
        true = true.and_(not_excluded)
    notes = [
        f"parameter {p} has no value on {lowering.as_of}: what needs it is never certain"
        for p in sorted(lowering.unstated)
    ]
    return true, notes


def _amounts(
    lowering: Lowering, rule: Rule, eligible: Dnf
) -> tuple[tuple[AmountCase, ...], str | None]:
    """The amount's cases, or none and why not."""
    node = rule.amount.node
    if node is None or eligible.is_false:
        return (), None
    try:
        cases = lowering.amount(lowering.inline(node))
        if len(cases) == 1 and cases[0][0].is_true:
            return (AmountCase((), _amount_value(cases[0][1])),), None
        guarded = [(eligible.and_(when), operand) for when, operand in cases]
    except UnsupportedError as error:
        return (), f"amount not exported: it {error}"
    except TooComplexError as error:
        return (), f"amount not exported: its cases expand to {error}"
    return tuple(
        AmountCase(to_conditions(when), _amount_value(operand))
        for when, operand in guarded
        if not when.is_false
    ), None


def _amount_value(operand: Operand | None) -> Any:
    return None if operand is None else _operand(operand)


def amount(expression: Any, fact: Any) -> Any:
    """The value of an exported amount expression on a fact (a dict or durable-rules'
    ``c.m``), as an action computes it."""
    if not isinstance(expression, Mapping):
        return expression
    if "$m" in expression:
        return fact[expression["$m"]]
    ((op, sides),) = expression.items()
    left, right = amount(sides["$l"], fact), amount(sides["$r"], fact)
    return _COMPUTE[op](left, right)


_COMPUTE: Mapping[str, Callable[[Any, Any], Any]] = {
    "$add": operator.add,
    "$sub": operator.sub,
    "$mul": operator.mul,
    "$div": operator.truediv,
}


# JSON conditions ------------------------------------------------------------------------------

_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


def to_conditions(dnf: Dnf) -> tuple[dict[str, Any], ...]:
    """A DNF as durable-rules conditions on the fact ``m``, any of which may hold: one, or
    more where it has over `MAX_ALTERNATIVES` alternatives."""
    terms = [_term(atoms) for atoms in dnf.sorted_terms()]
    chunks = [terms[i : i + MAX_ALTERNATIVES] for i in range(0, len(terms), MAX_ALTERNATIVES)]
    return tuple(chunk[0] if len(chunk) == 1 else {"$or": chunk} for chunk in chunks)


def _term(atoms: list[Atom]) -> dict[str, Any]:
    if not atoms:
        return {"$ex": {ROW_FIELD: 1}}
    parts = [_atom(a) for a in atoms]
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _atom(atom: Atom) -> dict[str, Any]:
    if atom.op == "exists":
        return {"$ex": {atom.field: 1}}
    assert atom.rhs is not None
    right = _operand(atom.rhs)
    if atom.op == "==":
        return {atom.field: right}
    return {_OPS[atom.op]: {atom.field: right}}


def _operand(operand: Operand, divisor: bool = False) -> Any:
    if isinstance(operand, Const):
        value = operand.value
        if isinstance(value, Decimal) or (divisor and not isinstance(value, bool)):
            return float(value)  # a float divisor: durable-rules divides integers as integers
        return value
    if isinstance(operand, FieldValue):
        return {"$m": operand.name}
    assert isinstance(operand, Arith)
    return {
        _ARITH[operand.op]: {
            "$l": _operand(operand.left),
            "$r": _operand(operand.right, divisor=operand.op == "/"),
        }
    }


def _condition_fields(condition: Any) -> set[str]:
    """Every fact field a JSON condition or amount reads."""
    out: set[str] = set()
    if isinstance(condition, list):
        for part in condition:
            out |= _condition_fields(part)
    elif isinstance(condition, dict):
        for key, value in condition.items():
            if key == "$m":
                out.add(str(value))
            elif key.startswith("$"):
                out |= _condition_fields(value)
            else:
                out.add(key)
                out |= _condition_fields(value)
    return out


# Running --------------------------------------------------------------------------------------

_runs = itertools.count()


def _durable_engine() -> Any:
    return require("durable.engine", extra="export")


def run(
    export: DurableExport, profiles: Iterable[Mapping[str, Any] | BaseModel]
) -> list[tuple[int, str, Any]]:
    """The sorted (row, rule id, amount) triples durable-rules finds eligible among `profiles`
    (rows count from 0 in the order given; the amount as the actions compute it, None where
    it is not exported or the engine finds no figure).

    Each profile is asserted as a fact and retracted before the next, so memory stays flat and
    no two live facts can collide; a profile no rule matches raises durable-rules'
    ``MessageNotHandledException``, which is caught. A rule whose condition has alternatives
    may fire once per alternative that holds; each pair is reported once.
    """
    engine = _durable_engine()

    class QuietHost(engine.Host):  # type: ignore[misc,name-defined]
        """A host without the background threads that dispatch queued actions and timers:
        `run` completes every action itself, and they would otherwise live forever."""

        def _run(self) -> None:
            return None

    eligible: dict[tuple[int, str], Any] = {}
    amounts: dict[tuple[int, str], Any] = {}

    def action(found: dict[tuple[int, str], Any], rule_id: str, value: Any) -> Any:
        def fired(closure: Any) -> None:
            fact = closure.m
            found[int(fact[ROW_FIELD]), rule_id] = None if value is None else amount(value, fact)

        return fired

    if not export.rules:
        return []
    name = f"{export.name}-run{next(_runs)}"
    definition = {
        part.name: {
            "all": [{"m": json.loads(json.dumps(part.condition))}],
            "run": action(eligible if part.eligibility else amounts, r.rule_id, part.amount),
        }
        for r in export.rules
        for part in r.durable_rules()
    }
    host = QuietHost()
    host.register_rulesets({name: definition})
    try:
        for row, profile in enumerate(profiles):
            fact = export.fact(profile, row)
            try:
                host.assert_fact(name, fact)
            except engine.MessageNotHandledException:
                pass  # no rule matched this profile
            except engine.MessageObservedException as error:
                raise RuntimeError(
                    f"durable-rules took row {row} for a fact it already holds"
                ) from error
            with contextlib.suppress(engine.MessageNotHandledException):
                host.retract_fact(name, fact)
    finally:
        _delete_ruleset(host, name)
    return sorted(
        (row, rule_id, amounts.get((row, rule_id), value))
        for (row, rule_id), value in eligible.items()
    )


def _delete_ruleset(host: Any, name: str) -> None:
    """Free the C engine's ruleset (the Python API never does)."""
    try:
        import durable_rules_engine  # type: ignore[import-untyped,import-not-found,unused-ignore]

        durable_rules_engine.delete_ruleset(host.get_ruleset(name)._handle)
    except (ImportError, AttributeError, KeyError):  # pragma: no cover - best effort
        pass


__all__ = [
    "ROW_FIELD",
    "AmountCase",
    "DurableExport",
    "DurableRule",
    "ExportedRule",
    "SkippedRule",
    "amount",
    "fact_value",
    "run",
    "to_conditions",
    "to_durable",
]
