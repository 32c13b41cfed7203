"""Budget impact: what the policy, or a reform of it, costs across a whole registry.

Both sides are scored with the vectorised backend (`Engine.score`), so a million-row registry
answers in seconds. Cash totals count eligible, determined amounts; eligible entitlements
whose figure the text does not give are counted beside the totals, never hidden and never
guessed; undetermined entitlements give an upper bound (the cost if every one of them resolved
eligible), beside the determined cost and never folded into it. Enterprises are better off or
worse off by the change of their determined cash, not by a change of status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from subsidy_engine.analysis.impact_frames import (
    ENTITLEMENT_COLUMNS,
    SCORED_COLUMNS,
    SIDES,
    STATUSES,
    joined_entitlements,
    population,
)
from subsidy_engine.batch.inputs import Table, to_polars
from subsidy_engine.errors import InputError
from subsidy_engine.optional import require
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from subsidy_engine.batch.scoring import ScoreResult
    from subsidy_engine.engine import Engine, Reform

OUTCOMES = ("better_off", "worse_off", "unchanged")
MONEY = pl.Decimal(38, 2)


@dataclass(frozen=True, slots=True)
class Impact(Tabular):
    """Baseline and reform, scored over the same registry, with ways to slice the difference."""

    baseline: ScoreResult
    reformed: ScoreResult
    entitlements: pl.DataFrame
    """One row per enterprise × rule × item eligible or undetermined on either side, cash
    only: for each side its status flags and its amount (`baseline_amount`: eligible with a
    figure; `baseline_undetermined_amount`: undetermined with a figure), the grouping columns
    and the weight."""
    population: pl.DataFrame
    """One row per scored enterprise: `row`, the grouping columns and `weight`."""
    groups: tuple[str, ...]
    """The registry columns and derived facts available to `by`."""
    as_of: date
    reform_title: str
    """The reform's title (or id); "no reform" when both sides are the rulebook."""
    headings: dict[int, str] = field(default_factory=dict)
    """Measure number -> its heading, for labels."""
    weighted: bool = False

    def available(self) -> list[str]:
        return list(dict.fromkeys([*ENTITLEMENT_COLUMNS, *self.groups]))

    def enterprises(self) -> pl.DataFrame:
        """One row per scored enterprise: its determined cash on both sides, the change, and
        whether it is `better_off`, `worse_off` or `unchanged`, with its groups and weight."""
        per = self.entitlements.group_by("row").agg(
            pl.col("baseline_amount").sum().alias("baseline"),
            pl.col("reform_amount").sum().alias("reform"),
        )
        out = self.population.join(per, on="row", how="left")
        zero = pl.lit(0).cast(out.schema["baseline"])
        out = out.with_columns(pl.col("baseline", "reform").fill_null(zero))
        return out.with_columns(
            (pl.col("reform") - pl.col("baseline")).alias("change")
        ).with_columns(_outcome(pl.col("change")).alias("outcome"))

    def by(self, *columns: str) -> pl.DataFrame:
        """Totals by any of `available()`: rule_id, measure, payer and the grouping columns.

        For each group: determined cash on both sides and the change; the enterprises better
        off and worse off (by the change of their cash within the group) with the amounts
        gained and lost, and those unchanged; per side, the eligible entitlements with no
        figure (`_unspecified`), the undetermined ones (`_undetermined`, of which
        `_unpriced` have no figure either) and the cost if every undetermined one with a
        figure resolved eligible (`_upper_bound`). With a weight, every count and amount is
        weighted. By groups of enterprises only (not rule_id, measure or payer), better off
        plus worse off plus unchanged is every enterprise scored in the group.
        """
        unknown = [c for c in columns if c not in self.available()]
        if unknown:
            raise InputError(
                f"cannot group by {', '.join(unknown)}; available: {', '.join(self.available())}"
            )
        keys = list(columns)
        amounts = self._amounts(keys)
        outcomes = self._outcomes(keys)
        if not keys:
            return pl.concat([amounts, outcomes], how="horizontal").select(_ORDER)
        how: Literal["left", "right"] = "left" if set(keys) & set(ENTITLEMENT_COLUMNS) else "right"
        joined = amounts.join(outcomes, on=keys, how=how, nulls_equal=True, coalesce=True)
        return _zero_filled(joined).select(*keys, *_ORDER).sort(keys, nulls_last=True)

    def to_polars(self) -> pl.DataFrame:
        """Totals by measure (`by` gives other slices; `entitlements` every row)."""
        return self.by("measure")

    def chart(self, by: str = "measure", *, top: int = 20) -> Figure:
        """Cash by `by` (measure, county, payer…), baseline beside reform: bars labelled with
        the measure's heading, the title naming the reform and `as_of`, entitlements without a
        figure hatched and counted, never drawn as 0."""
        require("matplotlib", extra="charts")
        from subsidy_engine.analysis.charts import cost_chart

        return cost_chart(self, by, top=top)

    def winners_chart(self, by: str | None = None) -> Figure:
        """Enterprises better off and worse off (by `by`, or all), with the amounts."""
        require("matplotlib", extra="charts")
        from subsidy_engine.analysis.charts import winners_chart

        return winners_chart(self, by)

    def _money(self, column: str) -> pl.Expr:
        amount = pl.col(column)
        return (amount * pl.col("weight")).round(2).cast(MONEY) if self.weighted else amount

    def _count(self, flag: pl.Expr) -> pl.Expr:
        return flag.cast(pl.Float64) * pl.col("weight").cast(pl.Float64) if self.weighted else flag

    def _amounts(self, keys: list[str]) -> pl.DataFrame:
        frame = self.entitlements
        aggregations = []
        for side in SIDES:
            determined = self._money(f"{side}_amount")
            pending = self._money(f"{side}_undetermined_amount")
            eligible, known = pl.col(f"{side}_eligible"), pl.col(f"{side}_known")
            undetermined = pl.col(f"{side}_undetermined")
            aggregations += [
                determined.sum().alias(side),
                (determined.fill_null(0) + pending.fill_null(0)).sum().alias(f"{side}_upper_bound"),
                self._count(eligible & ~known).sum().alias(f"{side}_unspecified"),
                self._count(undetermined).sum().alias(f"{side}_undetermined"),
                self._count(undetermined & pl.col(f"{side}_undetermined_amount").is_null())
                .sum()
                .alias(f"{side}_unpriced"),
            ]
        change = self._money("reform_amount").fill_null(0) - self._money(
            "baseline_amount"
        ).fill_null(0)
        aggregations.append(change.sum().alias("change"))
        if not keys:
            return frame.select(aggregations)
        return frame.group_by(keys).agg(aggregations)

    def _outcomes(self, keys: list[str]) -> pl.DataFrame:
        if set(keys) & set(ENTITLEMENT_COLUMNS):
            per = self.entitlements.group_by([*keys, "row"]).agg(
                (pl.col("reform_amount").fill_null(0) - pl.col("baseline_amount").fill_null(0))
                .sum()
                .alias("change"),
                pl.col("weight").first(),
            )
        else:
            per = self.enterprises()
        change = pl.col("change")
        money = (change * pl.col("weight")).round(2).cast(MONEY) if self.weighted else change
        aggregations = [
            self._count(change > 0).sum().alias("better_off"),
            money.filter(change > 0).sum().alias("gained"),
            self._count(change < 0).sum().alias("worse_off"),
            money.filter(change < 0).sum().alias("lost"),
            self._count(change == 0).sum().alias("unchanged"),
        ]
        if not keys:
            return per.select(aggregations)
        return per.group_by(keys).agg(aggregations)


