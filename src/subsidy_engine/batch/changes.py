"""Change-only runs (免申即享): what each enterprise newly gained, lost, or saw change since the
previous run, ready for a notification system.

The previous run's results (a scored file, a results table or a recorded run: `previous`) are
compared, per enterprise key × rule × item, with the new snapshot's. A change is `gained`
(eligible now, not before), `lost` (eligible before, not now), `amount` (eligible both times,
another figure) or `status` (another status among those kept, neither eligible); a null status
is a result neither run kept (ineligible, not in force, or an enterprise new to or gone from the
registry). Each carries the rule's citation and lead departments and, when the previous
registry is given, the facts that changed. An enterprise whose new row is rejected is not
compared (its results are unknown, not lost); its row is in `rejects`. A rejected row whose key
cannot be read (a bad line of the file) may be any enterprise absent from the new snapshot, so
then no absent enterprise is compared.

With the previous registry, only the enterprises whose row changed (by a hash of the row) are
evaluated again: an unchanged row has the same results under the same basis (rulebook id and
content hash, `as_of`, reform). The previous run's recorded basis is checked first; when it
differs, or was not recorded, every row is evaluated and `ChangeRun.full_run_reason` says why.
The list is sorted, so the same inputs give the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine.batch.basis import RunBasis
from subsidy_engine.batch.mapping import ColumnMapping, as_mapping
from subsidy_engine.batch.previous import PreviousRun, from_file
from subsidy_engine.batch.registry import Reading, read_registry
from subsidy_engine.batch.scoring import DEFAULT_STATUSES, score_batches
from subsidy_engine.batch.stream import BATCH_ROWS
from subsidy_engine.batch.transform import prepare
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

_COMPARED = ("rule_id", "item", "status", "amount")
CHANGE_COLUMNS = (
    "change", "rule_id", "measure", "title", "item", "status_before", "status_now",
    "amount_before", "amount_now", "payer", "citation", "lead_departments", "changed_facts",
)  # fmt: skip
Snapshot = Path | pl.DataFrame
"""A registry snapshot: a file, or its rows already read (e.g. from a database table)."""


@dataclass(frozen=True, slots=True)
class ChangeRun:
    """What `changes` found."""

    changes: pl.DataFrame
    """One row per enterprise × entitlement that changed: the key, then `CHANGE_COLUMNS`."""
    evaluated: int
    """How many enterprises were evaluated again."""
    rejects: pl.DataFrame
    """The new snapshot's rows that could not be read (row, key, reason): not compared."""
    rows_read: int
    """The new snapshot's rows, rejected ones included."""
    full_run_reason: str | None = None
    """Why every row was evaluated although the previous registry was given, or None."""


def changes(
    engine: Engine,
    previous: PreviousRun | Path,
    registry: Snapshot,
    *,
    as_of: date,
    previous_registry: Snapshot | None = None,
    mapping: ColumnMapping | None = None,
    reading: Reading | None = None,
) -> ChangeRun:
    """The entitlements gained, lost or changed between the `previous` run (a `PreviousRun`,
    or a scored file) and the `registry` snapshot scored as of `as_of`."""
    key = engine.rulebook.profile.key
    if key is None:
        raise InputError("change-only runs need a profile key to match enterprises")
    if isinstance(previous, Path):
        previous = from_file(previous)
    before = _results(previous.results, key, previous.source)  # read once it is narrowed
    new, unread = _canonical(engine, _rows(registry, reading), mapping)
    changed_rows, old, reason = new, None, None
    if previous_registry is not None:
        reason = _unlike(previous, RunBasis.of(engine.rulebook, as_of))
        if reason is None:
            old, _ = _canonical(engine, _rows(previous_registry, reading), mapping)
            seen = old.select(key, "__hash")
            changed_rows = new.join(seen, on=[key, "__hash"], how="anti")
    now, rejects = _scored(engine, changed_rows, as_of, key)
    rejects = pl.concat([unread, rejects]).sort("row")
    keys = changed_rows.select(pl.col(key).cast(pl.String)).unique().lazy()
    # an enterprise not evaluated again keeps its results; only the evaluated ones are compared
    before = before.join(keys, on=key, how="semi") if old is not None else before
    unreadable = rejects.select(pl.col(key).cast(pl.String)).drop_nulls().lazy()
    before = before.join(unreadable, on=key, how="anti")
    if rejects[key].null_count():
        # a row whose key cannot be read may be any enterprise absent from the new snapshot
        present = new.select(pl.col(key).cast(pl.String)).lazy()
        before = before.join(present, on=key, how="semi")
    found = _cited(_compared(_collected(before, previous.source), now, key), engine)
    facts = _changed_facts(old, changed_rows, key) if old is not None else None
    if facts is not None:
        found = found.join(facts, on=key, how="left")
    else:
        found = found.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("changed_facts"))
    ordered = found.sort(key, "rule_id", "item", nulls_last=True)
    listed = ordered.select(key, *CHANGE_COLUMNS)
    return ChangeRun(listed, changed_rows.height, rejects, new.height + unread.height, reason)


