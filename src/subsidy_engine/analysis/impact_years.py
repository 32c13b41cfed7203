"""A budget impact over several `as_of` dates: one column per year, for a measure in force
over several years (an award paid in each of two years, a rate cut that ends)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine.analysis.impact import Impact, budget_impact
from subsidy_engine.batch.inputs import Table, to_polars
from subsidy_engine.errors import InputError
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine, Reform


@dataclass(frozen=True, slots=True)
class ImpactOverYears(Tabular):
    impacts: dict[date, Impact]
    """Each `as_of` date's impact, in date order."""

    @property
    def labels(self) -> dict[date, str]:
        """A column name per date: its year, or the whole date where two share a year."""
        years = [day.year for day in self.impacts]
        distinct = len(set(years)) == len(years)
        return {day: str(day.year) if distinct else day.isoformat() for day in self.impacts}

    def by(self, *columns: str, value: str = "change") -> pl.DataFrame:
        """`value` (any column of `Impact.by`: change, baseline, reform, better_off…) by
        `columns`, one column per `as_of` date; a group absent in a year is null there."""
        keys = list(columns)
        out: pl.DataFrame | None = None
        for day, impact in self.impacts.items():
            totals = impact.by(*columns)
            if value not in totals.columns:
                raise InputError(f"no column {value!r}; choose one of {', '.join(totals.columns)}")
            year = totals.select(*keys, pl.col(value).alias(self.labels[day]))
            if out is None:
                out = year
            elif keys:
                out = out.join(year, on=keys, how="full", coalesce=True, nulls_equal=True)
            else:
                out = pl.concat([out, year], how="horizontal")
        assert out is not None
        return out.sort(keys, nulls_last=True) if keys else out

    def to_polars(self) -> pl.DataFrame:
        """The change by measure, one column per year."""
        return self.by("measure")


def year_ends(first: int, last: int) -> list[date]:
    """The last day of each year from `first` to `last`: `as_of` dates for a yearly view."""
    if last < first:
        raise InputError(f"the years run from {first} to {last}: the last is before the first")
    return [date(year, 12, 31) for year in range(first, last + 1)]


def impact_over_years(
    engine: Engine,
    registry: Table,
    reform: Reform | None,
    *,
    as_of: Sequence[date],
    groups: Sequence[str] = (),
    weight: str | None = None,
) -> ImpactOverYears:
    """`budget_impact` at each date of `as_of` (e.g. the last day of each year) over the same
    registry."""
    days = sorted(set(as_of))
    if not days:
        raise InputError("impact_over_years needs at least one as_of date")
    frame = to_polars(registry)
    return ImpactOverYears(
        {
            day: budget_impact(engine, frame, reform, as_of=day, groups=groups, weight=weight)
            for day in days
        }
    )