_HEADLINE = ("baseline", "reform", "change", "better_off", "gained", "worse_off", "lost")
"""The totals and counts every impact table leads with."""

_ORDER = [
    *_HEADLINE,
    "unchanged",
    *(f"{side}_{what}" for side in SIDES for what in ("upper_bound", "unspecified")),
    *(f"{side}_{what}" for side in SIDES for what in ("undetermined", "unpriced")),
]


SHOWN = (
    *_HEADLINE,
    "baseline_upper_bound",
    "reform_upper_bound",
    "reform_unspecified",
)
"""The columns a terminal shows."""


def _outcome(change: pl.Expr) -> pl.Expr:
    return (
        pl.when(change > 0)
        .then(pl.lit("better_off"))
        .when(change < 0)
        .then(pl.lit("worse_off"))
        .otherwise(pl.lit("unchanged"))
        .cast(pl.Enum(OUTCOMES))
    )


def _zero_filled(frame: pl.DataFrame) -> pl.DataFrame:
    """Groups of enterprises without any entitlement: their counts and cash are 0, not null."""
    return frame.with_columns(pl.col(_ORDER).fill_null(0))


def budget_impact(
    engine: Engine,
    registry: Table,
    reform: Reform | None,
    *,
    as_of: date,
    groups: Sequence[str] = (),
    weight: str | None = None,
) -> Impact:
    """Score `registry` under the rulebook and under `reform` (None: the rulebook again) and
    join the cash entitlements of both sides.

    `groups` names what totals may be sliced by beyond rule_id, measure and payer: registry
    columns (e.g. `county`) and derived facts (e.g. `sme_size_class`). `weight` names a
    registry column of non-negative numbers, for a sample registry: each enterprise stands for
    that many, in every count and amount.
    """
    frame = to_polars(registry)
    extra = [g for g in groups if g not in ENTITLEMENT_COLUMNS]
    people, scored_frame = population(engine, frame, as_of, extra, weight)
    reformed_engine = engine.with_reform(reform) if reform is not None else engine
    sides: list[ScoreResult] = [
        side.score(scored_frame, as_of=as_of, statuses=STATUSES, columns=SCORED_COLUMNS)
        for side in (engine, reformed_engine)
    ]
    scored_rows = people.join(sides[0].rejects.select("row"), on="row", how="anti")
    entitlements = joined_entitlements(sides[0].results, sides[1].results).join(
        scored_rows, on="row", how="left"
    )
    return Impact(
        sides[0],
        sides[1],
        entitlements,
        scored_rows,
        tuple(extra),
        as_of,
        _title(reform),
        {m.number: m.heading for m in engine.rulebook.manifest.measures},
        weighted=weight is not None,
    )


def _title(reform: Reform | None) -> str:
    if reform is None:
        return "no reform"
    from subsidy_engine.analysis.reform import read_reform

    data: Any = read_reform(reform).data
    if isinstance(data, dict):
        return str(data.get("title") or data.get("id") or "reform")
    return "reform"