def _unlike(previous: PreviousRun, now: RunBasis) -> str | None:
    """Why the previous run's unchanged rows cannot keep their results, or None."""
    if previous.basis is None:
        return (
            f"{previous.source} does not record the rulebook, as_of and reform it was scored "
            "under, so every row was evaluated"
        )
    differs = previous.basis.differences(now)
    if not differs:
        return None
    return (
        f"{previous.source} was scored under another basis ({'; '.join(differs)}), so every "
        "row was evaluated"
    )


def _rows(snapshot: Snapshot, reading: Reading | None) -> pl.DataFrame:
    return snapshot if isinstance(snapshot, pl.DataFrame) else read_registry(snapshot, reading)


def _scored(
    engine: Engine, rows: pl.DataFrame, as_of: date, key: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the rows' results, the columns compared; their rejects, numbered as in the registry),
    scored in batches: only the compared columns are computed."""
    profiles = rows.drop("__hash", _ROW)
    batches = profiles.iter_slices(BATCH_ROWS) if rows.height else iter([profiles])
    columns = [key, *_COMPARED]
    parts = list(score_batches(engine, batches, as_of, statuses=DEFAULT_STATUSES, columns=columns))
    results = pl.concat([p.results for p in parts])
    rejects = pl.concat([p.rejects for p in parts])
    numbers = rows[_ROW]
    rejects = rejects.with_columns(pl.lit(numbers).gather(pl.col("row")).alias("row"))
    return _collected(_results(results, key, "the new results"), "the new results"), rejects


def _canonical(
    engine: Engine, frame: pl.DataFrame, mapping: ColumnMapping | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the registry's rows with their fields named as the profile's, their row number in the
    registry and a hash of each row; the rows the mapping cannot read)."""
    from subsidy_engine.batch.frames import ROW

    key = engine.rulebook.profile.key
    assert key is not None
    numbered = frame.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    named, unread = prepare(numbered, as_mapping(mapping), engine.rulebook)
    if key not in named.columns:
        raise InputError(f"the registry has no key column ({key})")
    fields = [c for c in named.columns if c != ROW]
    hashed = pl.struct(fields).hash().alias("__hash")
    return named.rename({ROW: _ROW}).with_columns(hashed), unread


_ROW = "__registry_row"


def _results(frame: pl.DataFrame | pl.LazyFrame, key: str, source: str) -> pl.LazyFrame:
    """The compared columns of a run's results, not yet read (a scanned file is read only in
    those columns, and only in the rows kept)."""
    names = frame.collect_schema().names()
    absent = [c for c in (key, *_COMPARED) if c not in names]
    if absent:
        raise InputError(f"{source}: results without the column(s) {', '.join(absent)}")
    return frame.lazy().select(
        pl.col(key).cast(pl.String),
        pl.col("rule_id").cast(pl.String),
        pl.col("item").cast(pl.Int64),
        pl.col("status").cast(pl.String),
        pl.col("amount").cast(pl.String).cast(pl.Decimal(38, 2)),
    )


def _collected(results: pl.LazyFrame, source: str) -> pl.DataFrame:
    try:
        return results.collect()
    except (pl.exceptions.PolarsError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise InputError(f"{source}: the results cannot be read: {first}") from None


def _compared(before: pl.DataFrame, now: pl.DataFrame, key: str) -> pl.DataFrame:
    # results the same in both runs are no change: dropped first, so that the join that pairs
    # the others is the size of the changes, not of the registry's results
    whole = [key, *_COMPARED]
    before, now = (
        before.join(now, on=whole, how="anti", nulls_equal=True),
        now.join(before, on=whole, how="anti", nulls_equal=True),
    )
    on = [key, "rule_id", "item"]
    both = before.join(now, on=on, how="full", coalesce=True, nulls_equal=True, suffix="_now")
    both = both.rename({"status": "status_before", "amount": "amount_before"})
    eligible_before = pl.col("status_before") == "eligible"
    eligible_now = pl.col("status_now") == "eligible"
    change = (
        pl.when(eligible_now & ~eligible_before.fill_null(False))
        .then(pl.lit("gained"))
        .when(eligible_before & ~eligible_now.fill_null(False))
        .then(pl.lit("lost"))
        .when(eligible_before & eligible_now & ~_same("amount_before", "amount_now"))
        .then(pl.lit("amount"))
        .when(~_same("status_before", "status_now"))
        .then(pl.lit("status"))
    )  # fmt: skip
    return both.with_columns(change.alias("change")).filter(pl.col("change").is_not_null())


def _same(left: str, right: str) -> pl.Expr:
    return pl.col(left).eq_missing(pl.col(right))


def _unlike_text(field: str, dtype: pl.DataType) -> pl.Expr:
    text = pl.List(pl.String) if isinstance(dtype, pl.List) else pl.String
    before = pl.col(f"{field}__before").cast(text)
    return ~pl.col(field).cast(text).eq_missing(before)


_CITED: dict[str, pl.DataType] = {
    "rule_id": pl.String(), "measure": pl.Int64(), "title": pl.String(), "payer": pl.String(),
    "citation": pl.String(), "lead_departments": pl.List(pl.String()),
}  # fmt: skip


def _cited(found: pl.DataFrame, engine: Engine) -> pl.DataFrame:
    rules = {rule.id: rule for rule in engine.rulebook.rules}
    ids = sorted(set(found["rule_id"].to_list()))
    table = pl.DataFrame(
        {
            "rule_id": ids,
            "measure": [rules[i].citation.measure for i in ids],
            "title": [rules[i].spec.title for i in ids],
            "payer": ["+".join(rules[i].amount.spec.payer) or "unstated" for i in ids],
            "citation": [str(rules[i].citation) for i in ids],
            "lead_departments": [list(rules[i].citation.lead_departments) for i in ids],
        },
        schema=_CITED,
    )
    return found.join(table, on="rule_id", how="left")


def _changed_facts(old: pl.DataFrame, new: pl.DataFrame, key: str) -> pl.DataFrame:
    """Per enterprise in both snapshots: the fields whose values differ (as text, when the two
    snapshots hold a field in different types, e.g. one a CSV file and the other Parquet)."""
    fields = [c for c in new.columns if c in old.columns and c not in (key, "__hash", _ROW)]
    joined = new.join(old, on=key, how="inner", suffix="__before")
    differs = [
        pl.when(
            ~_same(c, f"{c}__before")
            if new.schema[c] == old.schema[c]
            else _unlike_text(c, new.schema[c])
        ).then(pl.lit(c))
        for c in fields
    ]
    return joined.select(
        pl.col(key).cast(pl.String),
        pl.concat_list(differs).list.drop_nulls().alias("changed_facts"),
    )
