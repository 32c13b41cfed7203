"""Per-item rules bounded by an item's date: an item outside the rule's force is no entitlement.

A fair that began before the policy, a project signed before it, an application made before it
are not entitlements under it. A per-item rule names the item date that decides this
(`bounded_by: exhibition.starts_on`); the rule then gets one more condition,
`dated_within_force`, that the date lies within the rule's `in_force` period, so an item dated
outside it is ineligible with that condition false, and one without the date is undetermined,
naming it. Both backends judge it as any other condition. A per-item rule whose items carry a
date and that names none must say why (`unbounded: …`): a rulebook cannot forget the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from subsidy_engine.errors import ErrorCode
from subsidy_engine.lang import types as t
from subsidy_engine.rulebook.models import RuleSpec
from subsidy_engine.rulebook.rulebook import ForEach

BOUND_CONDITION = "dated_within_force"
"""The name of the condition a `bounded_by` adds to a rule."""


@dataclass(frozen=True, slots=True)
class BoundProblem:
    key: str
    """The rule's key the problem is at (`bounded_by`, `unbounded`)."""
    code: ErrorCode
    message: str


def bound_condition(
    spec: RuleSpec, for_each: ForEach | None, record: t.Record | None
) -> tuple[str | None, list[BoundProblem]]:
    """The text of the condition `spec.bounded_by` adds (None if it adds none), and what is
    wrong with the rule's item-date bound."""
    dated = _date_fields(record)
    if for_each is None:
        extra = [k for k in ("bounded_by", "unbounded") if getattr(spec, k) is not None]
        return None, [BoundProblem(k, "schema", f"only a per-item rule has '{k}'") for k in extra]
    if spec.bounded_by is not None and spec.unbounded is not None:
        message = "a rule is either bounded by an item date or says why not, not both"
        return None, [BoundProblem("unbounded", "schema", message)]
    if spec.bounded_by is None:
        if dated and spec.unbounded is None:
            fields = ", ".join(f"{for_each.var}.{name}" for name in dated)
            message = (
                f"the items of {for_each.list_field} carry dates ({fields}): name the one that "
                "must fall within the rule's force in 'bounded_by', or say in 'unbounded' why "
                "none does"
            )
            return None, [BoundProblem("for_each", "unbounded-item", message)]
        return None, []
    var, _, name = spec.bounded_by.strip().partition(".")
    if var != for_each.var:
        message = f"'{var}' is not the rule's item; the item is '{for_each.var}'"
        return None, [BoundProblem("bounded_by", "unknown-name", message)]
    if name not in dated:
        known = ", ".join(dated) or "none"
        message = f"{for_each.list_field} items have no date field '{name}' (date fields: {known})"
        return None, [BoundProblem("bounded_by", "unknown-name", message)]
    period = spec.in_force
    if period.from_ is None and period.until is None:
        message = "a rule bounded by an item date needs the dates of its force ('in_force')"
        return None, [BoundProblem("bounded_by", "schema", message)]
    field = f"{var}.{name}"
    parts = []
    if period.from_ is not None:
        parts.append(f"{field} >= date('{period.from_.isoformat()}')")
    if period.until is not None:
        parts.append(f"{field} <= date('{period.until.isoformat()}')")
    return " and ".join(parts), []


def _date_fields(record: t.Record | None) -> list[str]:
    if record is None:
        return []
    return [name for name, ty in record.fields if isinstance(ty, t.Date)]
