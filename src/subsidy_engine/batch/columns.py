"""Which result columns `score` writes, and the internal columns each is made from.

A registry scored for a payment run needs the row, rule and amount; one scored to chase missing
facts needs the names. Choosing the columns chooses the work: a column not asked for is not
computed (the missing sets behind `missing_facts` cost more than the statuses).
"""

from __future__ import annotations

from collections.abc import Iterable

from subsidy_engine.errors import InputError, did_you_mean

RESULT_COLUMNS = (
    "row",
    "rule_id",
    "measure",
    "item",
    "item_label",
    "status",
    "unit",
    "amount",
    "potential_amount",
    "amount_date",
    "amount_status",
    "payer",
    "missing_facts",
    "missing_parameters",
    "unspecified_parameters",
    "excluded_by",
    "readings",
)
"""The result columns, in order; the profile key comes second when the profile has one.
`amount` is the figure of an eligible entitlement only, so that a sum of it is eligible money;
an undetermined entitlement's figure is its `potential_amount`."""

OPTIONAL_COLUMNS = ("title", "name", "possible_values", "arithmetic")
"""Columns written only when asked for: the rule's Chinese title; the enterprise's `name`
(when the profile has that field); the values still possible of each enumerated derived fact
the rule reads that is known in part, as `evaluate`'s trace shows them (`batch.possible`); the
arithmetic faults (an overflow, a division by zero) that left a result undetermined, as
`evaluate`'s `RuleResult.arithmetic` names them."""

POSITION = "__pos"
"""The enterprise's position in the scored frame: every result row has it."""
FIXED_MISSING, FIXED_UNSPECIFIED = "__m", "__u"
"""Prefixes of the mask words of the missing set and of the unspecified parameters."""

_SOURCES: dict[str, tuple[str, ...]] = {
    "row": (POSITION,),
    "rule_id": ("__rule",),
    "measure": ("__rule",),
    "item": ("item",),
    "item_label": ("item_label",),
    "status": ("__status",),
    "unit": ("__rule",),
    "amount": ("amount", "__status"),
    "potential_amount": ("amount", "__status"),
    "title": ("__rule",),
    "name": (),
    "amount_date": ("amount_date",),
    "amount_status": ("__as",),
    "payer": ("__rule",),
    "missing_facts": (FIXED_MISSING, "__f"),
    "missing_parameters": (FIXED_MISSING, "__p"),
    "unspecified_parameters": (FIXED_UNSPECIFIED, "__up"),
    "excluded_by": ("__x",),
    "readings": ("__rule",),
    "possible_values": ("__rule", "item"),
    "arithmetic": (FIXED_MISSING,),
}
SUMMARY_SOURCES = frozenset({POSITION, "__rule", "__status", "amount", "__as"})
"""What the per-enterprise totals read."""


def result_columns(key: str | None) -> tuple[str, ...]:
    """Every result column, in the default order."""
    if key is None:
        return RESULT_COLUMNS
    return (RESULT_COLUMNS[0], key, *RESULT_COLUMNS[1:])


def chosen_columns(columns: Iterable[str] | str | None, key: str | None) -> tuple[str, ...]:
    """The columns asked for (a sequence, or a comma list), in the order given; all of them
    when None. InputError naming an unknown or repeated column and listing the valid ones."""
    if columns is None:
        return result_columns(key)
    valid = (*result_columns(key), *OPTIONAL_COLUMNS)
    names = columns.split(",") if isinstance(columns, str) else list(columns)
    chosen = tuple(name.strip() for name in names)
    listed = ", ".join(valid)
    for name in chosen:
        if name not in valid:
            guess = did_you_mean(name, valid)
            hint = f" (did you mean {guess!r}?)" if guess else ""
            raise InputError(f"unknown result column {name!r}{hint}; the columns are {listed}")
    repeated = sorted({name for name in chosen if chosen.count(name) > 1})
    if repeated:
        raise InputError(f"result column {repeated[0]!r} is asked for twice")
    if not chosen:
        raise InputError(f"no result column chosen; the columns are {listed}")
    return chosen


def sources(columns: Iterable[str]) -> frozenset[str]:
    """The internal columns (mask prefixes for the missing sets) the result columns read: the
    enterprise's position always (results are ordered by it; the key is looked up by it)."""
    found = {POSITION}
    for column in columns:
        found.update(_SOURCES.get(column, ()))
    return frozenset(found)
