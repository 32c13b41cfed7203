"""`score`: a table of enterprise profiles -> every rule's result for every enterprise.

Stages, each a module: `inputs` (any table -> Polars, rows numbered), `validate` (rows -> valid
profiles + rejects), `backends.polars.plan` (the rulebook compiled for `as_of`, cached), `frames`
(derived facts
and exclusion truths as columns; list items exploded), `long` (one row per enterprise × rule
× item), `output` (names, sorted missing lists, totals). The same rule means the same as in
`Engine.evaluate` — a property test holds them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine.__about__ import __version__
from subsidy_engine.backends.polars.plan import STATUSES, Plan, code, compile_plan
from subsidy_engine.batch.columns import SUMMARY_SOURCES, chosen_columns, sources
from subsidy_engine.batch.frames import ROW, base_frame
from subsidy_engine.batch.inputs import Table, to_polars
from subsidy_engine.batch.long import long_schema, rule_rows
from subsidy_engine.batch.mapping import MappingLike, as_mapping
from subsidy_engine.batch.output import finish
from subsidy_engine.batch.output import summary as summary_of  # `summary` is a parameter
from subsidy_engine.batch.possible import possible_texts
from subsidy_engine.batch.rollup import rollup_part
from subsidy_engine.batch.salvage import unreadable_rows
from subsidy_engine.batch.transform import prepare
from subsidy_engine.batch.validate import validate
from subsidy_engine.errors import InputError
from subsidy_engine.memo import Memo
from subsidy_engine.results import Provenance, Status
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.rulebook.rulebook import Rulebook

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

DEFAULT_STATUSES = ("eligible", "undetermined", "excluded")
_PLANS: Memo[Plan] = Memo()


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """What `score` returns. `rows_read == rows_scored + rows_rejected`, always."""

    results: pl.DataFrame
    """One row per scored enterprise × rule (× item), statuses and columns as requested."""
    rejects: pl.DataFrame
    """One row per rejected input row: `row`, the key as given, `reason`."""
    summary: pl.DataFrame | None
    """With summary=True: one row per scored enterprise, eligible cash totals by payer."""
    rows_read: int
    rows_scored: int
    rows_rejected: int
    provenance: Provenance
    rollup: pl.DataFrame | None = None
    """With rollup=FIELD: the batch's roll-up by FIELD × measure × payer (`batch.rollup`)."""


def score(
    engine_or_rulebook: Engine | Rulebook,
    table: Table,
    as_of: date,
    *,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    summary: bool = False,
    row_offset: int = 0,
    mapping: MappingLike | None = None,
    columns: Iterable[str] | str | None = None,
    units: Iterable[str] | None = None,
    rollup: str | None = None,
) -> ScoreResult:
    """Score every row of `table` (one enterprise per row; columns named as profile fields,
    lists of records as list[struct]) against the rulebook as of `as_of`.

    `statuses` chooses the results kept (`"all"` for all five). Bad rows are reported in
    `rejects` and not scored; every other row is. Rows are numbered from `row_offset`.
    `mapping` (profile field -> column, or a loaded `ColumnMapping`) renames the columns of a
    table whose names differ from the profile's and reads their values as it says; with a
    mapping (even an empty one), columns named by a field's title or alias are recognised.
    `columns` (names, or a comma list) chooses the result columns, in that order (default:
    all, `columns.result_columns`); only what they need is computed.
    """
    rulebook = _rulebook(engine_or_rulebook)
    read = read_profiles(rulebook, table, row_offset=row_offset, mapping=mapping)
    return score_profiles(
        rulebook,
        read,
        as_of,
        statuses=statuses,
        summary=summary,
        columns=columns,
        units=units,
        rollup=rollup,
    )


@dataclass(frozen=True, slots=True)
class Profiles:
    """A table read as profiles."""

    valid: pl.DataFrame
    """The valid rows: the profile's fields, typed and normalised (`validate`), and ROW."""
    rejects: pl.DataFrame
    """One row per rejected input row: `row`, the key as given, `reason`."""
    rows_read: int


def read_profiles(
    rulebook: Rulebook, table: Table, *, row_offset: int = 0, mapping: MappingLike | None = None
) -> Profiles:
    """The rows of `table` (numbered from `row_offset`) read as profiles, as `score` reads them."""
    key = rulebook.profile.key
    frame, unread = unreadable_rows(to_polars(table, row_offset), key)
    if mapping is not None:
        frame, unmapped = prepare(frame, as_mapping(mapping), rulebook)
        unread = unmapped if unread is None else pl.concat([unread, unmapped])
    valid, rejects = validate(frame, rulebook)
    if unread is not None and unread.height:
        rejects = pl.concat([unread, rejects]).sort("row")
    read = frame.height + (unread.height if unread is not None else 0)
    return Profiles(valid, rejects, read)


