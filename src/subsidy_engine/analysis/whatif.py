"""What if: evaluate a profile and a changed copy (or under a reform), and say what differs.

>>> # engine.what_if(profile, {"employees": 520}, as_of=date(2019, 12, 31)).gained
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from subsidy_engine.errors import InputError
from subsidy_engine.results import Evaluation, ItemRef, RuleResult, Status
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    import polars as pl

_PATH = re.compile(r"^([a-z][a-z0-9_]*)(?:\[(\d+)\]\.([a-z][a-z0-9_]*))?$")


@dataclass(frozen=True, slots=True)
class FlippedCondition:
    name: str
    expression: str
    before: bool | None
    after: bool | None
    values_before: dict[str, Any]
    values_after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RuleChange:
    """One rule (or item) whose result differs between the two evaluations."""

    rule_id: str
    title: str
    item: ItemRef | None
    kind: str
    """gained (now eligible), lost (no longer eligible), amount (eligible both times, another
    figure), status (any other change of status)."""
    before: RuleResult | None
    after: RuleResult | None
    flipped: tuple[FlippedCondition, ...]

    @property
    def amount_before(self) -> Decimal | None:
        """The figure before: 0 when not eligible, None when eligible without a figure."""
        return _eligible_figure(self.before)

    @property
    def amount_after(self) -> Decimal | None:
        """The figure after: 0 when not eligible, None when eligible without a figure."""
        return _eligible_figure(self.after)

    @property
    def amount_delta(self) -> Decimal | None:
        """Change of the determined figure (a loss is negative). A figure without a value on
        one side counts as no determined money there, so a reform that sets a figure the text
        left open shows that figure; None only when neither side has one."""
        old, new = self.amount_before, self.amount_after
        if old is None and new is None:
            return None
        return (new or Decimal(0)) - (old or Decimal(0))


@dataclass(frozen=True, slots=True)
class Comparison(Tabular):
    baseline: Evaluation
    changed: Evaluation
    changes: tuple[RuleChange, ...]

    def of_kind(self, kind: str) -> list[RuleChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def gained(self) -> list[RuleChange]:
        return self.of_kind("gained")

    @property
    def lost(self) -> list[RuleChange]:
        return self.of_kind("lost")

    def to_polars(self) -> pl.DataFrame:
        import polars as pl

        return pl.DataFrame(
            [
                {
                    "rule_id": c.rule_id,
                    "item": c.item.index if c.item else None,
                    "change": c.kind,
                    "before": str(c.before.status) if c.before else None,
                    "after": str(c.after.status) if c.after else None,
                    "amount_before": c.amount_before,
                    "amount_after": c.amount_after,
                    "amount_delta": c.amount_delta,
                    "flipped": [f.name for f in c.flipped],
                }
                for c in self.changes
            ],
            infer_schema_length=None,
        )


def _eligible_figure(result: RuleResult | None) -> Decimal | None:
    if result is None or result.status is not Status.ELIGIBLE:
        return Decimal(0)
    value = result.amount.value
    return value if isinstance(value, Decimal) else None


def compare(before: Evaluation, after: Evaluation) -> Comparison:
    """Rule by rule (and item by item), what differs from `before` to `after`."""
    old = {_key(r): r for r in before.results}
    new = {_key(r): r for r in after.results}
    changes = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        kind = _kind(a, b)
        if kind is None:
            continue
        result = b or a
        assert result is not None
        changes.append(
            RuleChange(result.rule_id, result.rule.title, result.item, kind, a, b, _flipped(a, b))
        )
    return Comparison(before, after, tuple(changes))


def _key(result: RuleResult) -> tuple[str, int | None]:
    return result.rule_id, result.item.index if result.item else None


def _kind(before: RuleResult | None, after: RuleResult | None) -> str | None:
    was = before is not None and before.status is Status.ELIGIBLE
    now = after is not None and after.status is Status.ELIGIBLE
    if now and not was:
        return "gained"
    if was and not now:
        return "lost"
    if before is None or after is None:
        return "status"
    if before.status is not after.status:
        return "status"
    if now and (before.amount.value, before.amount.status) != (
        after.amount.value,
        after.amount.status,
    ):
        return "amount"
    return None


def _flipped(before: RuleResult | None, after: RuleResult | None) -> tuple[FlippedCondition, ...]:
    if before is None or after is None:
        return ()
    flipped = []
    for old, new in zip(before.conditions, after.conditions, strict=False):
        if old.outcome is not new.outcome:
            flipped.append(
                FlippedCondition(
                    old.name, old.expression, old.outcome, new.outcome, old.values, new.values
                )
            )
    return tuple(flipped)


def changed_profile(profile: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `profile` with `changes` applied; keys are fields or `list[index].field`.

    A value of None removes the fact (makes it missing).
    """
    out = {
        key: (list(value) if isinstance(value, list) else value) for key, value in profile.items()
    }
    for path, value in changes.items():
        match = _PATH.match(path)
        if match is None:
            raise InputError(f"{path!r} is not a field or list[index].field path")
        field, index, item_field = match.groups()
        if index is None:
            out[field] = value
            continue
        items = out.get(field)
        position = int(index)
        if not isinstance(items, list) or position >= len(items):
            raise InputError(f"{path}: the profile has no item {position} in {field}")
        item = dict(
            items[position].__dict__ if hasattr(items[position], "__dict__") else items[position]
        )
        item[item_field] = value
        items[position] = item
    return {key: value for key, value in out.items() if value is not None}
