"""Gaps: for each rule a profile does not qualify for, the smallest change that would make it.

The changes are planned from the rule's own conditions (`gap_planner`). A change the
enterprise can make is within reach; a rule that needs a change of the enterprise's history
(a year it entered a register, a date already past, a recognition already received) is out of
reach for this enterprise, with the reason, and is never proposed as a change. Facts that are
missing are asked for (`questions`), the one that decides the most rules first. Every
proposal on the profile's own facts is checked by re-evaluating the changed profile
(`verified`).

The work grows with the profile's lists in proportion: the profile's frame is built once, and
the items of a per-item rule whose result depends on its own item only are checked together,
in one re-evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from subsidy_engine.analysis.gap_facts import FactReader
from subsidy_engine.analysis.gap_planner import (
    INFINITY,
    FactChange,
    Planner,
    cost,
    frame_for,
    money_fields,
    plan,
)
from subsidy_engine.backends.python.compiler import Frame
from subsidy_engine.backends.python.evaluate import ScalarEvaluator
from subsidy_engine.results import Evaluation, ItemRef, RuleResult, Status
from subsidy_engine.rulebook.rulebook import Rule
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    import polars as pl

__all__ = ["INFINITY", "FactChange", "Gap", "GapReport", "Question", "find_gaps"]


@dataclass(frozen=True, slots=True)
class Gap:
    rule_id: str
    title: str
    measure: int
    status: Status
    item: ItemRef | None
    reachable: bool
    """False when no change of the enterprise's own, changeable facts can make the rule
    apply: out of force, or hanging on its history (`note` says which)."""
    changes: tuple[FactChange, ...]
    missing_facts: tuple[str, ...]
    distance: float
    """How far the enterprise is: relative size of numeric changes, 1 per other change."""
    verified: bool | None
    """Whether applying `changes` to the profile makes the rule no longer fail (None: the
    changes cannot all be applied by setting fields)."""
    note: str = ""
    unspecified_parameters: tuple[str, ...] = ()
    """Parameters without a value that still leave the rule undecided after the changes."""
    history: tuple[FactChange, ...] = ()
    """Out of reach: the changes it would need that are the enterprise's history."""
    in_force: tuple[date | None, date | None] | None = None
    """Out of force: the rule's first and last day in force."""

    @property
    def kind(self) -> str:
        """`within reach` (changes to make), `to supply` (only facts to give) or `out of
        reach`."""
        if not self.reachable:
            return "out of reach"
        return "within reach" if self.changes else "to supply"

    def __str__(self) -> str:
        if not self.reachable:
            return f"measure {self.measure}, {self.rule_id}: {self.note}"
        what = ", ".join(str(c) for c in self.changes) or "supply " + ", ".join(self.missing_facts)
        notes = [self.note] if self.note else []
        if self.unspecified_parameters:
            notes.append("no value yet for " + ", ".join(self.unspecified_parameters))
        return f"{what} — measure {self.measure}, {self.rule_id}" + (
            f" ({'; '.join(notes)})" if notes else ""
        )


@dataclass(frozen=True, slots=True)
class Question:
    fact: str
    decides: tuple[str, ...]
    """The rules (undetermined, or with a gap that lists this fact) it would help decide."""


@dataclass(frozen=True, slots=True)
class GapReport(Tabular):
    evaluation: Evaluation
    gaps: tuple[Gap, ...]
    """Closest first; those out of reach last."""
    questions: tuple[Question, ...] = field(default=())
    """Facts to supply, the one that decides the most rules first."""

    @property
    def within_reach(self) -> tuple[Gap, ...]:
        """Changes the enterprise could make, closest first."""
        return tuple(g for g in self.gaps if g.reachable and g.changes)

    @property
    def out_of_reach(self) -> tuple[Gap, ...]:
        """Rules no change of the enterprise's changeable facts can bring, with the reason."""
        return tuple(g for g in self.gaps if not g.reachable)

    def to_polars(self) -> pl.DataFrame:
        """One row per gap, closest first."""
        import polars as pl

        rows = [
            {
                "rule_id": gap.rule_id,
                "measure": gap.measure,
                "title": gap.title,
                "item": None if gap.item is None else str(gap.item),
                "status": str(gap.status),
                "kind": gap.kind,
                "reachable": gap.reachable,
                "changes": [str(c) for c in gap.changes],
                "missing_facts": list(gap.missing_facts),
                "distance": gap.distance,
                "verified": gap.verified,
                "note": gap.note,
            }
            for gap in self.gaps
        ]
        text, texts = pl.String(), pl.List(pl.String())
        schema = {
            "rule_id": text,
            "measure": pl.Int64(),
            "title": text,
            "item": text,
            "status": text,
            "kind": text,
            "reachable": pl.Boolean(),
            "changes": texts,
            "missing_facts": texts,
            "distance": pl.Float64(),
            "verified": pl.Boolean(),
            "note": text,
        }
        return pl.DataFrame(rows, schema=schema)


