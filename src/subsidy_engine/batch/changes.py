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
then no absent enterprise is compared. The new results are kept as the previous run kept its
own (its recorded statuses and units, `basis.Kept`; the default ones when it did not record
them), so that what it left out does not look gained.

With the previous registry, only the enterprises whose row changed (by a hash of the row's
facts as typed, `snapshots`) are evaluated again: an unchanged row has the same results under
the same basis (rulebook id and content hash, `as_of`, reform). The previous run's recorded
basis is checked first; when it differs, or was not recorded, every row is evaluated and
`ChangeRun.full_run_reason` says why. The list is sorted, so the same inputs give the same list.

Memory is bounded by the batch size and the number of changes, not by the registry: the
snapshots are read `BATCH_ROWS` rows at a time, of the previous snapshot only each row's key,
hash and number are kept, the rows to evaluate are scored a batch at a time, and each batch's
results are compared with the previous results of its enterprises only (`compare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine import interrupt
from subsidy_engine.batch.basis import Kept, RunBasis, kept_of
from subsidy_engine.batch.compare import COMPARED, Comparison, same
from subsidy_engine.batch.frames import ROW
from subsidy_engine.batch.mapping import ColumnMapping, as_mapping
from subsidy_engine.batch.previous import PreviousRun, from_file
from subsidy_engine.batch.registry import Reading
from subsidy_engine.batch.scoring import DEFAULT_STATUSES, Profiles, score_profiles
from subsidy_engine.batch.snapshots import (
    HASH,
    Snapshot,
    hashed,
    profiles_at,
    row_hashes,
    snapshot_profiles,
)
from subsidy_engine.batch.stream import BATCH_ROWS
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

CHANGE_COLUMNS = (
    "change", "rule_id", "measure", "title", "item", "status_before", "status_now",
    "amount_before", "amount_now", "payer", "citation", "lead_departments", "changed_facts",
)  # fmt: skip
DEFAULT_KEPT = kept_of(DEFAULT_STATUSES, None)
"""What a previous run that did not record it is taken to have kept: `score`'s default."""


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
    kept: Kept = DEFAULT_KEPT
    """The results compared: those the previous run kept."""


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
    rulebook = engine.rulebook
    key = rulebook.profile.key
    if key is None:
        raise InputError("change-only runs need a profile key to match enterprises")
    if isinstance(previous, Path):
        previous = from_file(previous)
    kept = previous.basis.kept if previous.basis and previous.basis.kept else DEFAULT_KEPT
    read_as = as_mapping(mapping)
    seen, reason = None, None
    if previous_registry is not None:
        reason = _unlike(previous, RunBasis.of(rulebook, as_of))
        if reason is None:
            seen = row_hashes(rulebook, previous_registry, read_as, reading)
    run = _Run(engine, Comparison(previous, key), key, as_of, kept)
    for read in snapshot_profiles(rulebook, registry, read_as, reading):
        interrupt.check()
        run.rejects.append(read.rejects)
        run.present += [read.valid[key], read.rejects[key].cast(pl.String)]
        rows = read.valid
        if seen is not None:
            # the key is one of the facts hashed: the hash alone matches a row to its previous self
            rows = hashed(rows).join(seen.select(HASH), on=HASH, how="anti").drop(HASH)
            run.changed.append(rows)
        run.evaluate(rows)
    run.flush()
    rejects = pl.concat(run.rejects).sort("row")
    if not rejects[key].null_count():
        # a rejected row whose key cannot be read may be any enterprise absent from the snapshot
        run.comparison.add_gone(pl.concat(run.present))
    found = _cited(run.comparison.found(), engine)
    if seen is not None and previous_registry is not None:
        facts = _facts(engine, previous_registry, seen, pl.concat(run.changed), read_as, reading)
        found = found.join(facts, on=key, how="left")
    else:
        found = found.with_columns(pl.lit(None, dtype=pl.List(pl.String)).alias("changed_facts"))
    ordered = found.sort(key, "rule_id", "item", nulls_last=True)
    listed = ordered.select(key, *CHANGE_COLUMNS)
    rows_read = sum(keys.len() for keys in run.present)
    return ChangeRun(listed, run.evaluated, rejects, rows_read, reason, kept)


@dataclass
class _Run:
    """The rows to evaluate, gathered until a batch is full, then scored and compared."""

    engine: Engine
    comparison: Comparison
    key: str
    as_of: date
    kept: Kept
    pending: list[pl.DataFrame] = field(default_factory=list)
    evaluated: int = 0
    present: list[pl.Series] = field(default_factory=list)
    """The keys of every row of the new snapshot."""
    rejects: list[pl.DataFrame] = field(default_factory=list)
    changed: list[pl.DataFrame] = field(default_factory=list)
    """The rows whose hash changed (with the previous registry)."""

    def evaluate(self, rows: pl.DataFrame) -> None:
        self.pending.append(rows)
        if sum(p.height for p in self.pending) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        rows = pl.concat(self.pending) if self.pending else None
        self.pending = []
        if rows is None or not rows.height:
            return
        schema = {"row": pl.Int64(), self.key: pl.String(), "reason": pl.String()}
        none = pl.DataFrame(schema=schema)  # the rows were read as valid profiles
        scored = score_profiles(
            self.engine.rulebook,
            Profiles(rows, none, rows.height),
            self.as_of,
            statuses=self.kept.statuses,
            units=self.kept.units,
            columns=[self.key, *COMPARED],
        )
        self.comparison.add(rows[self.key], scored.results)
        self.evaluated += rows.height


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


def _facts(
    engine: Engine,
    previous_registry: Snapshot,
    seen: pl.DataFrame,
    changed: pl.DataFrame,
    mapping: ColumnMapping,
    reading: Reading | None,
) -> pl.DataFrame:
    """Per changed enterprise that the previous snapshot held too: the fields whose values
    differ. Only those rows of the previous snapshot are read again."""
    key = engine.rulebook.profile.key
    assert key is not None
    rows = seen.join(changed.select(key), on=key, how="semi")[ROW]
    old = profiles_at(engine.rulebook, previous_registry, rows, mapping, reading)
    if not old.height:
        return pl.DataFrame(schema={key: pl.String(), "changed_facts": pl.List(pl.String())})
    fields = [c for c in changed.columns if c not in (key, ROW)]
    joined = changed.join(old, on=key, how="inner", suffix="__before")
    differs = [pl.when(~same(c, f"{c}__before")).then(pl.lit(c)) for c in fields]
    return joined.select(
        pl.col(key).cast(pl.String),
        pl.concat_list(differs).list.drop_nulls().alias("changed_facts"),
    )