def score_profiles(
    rulebook: Rulebook,
    profiles: Profiles,
    as_of: date,
    *,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    summary: bool = False,
    columns: Iterable[str] | str | None = None,
    units: Iterable[str] | None = None,
    rollup: str | None = None,
) -> ScoreResult:
    """`score` of profiles already read (`read_profiles`): the valid ones scored, the rejects
    passed on."""
    kept = _status_codes(statuses)
    key = rulebook.profile.key
    chosen = chosen_columns(columns, key)
    valid, rejects = profiles.valid, profiles.rejects
    plan = plan_for(rulebook, as_of)
    base, excluders = base_frame(valid, plan)
    eligible = code(Status.ELIGIBLE)
    extra = ({eligible} if summary else set()) | (_ROLLED if rollup else set())
    wanted = sorted({*kept, *extra}) if extra else kept
    needs = sources(chosen) | (SUMMARY_SOURCES if summary or rollup else frozenset())
    parts = rule_rows(plan, base, excluders, wanted, needs)
    # each part its own query: one query of all parts plans and runs them more slowly
    found = (
        pl.concat(pl.collect_all(parts), how="vertical")
        if parts
        else pl.DataFrame(schema=long_schema(plan.words, needs))
    )
    kept_rows = found if wanted == kept else found.filter(pl.col("__status").is_in(kept))
    if units is not None:
        kept_rows = kept_rows.filter(pl.col("__rule").is_in(_rules_in(plan, units)))
    named = ["name"] if "name" in chosen and "name" in base.columns and key != "name" else []
    scored = base.select(pl.col(ROW).alias("row"), *([key] if key else []), *named)
    if "possible_values" in chosen:
        scored = scored.with_columns(possible_texts(base, plan))
    results = finish(kept_rows, plan, scored, key, chosen)
    totals = None
    if summary:
        totals = summary_of(found, scored, plan, key)
    rolled = rollup_part(found, base, plan, rollup) if rollup else None
    book = rulebook
    provenance = Provenance(book.id, book.sha256, __version__, as_of, book.reform_label)
    return ScoreResult(
        results=results,
        rejects=rejects,
        summary=totals,
        rows_read=profiles.rows_read,
        rows_scored=valid.height,
        rows_rejected=rejects.height,
        provenance=provenance,
        rollup=rolled,
    )


_ROLLED = {code(Status.ELIGIBLE), code(Status.UNDETERMINED)}


def _rules_in(plan: Plan, units: Iterable[str]) -> list[int]:
    chosen = set(units)
    known = {u.value for u in Unit}
    unknown = sorted(chosen - known)
    if unknown:
        raise InputError(f"unknown unit {unknown[0]!r}; units are {', '.join(sorted(known))}")
    return [r.index for r in plan.rules if r.amount.unit.value in chosen]


def score_batches(
    engine_or_rulebook: Engine | Rulebook,
    batches: Iterable[Table],
    as_of: date,
    *,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    summary: bool = False,
    mapping: MappingLike | None = None,
    columns: Iterable[str] | str | None = None,
    units: Iterable[str] | None = None,
    rollup: str | None = None,
) -> Iterator[ScoreResult]:
    """Score a registry batch by batch, in bounded memory: one `ScoreResult` per batch, rows
    numbered across batches (e.g. `pl.scan_parquet(path).collect_batches()`, Arrow record
    batches, or the `mapInArrow` iterator of a Spark executor)."""
    offset = 0
    chosen = statuses if isinstance(statuses, str) else tuple(statuses)
    shown = columns if columns is None or isinstance(columns, str) else tuple(columns)
    kinds = None if units is None else tuple(units)
    for batch in batches:
        result = score(
            engine_or_rulebook,
            batch,
            as_of,
            statuses=chosen,
            summary=summary,
            row_offset=offset,
            mapping=mapping,
            columns=shown,
            units=kinds,
            rollup=rollup,
        )
        offset += result.rows_read
        yield result


def plan_for(rulebook: Rulebook, as_of: date) -> Plan:
    """The rulebook compiled for `as_of` (the last few are kept)."""
    return _PLANS.get(rulebook, as_of, compile_plan, rulebook, as_of)


def _rulebook(source: Engine | Rulebook) -> Rulebook:
    if isinstance(source, Rulebook):
        return source
    rulebook = getattr(source, "rulebook", None)
    if not isinstance(rulebook, Rulebook):
        raise InputError(f"score needs an Engine or a Rulebook, not a {type(source).__name__}")
    return rulebook


def _status_codes(statuses: Iterable[str | Status] | str) -> list[int]:
    if statuses == "all":
        return list(range(len(STATUSES)))
    chosen = [statuses] if isinstance(statuses, str) else list(statuses)
    codes = []
    for status in chosen:
        name = status.value if isinstance(status, Status) else str(status)
        if name not in STATUSES:
            raise InputError(f"unknown status {name!r}; statuses are {', '.join(STATUSES)}")
        codes.append(STATUSES.index(name))
    return codes


def status_names(statuses: Iterable[str | Status] | str) -> tuple[str, ...]:
    """The names of the statuses `statuses` keeps, in the order of `STATUSES`."""
    return tuple(STATUSES[c] for c in sorted(set(_status_codes(statuses))))