Reevaluate = Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], Evaluation]]
"""Changes (field or `list[index].field` -> value) -> (the changed profile's validated facts,
its evaluation)."""

_ROUNDS = 3
"""Conditions are planned one by one; when one's change upsets another (both read the same
fact), planning again on the changed profile settles it in a round or two."""


@dataclass(slots=True)
class _Plan:
    """One gap while it is being planned and checked."""

    rule: Rule
    result: RuleResult
    changes: list[FactChange]
    missing: set[str]
    verified: bool | None = None
    unspecified: tuple[str, ...] = ()
    settled: bool = False

    @property
    def index(self) -> int | None:
        return self.result.item.index if self.result.item else None

    @property
    def prefix(self) -> str | None:
        item = self.result.item
        return None if item is None else f"{item.list_field}[{item.index}]"


@dataclass(slots=True)
class _Context:
    """What planning and checking every gap of one profile share."""

    evaluator: ScalarEvaluator
    reader: FactReader
    money: frozenset[str]
    reevaluate: Reevaluate
    as_of: date

    def planner(self, frame: Frame, gap: _Plan) -> Planner:
        """A planner for `gap` on `frame` (the profile's, or a changed profile's)."""
        item = gap.result.item
        values = None if item is None else (frame.facts.get(item.list_field) or [])[item.index]
        return Planner(
            self.evaluator, frame_for(frame, values, gap.prefix), self.money, self.reader
        )


def find_gaps(
    evaluator: ScalarEvaluator,
    facts: Mapping[str, Any],
    evaluation: Evaluation,
    reevaluate: Reevaluate,
) -> GapReport:
    """Gaps of every rule `evaluation` does not find eligible; proposals are checked with
    `reevaluate`."""
    rulebook = evaluator.rulebook
    rules = {rule.id: rule for rule in rulebook.rules}
    as_of = evaluation.provenance.as_of
    context = _Context(evaluator, FactReader(rulebook), money_fields(rulebook), reevaluate, as_of)
    base = evaluator.frame(facts, as_of)
    gaps: list[Gap] = []
    plans: list[_Plan] = []
    for result in evaluation.results:
        decided = (Status.ELIGIBLE, Status.EXCLUDED, Status.ENDED)
        if result.status in decided or result.rule.kind == "exclusion":
            continue
        rule = rules[result.rule_id]
        early = _early_gap(rule, result, context.reader)
        if early is not None:
            gaps.append(early)
            continue
        pending = _Plan(rule, result, [], set())
        pending.changes, pending.missing = plan(context.planner(base, pending), rule)
        plans.append(pending)
    _check(plans, context, _list_safe_rules(rules.values(), context.reader))
    gaps += [_finished(p) for p in plans]
    gaps.sort(key=lambda g: (g.distance, g.measure, g.rule_id, g.item.index if g.item else -1))
    return GapReport(evaluation, tuple(gaps), _questions(evaluation, gaps))


def _gap(rule: Rule, result: RuleResult, **fields: Any) -> Gap:
    return Gap(rule.id, rule.spec.title, rule.measure.number, result.status, result.item, **fields)


def _early_gap(rule: Rule, result: RuleResult, reader: FactReader) -> Gap | None:
    """The gap of a rule out of force, or of a per-item rule whose list is empty or missing."""
    if result.status is Status.NOT_IN_FORCE:
        period = rule.spec.in_force
        note = f"in force {period.from_ or '…'} to {period.until or '…'}"
        return _unreachable(rule, result, note, in_force=(period.from_, period.until))
    if rule.for_each is None or result.item is not None:
        return None
    name = rule.for_each.list_field
    if name in reader.historical and not result.missing_facts:
        return _out_of_reach(rule, result, [_one_item(name)])
    changes = () if result.missing_facts else (_one_item(name),)
    return _gap(
        rule,
        result,
        reachable=True,
        changes=changes,
        missing_facts=result.missing_facts,
        distance=1.0,
        verified=None,
    )


def _out_of_reach(rule: Rule, result: RuleResult, history: list[FactChange]) -> Gap:
    needs = "; ".join(_need(c) for c in history)
    note = f"out of reach for this enterprise: it would need {needs}, and that is its history"
    return _unreachable(rule, result, note, history=tuple(history))


def _unreachable(rule: Rule, result: RuleResult, note: str, **why: Any) -> Gap:
    """A gap no change of the enterprise's own facts closes, and why (`history` or
    `in_force`)."""
    return _gap(
        rule,
        result,
        reachable=False,
        changes=(),
        missing_facts=(),
        distance=INFINITY,
        verified=None,
        note=note,
        **why,
    )


