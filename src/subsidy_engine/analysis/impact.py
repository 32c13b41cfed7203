"""Budget impact: what the policy, or a reform of it, costs across a whole registry.

Both sides are scored with the vectorised backend (`Engine.score`), so a million-row registry
answers in seconds. Cash totals count eligible, determined amounts; eligible entitlements
whose figure the text does not give (or that lack a fact) are counted beside the totals, never
hidden and never guessed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from subsidy_engine.backends.polars.plan import derived_column
from subsidy_engine.batch.frames import ROW, base_frame
from subsidy_engine.batch.inputs import Table, to_polars
from subsidy_engine.batch.scoring import ScoreResult, plan_for
from subsidy_engine.batch.validate import validate
from subsidy_engine.errors import InputError
from subsidy_engine.optional import require
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from subsidy_engine.engine import Engine, Reform

KEY = ["row", "rule_id", "item"]
AMOUNT_STATUSES_LEFT_OUT = ("unspecified", "unknown")


@dataclass(frozen=True, slots=True)
class Impact(Tabular):
    """Baseline and reform, scored over the same registry, with ways to slice the difference."""

    baseline: ScoreResult
    reformed: ScoreResult
    entitlements: pl.DataFrame
    """One row per enterprise × rule × item eligible on either side: amounts on both sides
    (null when not eligible there), whether its figure is known, and the grouping columns."""
    groups: tuple[str, ...]
    """The registry columns and derived facts available to `by`."""

    def by(self, *columns: str) -> pl.DataFrame:
        """Totals by any of: rule_id, measure, payer, and the grouping columns.

        For each group: cash on both sides and the change, the number of enterprises gaining
        and losing an entitlement, and how many eligible entitlements have no figure.
        """
        unknown = [c for c in columns if c not in self.entitlements.columns]
        if unknown:
            raise InputError(f"cannot group by {unknown}; available: {self.available()}")
        frame = self.entitlements
        return (
            frame.group_by(list(columns) or pl.lit("all").alias("all"))
            .agg(
                pl.col("baseline_amount").sum().alias("baseline"),
                pl.col("reform_amount").sum().alias("reform"),
                (pl.col("reform_amount").fill_null(0) - pl.col("baseline_amount").fill_null(0))
                .sum()
                .alias("change"),
                (pl.col("baseline_eligible") & ~pl.col("reform_eligible")).sum().alias("losing"),
                (~pl.col("baseline_eligible") & pl.col("reform_eligible")).sum().alias("gaining"),
                (pl.col("baseline_eligible") & ~pl.col("baseline_known"))
                .sum()
                .alias("baseline_unspecified"),
                (pl.col("reform_eligible") & ~pl.col("reform_known"))
                .sum()
                .alias("reform_unspecified"),
            )
            .sort(list(columns) or "all")
        )

    def to_polars(self) -> pl.DataFrame:
        """Totals by measure (`by` gives other slices; `entitlements` every row)."""
        return self.by("measure")

    def available(self) -> list[str]:
        return ["rule_id", "measure", "payer", *self.groups]

    def chart(self, by: str = "measure", *, top: int = 20) -> Figure:
        """Cash by `by`, baseline beside reform (matplotlib), the largest groups first."""
        matplotlib = require("matplotlib", extra="charts")
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from matplotlib import font_manager

        installed = {font.name for font in font_manager.fontManager.ttflist}
        chinese = [name for name in _CJK_FONTS if name in installed]

        table = self.by(by).with_columns(
            pl.max_horizontal(pl.col("baseline").fill_null(0), pl.col("reform").fill_null(0)).alias(
                "_size"
            )
        )
        table = table.sort("_size", descending=True).head(top)
        labels = [str(v) for v in table[by].to_list()]
        baseline = [float(v or 0) / 1e4 for v in table["baseline"].to_list()]
        reform = [float(v or 0) / 1e4 for v in table["reform"].to_list()]
        with plt.rc_context({"font.sans-serif": [*chinese, "DejaVu Sans"]}):
            return _bars(plt, by, labels, baseline, reform)


_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
"""Fonts that draw Chinese labels (county names), used when installed."""


def _bars(
    plt: Any, by: str, labels: list[str], baseline: list[float], reform: list[float]
) -> Figure:
    with warnings.catch_warnings():  # without a Chinese font, such labels show as boxes
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure, axes = plt.subplots(figsize=(max(6, len(labels) * 0.6), 4))
        positions = range(len(labels))
        axes.bar([p - 0.2 for p in positions], baseline, width=0.4, label="baseline")
        axes.bar([p + 0.2 for p in positions], reform, width=0.4, label="reform")
        axes.set_xticks(list(positions), labels, rotation=45, ha="right")
        axes.set_ylabel("cash, 10,000 yuan")
        axes.set_xlabel(by)
        axes.legend()
        figure.tight_layout()
        result: Figure = figure
        return result


def budget_impact(
    engine: Engine,
    registry: Table,
    reform: Reform | None,
    *,
    as_of: date,
    groups: Sequence[str] = (),
) -> Impact:
    """Score `registry` under the rulebook and under `reform` (None: the rulebook again) and
    join the eligible entitlements of both sides. `groups` names registry columns (e.g.
    `county`) and derived facts (e.g. `sme_size_class`) to slice totals by."""
    frame = to_polars(registry)
    reformed_engine = engine.with_reform(reform) if reform is not None else engine
    baseline = engine.score(frame, as_of=as_of, statuses=["eligible"])
    reformed = reformed_engine.score(frame, as_of=as_of, statuses=["eligible"])
    entitlements = _joined(baseline.results, reformed.results)
    extra = _group_columns(engine, frame, as_of, groups)
    if extra is not None:
        entitlements = entitlements.join(extra, on="row", how="left")
    return Impact(baseline, reformed, entitlements, tuple(groups))


def _side(results: pl.DataFrame, name: str) -> pl.DataFrame:
    cash = results.filter(pl.col("unit").cast(pl.String) == "cash")
    return cash.select(
        *KEY,
        "measure",
        pl.col("payer").cast(pl.String),
        pl.col("amount").alias(f"{name}_amount"),
        pl.lit(True).alias(f"{name}_eligible"),
        (~pl.col("amount_status").cast(pl.String).is_in(AMOUNT_STATUSES_LEFT_OUT)).alias(
            f"{name}_known"
        ),
    ).with_columns(pl.col("rule_id").cast(pl.String))


def _joined(baseline: pl.DataFrame, reformed: pl.DataFrame) -> pl.DataFrame:
    left, right = _side(baseline, "baseline"), _side(reformed, "reform")
    joined = left.join(right, on=KEY, how="full", coalesce=True, nulls_equal=True)
    return joined.with_columns(
        pl.coalesce("measure", "measure_right").alias("measure"),
        pl.coalesce("payer", "payer_right").alias("payer"),
        pl.col("baseline_eligible", "reform_eligible").fill_null(False),
        pl.col("baseline_known", "reform_known").fill_null(True),
    ).drop("measure_right", "payer_right")


def _group_columns(
    engine: Engine, frame: pl.DataFrame, as_of: date, groups: Sequence[str]
) -> pl.DataFrame | None:
    """`row` with each requested registry column or derived fact."""
    if not groups:
        return None
    rulebook = engine.rulebook
    derived = [g for g in groups if g in rulebook.derived]
    plain = [g for g in groups if g not in rulebook.derived]
    missing = [g for g in plain if g not in frame.columns]
    if missing:
        names = sorted({*frame.columns, *rulebook.derived})
        raise InputError(f"no column or derived fact {missing}; known: {', '.join(names)}")
    numbered = to_polars(frame)
    out = numbered.select(pl.col(ROW).alias("row"), *plain)
    if derived:
        valid, _ = validate(numbered, rulebook)
        base, _ = base_frame(valid, plan_for(rulebook, as_of))
        unused = [name for name in derived if derived_column(name) not in base.columns]
        if unused:
            raise InputError(f"derived facts {unused} are used by no rule, so not computed")
        facts = base.select(
            pl.col(ROW).alias("row"),
            *(pl.col(derived_column(name)).alias(name) for name in derived),
        )
        out = out.join(facts, on="row", how="left")
    return out
