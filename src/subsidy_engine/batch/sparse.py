"""Lists worked out on the few result rows that have any, spread over every row.

Most results name nothing and show no possible values: building a list on every row (a
gather, a concatenation, a sort) costs far more than building it on the rows that have one
and giving every other row the same empty list.
"""

from __future__ import annotations

import polars as pl

from subsidy_engine.backends.polars.rules import NAMES


def spread(lists: pl.Series, where: pl.Series) -> pl.Series:
    """One list per row of `where` (Boolean, never null): the next of `lists`, in order, where
    it holds, [] elsewhere. `lists` has one list per row where `where` holds."""
    counted = where.cast(pl.UInt32)
    # 0 for a row without a list, else 1 + its place among the rows with one
    index = counted.cum_sum() * counted
    nothing = pl.Series([[]], dtype=NAMES)
    return pl.concat([nothing, lists], rechunk=True).gather(index)
