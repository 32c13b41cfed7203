"""Two runs' results compared, enterprise by enterprise, in bounded memory.

The new results arrive a part at a time (the enterprises of a batch); each part is compared with
the previous run's results of those enterprises only, read from the previous run lazily (a
scanned file is read in the compared columns and filtered as it is read). The enterprises the
new snapshot no longer holds are compared last, with no results now.
"""

from __future__ import annotations

import polars as pl

from subsidy_engine.batch.previous import PreviousRun
from subsidy_engine.errors import InputError

COMPARED = ("rule_id", "item", "status", "amount")
"""The result columns a change is read from, besides the key."""


class Comparison:
    """The changes found so far between the previous run and the parts of the new one."""

    def __init__(self, previous: PreviousRun, key: str) -> None:
        self.key = key
        self.source = previous.source
        self.previous = previous.results.lazy()
        results_of(self.previous, key, self.source)  # its columns checked before any is read
        self.parts: list[pl.DataFrame] = []

    def add(self, enterprises: pl.Series, now: pl.DataFrame) -> None:
        """Compare the new results `now` of `enterprises` (their keys) with their previous
        ones; an enterprise in `enterprises` without any result now has lost all it had."""
        before = self._before(pl.col(self.key).cast(pl.String).is_in(enterprises.implode()))
        now = collected(results_of(now, self.key, "the new results"), "the new results")
        self.parts.append(compared(before, now, self.key))

    def add_gone(self, present: pl.Series) -> None:
        """Compare the previous results of every enterprise whose key is not in `present`
        (the keys of every row of the new snapshot, rejected or not) with no results now."""
        kept = pl.col(self.key).cast(pl.String).is_in(present.drop_nulls().implode())
        before = self._before(~kept)
        self.parts.append(compared(before, before.clear(), self.key))

    def _before(self, chosen: pl.Expr) -> pl.DataFrame:
        """The previous results of the rows `chosen` picks: filtered as the file is read, before
        anything else is done with them."""
        return collected(
            results_of(self.previous.filter(chosen), self.key, self.source), self.source
        )

    def found(self) -> pl.DataFrame:
        """Every change found: the key, rule_id, item, the statuses and amounts before and
        now, and the `change`."""
        if not self.parts:
            nothing = self._before(pl.lit(False))
            return compared(nothing, nothing.clear(), self.key)
        return pl.concat(self.parts)


def results_of(frame: pl.DataFrame | pl.LazyFrame, key: str, source: str) -> pl.LazyFrame:
    """The compared columns of a run's results, not yet read (a scanned file is read only in
    those columns, and only in the rows kept)."""
    names = frame.collect_schema().names()
    absent = [c for c in (key, *COMPARED) if c not in names]
    if absent:
        raise InputError(f"{source}: results without the column(s) {', '.join(absent)}")
    return frame.lazy().select(
        pl.col(key).cast(pl.String),
        pl.col("rule_id").cast(pl.String),
        pl.col("item").cast(pl.Int64),
        pl.col("status").cast(pl.String),
        pl.col("amount").cast(pl.String).cast(pl.Decimal(38, 2)),
    )


def collected(results: pl.LazyFrame, source: str) -> pl.DataFrame:
    try:
        return results.collect(engine="streaming")
    except (pl.exceptions.PolarsError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise InputError(f"{source}: the results cannot be read: {first}") from None


def compared(before: pl.DataFrame, now: pl.DataFrame, key: str) -> pl.DataFrame:
    """The changes between the results `before` and `now` of the same enterprises."""
    # results the same in both runs are no change: dropped first, so that the join that pairs
    # the others is the size of the changes, not of the registry's results
    whole = [key, *COMPARED]
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
        .when(eligible_before & eligible_now & ~same("amount_before", "amount_now"))
        .then(pl.lit("amount"))
        .when(~same("status_before", "status_now"))
        .then(pl.lit("status"))
    )  # fmt: skip
    return both.with_columns(change.alias("change")).filter(pl.col("change").is_not_null())


def same(left: str, right: str) -> pl.Expr:
    return pl.col(left).eq_missing(pl.col(right))
