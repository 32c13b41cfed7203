"""One conformance suite, every backend: a rulebook's YAML test cases scored as a table.

`evaluate` judges one profile at a time; `score` judges a table. A test case holds both to its
expectations, and holds them to each other: every rule's (and item's) result must be the same
in both, field by field, whether the case names the rule or not. The profiles of all the cases
dated the same day are scored in one table, as a registry would be.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.batch.columns import result_columns
from subsidy_engine.batch.scoring import score
from subsidy_engine.cases import Record, case_engine
from subsidy_engine.errors import ProfileError

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine
    from subsidy_engine.rulebook.models import ExpectedCase

ResultKey = tuple[str, int | None]
"""A rule id, and the item index for per-item rules."""

COMPARED = (
    "status",
    "amount",
    "amount_date",
    "amount_status",
    "unit",
    "payer",
    "missing_facts",
    "missing_parameters",
    "unspecified_parameters",
    "excluded_by",
    "item_label",
    "readings",
    "arithmetic",
)
"""The result fields both backends report, compared one by one."""


def compared_columns(key: str | None) -> tuple[str, ...]:
    """The result columns `score` is asked for to compare it with `evaluate`: the default ones
    and the arithmetic faults."""
    return (*result_columns(key), "arithmetic")


FIGURED = ("eligible", "undetermined")
"""The statuses whose figure `score` writes (as `amount` and as `potential_amount`)."""


def scored_records(results: pl.DataFrame) -> dict[int, dict[ResultKey, Record]]:
    """`score`'s result rows, by input row and then by rule and item."""
    by_row: dict[int, dict[ResultKey, Record]] = {}
    for row in results.iter_rows(named=True):
        record = {name: row[name] for name in COMPARED}
        if record["amount"] is None:  # an undetermined entitlement's figure
            record["amount"] = row["potential_amount"]
        for name in ("status", "unit", "amount_status", "excluded_by"):
            record[name] = None if record[name] is None else str(record[name])
        record["readings"] = [r for r in str(record["readings"]).split(",") if r]
        by_row.setdefault(row["row"], {})[(str(row["rule_id"]), row["item"])] = record
    return by_row


def profile_table(engine: Engine, profiles: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Profiles as a typed table, one row each, as a registry would hold them. A profile the
    model refuses is left as given, for `score` to reject."""
    types = engine.rulebook.profile.types
    rows = []
    for profile in profiles:
        try:
            rows.append(engine.validate(profile).model_dump(exclude_none=True))
        except ProfileError:
            rows.append(dict(profile))
    schema = {name: dtype_of(ty) for name, ty in types.items()}
    return pl.DataFrame(rows, schema=schema, strict=False)


def differences(
    evaluated: Mapping[ResultKey, Record], scored: Mapping[ResultKey, Record]
) -> list[str]:
    """Every result on which the two backends differ, field by field."""
    out = []
    for where in sorted(set(evaluated) | set(scored), key=lambda k: (k[0], k[1] or -1)):
        shown = where[0] if where[1] is None else f"{where[0]}[{where[1]}]"
        mine, theirs = evaluated.get(where), scored.get(where)
        if mine is None or theirs is None:
            side = "score" if mine is None else "evaluate"
            out.append(f"{shown}: only {side} has this result")
            continue
        for name in COMPARED:
            if name == "amount" and mine["status"] not in FIGURED:
                continue  # `score` shows a figure only where it may be paid
            if mine[name] != theirs[name]:
                seen = f"{theirs[name]!r} in score, {mine[name]!r} in evaluate"
                out.append(f"{shown}: {name} is {seen}")
    return out


@dataclass(frozen=True, slots=True)
class ScoredCases:
    """`score`'s results for a set of cases, scored one table per `as_of` date."""

    by_case: Mapping[int, dict[ResultKey, Record] | None]
    """id(case) -> its results by rule and item; None when `score` rejected its profile."""

    def of(self, case: ExpectedCase) -> dict[ResultKey, Record] | None:
        return self.by_case[id(case)]


def score_cases(engine: Engine, cases: Iterable[ExpectedCase]) -> ScoredCases:
    """Score every case's profile, all those of one `as_of` date (and readings) in one table."""
    by_day: dict[tuple[date, str], list[ExpectedCase]] = {}
    for case in cases:
        if case.subject is not None:  # a subject's facts, not an enterprise's: no score
            continue
        chosen = repr(sorted({**case.parameters, **case.readings}.items()))
        by_day.setdefault((case.as_of, chosen), []).append(case)
    by_case: dict[int, dict[ResultKey, Record] | None] = {}
    for (day, _), group in by_day.items():
        reading = case_engine(engine, group[0])
        table = profile_table(reading, [c.profile for c in group])
        columns = compared_columns(reading.rulebook.profile.key)
        scored = score(reading, table, day, statuses="all", columns=columns)
        rejected = set(scored.rejects["row"].to_list())
        rows = scored_records(scored.results)
        for position, case in enumerate(group):
            by_case[id(case)] = None if position in rejected else rows.get(position, {})
    return ScoredCases(by_case)
