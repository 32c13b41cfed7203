"""The tables a budget impact is computed from: the enterprises scored, with their groups and
weights, and the cash entitlements of both sides joined one to one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from subsidy_engine.backends.polars.plan import derived_column
from subsidy_engine.batch.frames import ROW, base_frame
from subsidy_engine.batch.scoring import plan_for
from subsidy_engine.batch.validate import validate
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

KEY = ["row", "rule_id", "item"]
ENTITLEMENT_COLUMNS = ("rule_id", "measure", "payer")
"""What an entitlement is grouped by, beside the enterprise's own columns."""
SIDES = ("baseline", "reform")
STATUSES = ("eligible", "undetermined")
SCORED_COLUMNS = (*KEY, "measure", "status", "unit", "amount", "amount_status", "payer")
"""What each side is scored for: no lists of missing facts, so none is worked out."""
WEIGHT = pl.Decimal(38, 6)
_PRICED = "determined"


def population(
    engine: Engine, frame: pl.DataFrame, as_of: date, groups: Sequence[str], weight: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`row`, each group and `weight` for every input row; and the frame to score (without the
    weight column, which is no profile field)."""
    rulebook = engine.rulebook
    derived = [g for g in groups if g in rulebook.derived]
    plain = [g for g in groups if g not in rulebook.derived]
    fields = rulebook.profile.spec.fields
    missing = [g for g in plain if g not in frame.columns and g not in fields]
    if missing:
        names = sorted({*frame.columns, *fields, *rulebook.derived} - {ROW})
        raise InputError(
            f"no registry column or derived fact named {', '.join(missing)}; "
            f"group by rule_id, measure, payer, or one of: {', '.join(names)}"
        )
    absent = [pl.lit(None, pl.String).alias(g) for g in plain if g not in frame.columns]
    present = [g for g in plain if g in frame.columns]
    people = frame.select(pl.col(ROW).alias("row"), *present, *absent, _weights(frame, weight))
    scored = frame.drop(weight) if weight is not None else frame
    if derived:
        valid, _ = validate(scored, rulebook)
        base, _ = base_frame(valid, plan_for(rulebook, as_of))
        unused = [name for name in derived if derived_column(name) not in base.columns]
        if unused:
            raise InputError(
                f"the derived facts {', '.join(unused)} are used by no rule, so not computed"
            )
        facts = base.select(
            pl.col(ROW).alias("row"),
            *(pl.col(derived_column(name)).alias(name) for name in derived),
        )
        people = people.join(facts, on="row", how="left")
    return people.select("row", *groups, "weight"), scored


def _weights(frame: pl.DataFrame, weight: str | None) -> pl.Expr:
    if weight is None:
        return pl.lit(1).cast(WEIGHT).alias("weight")
    if weight not in frame.columns:
        raise InputError(f"no weight column {weight!r} in the registry")
    column = frame[weight]
    if not column.dtype.is_numeric():
        raise InputError(f"the weight column {weight!r} holds {column.dtype}, not numbers")
    value = pl.col(weight)
    invalid = value.is_null() | (value < 0)
    if column.dtype.is_float():
        invalid = invalid | value.is_nan() | value.is_infinite()
    bad = frame.filter(invalid)
    if bad.height:
        rows = ", ".join(str(r) for r in bad[ROW].head(5).to_list())
        raise InputError(
            f"the weight column {weight!r} must hold a number of at least 0 in every row; "
            f"{bad.height} row(s) do not (rows {rows}{'…' if bad.height > 5 else ''})"
        )
    return pl.col(weight).cast(WEIGHT).alias("weight")


def joined_entitlements(baseline: pl.DataFrame, reformed: pl.DataFrame) -> pl.DataFrame:
    """The cash entitlements of both sides, one row per enterprise × rule × item."""
    left, right = _side(baseline, "baseline"), _side(reformed, "reform")
    joined = left.join(right, on=KEY, how="full", coalesce=True, nulls_equal=True)
    flags = [f"{side}_{what}" for side in SIDES for what in ("eligible", "undetermined")]
    return joined.with_columns(
        pl.coalesce("measure", "measure_right").alias("measure"),
        pl.coalesce("payer", "payer_right").alias("payer"),
        pl.col(flags).fill_null(False),
        pl.col("baseline_known", "reform_known").fill_null(True),
    ).drop("measure_right", "payer_right")


def _side(results: pl.DataFrame, name: str) -> pl.DataFrame:
    cash = results.filter(pl.col("unit").cast(pl.String) == "cash")
    status = pl.col("status").cast(pl.String)
    priced = pl.col("amount_status").cast(pl.String) == _PRICED
    eligible, undetermined = status == "eligible", status == "undetermined"
    return cash.select(
        *KEY,
        "measure",
        pl.col("payer").cast(pl.String),
        pl.when(eligible & priced).then(pl.col("amount")).alias(f"{name}_amount"),
        pl.when(undetermined & priced).then(pl.col("amount")).alias(f"{name}_undetermined_amount"),
        eligible.alias(f"{name}_eligible"),
        undetermined.alias(f"{name}_undetermined"),
        (~eligible | priced).alias(f"{name}_known"),
    ).with_columns(pl.col("rule_id").cast(pl.String))