def _need(change: FactChange) -> str:
    if change.requirement in ("true", "false"):
        return f"{change.fact} to be {change.requirement}"
    now = "" if change.current is None else f" (it is {change.current})"
    return f"{change.fact}: {change.requirement}{now}"


def _finished(p: _Plan) -> Gap:
    history = [c for c in p.changes if c.historical]
    if history:
        return _out_of_reach(p.rule, p.result, history)
    distance = sum(cost(c) for c in p.changes) if p.changes else 0.0
    if not p.missing and not p.changes:
        distance = INFINITY
    return _gap(
        p.rule,
        p.result,
        reachable=True,
        changes=tuple(p.changes),
        missing_facts=tuple(sorted(p.missing)),
        distance=distance,
        verified=p.verified,
        unspecified_parameters=p.unspecified,
    )


def _check(plans: list[_Plan], context: _Context, list_safe: frozenset[str]) -> None:
    """Apply each plan's changes and re-evaluate; where the rule still fails, plan again on the
    changed profile. Plans that can share a re-evaluation share one."""
    for _ in range(_ROUNDS):
        ready = [
            p for p in plans if not p.settled and p.changes and all(c.settable for c in p.changes)
        ]
        if not ready:
            return
        for batch in _batches(ready, list_safe):
            changes = {c.fact: c.target for p in batch for c in p.changes}
            changed_facts, after = context.reevaluate(changes)
            results = {(r.rule_id, r.item.index if r.item else None): r for r in after.results}
            frame: Frame | None = None
            for p in batch:
                changed = results[(p.rule.id, p.index)]
                p.verified = changed.status is not Status.INELIGIBLE
                # A condition may fail whatever its unknown parts are (false and unknown), and
                # an exclusion may hang on a missing fact: what is still missing shows now.
                p.missing |= set(changed.missing_facts)
                p.unspecified = changed.missing_parameters
                if p.verified:
                    p.settled = True
                    continue
                frame = frame or context.evaluator.frame(changed_facts, context.as_of)
                more, more_missing = plan(context.planner(frame, p), p.rule)
                if not more:
                    p.settled = True
                    continue
                p.changes = _merged(p.changes, more)
                p.missing |= more_missing


def _batches(ready: list[_Plan], list_safe: frozenset[str]) -> Iterator[list[_Plan]]:
    """Plans that can be checked in one re-evaluation: the items of one per-item rule whose
    result depends on nothing but its own item (and the enterprise's unchanged facts), each
    changing only its own item. Every other plan is checked alone."""
    shared: dict[str, list[_Plan]] = {}
    for p in ready:
        prefix = p.prefix
        own_item = prefix is not None and all(c.fact.startswith(prefix + ".") for c in p.changes)
        if own_item and p.rule.id in list_safe:
            shared.setdefault(p.rule.id, []).append(p)
        else:
            yield [p]
    yield from shared.values()


def _list_safe_rules(rules: Iterable[Rule], reader: FactReader) -> frozenset[str]:
    """Per-item rules whose item's result cannot depend on the other items: neither the rule
    nor any exclusion reads the list as a whole, and no exclusion reads its items."""
    rules = list(rules)
    exclusions = frozenset().union(*(reader.rule_reads(r) for r in rules if r.is_exclusion))
    out = set()
    for rule in rules:
        if rule.for_each is None:
            continue
        name = rule.for_each.list_field
        excluded_by_items = any(f == name or f.startswith(name + ".") for f in exclusions)
        if name not in reader.rule_reads(rule) and not excluded_by_items:
            out.add(rule.id)
    return frozenset(out)


def _merged(first: list[FactChange], then: list[FactChange]) -> list[FactChange]:
    """`first` with `then` applied on top; a fact changed twice keeps its original value as
    `current` and takes the later target."""
    out = {c.fact: c for c in first}
    for change in then:
        earlier = out.get(change.fact)
        out[change.fact] = change if earlier is None else replace(change, current=earlier.current)
    return list(out.values())


def _questions(evaluation: Evaluation, gaps: list[Gap]) -> tuple[Question, ...]:
    """Facts to supply: those undetermined rules lack, and those gaps list as still missing;
    the one that would help decide the most rules first."""
    decides: dict[str, dict[str, None]] = {}
    for result in evaluation.undetermined:
        for fact in result.missing_facts:
            decides.setdefault(fact, {})[result.rule_id] = None
    for gap in gaps:
        for fact in gap.missing_facts:
            decides.setdefault(fact, {})[gap.rule_id] = None
    ranked = sorted(decides.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return tuple(Question(fact, tuple(rules)) for fact, rules in ranked)


def _one_item(field: str) -> FactChange:
    """The change that a rule over a list asks when the list is empty: give an item."""
    return FactChange(field, "at least one item", relation="at least one item")
