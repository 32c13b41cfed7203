"""Reading an application log: every row checked, or rejected with its row number and reason.

Rows read = rows kept + rows rejected; nothing is dropped silently. A row is rejected when its
id, kind, applied_on or department is empty, its kind is not one of the rulebook's, a date
does not parse (YYYY-MM-DD), it was completed before it was applied for, or its
paused_working_days (an optional column) is not a whole number from 0 to `MAX_PAUSED` or is
given for a kind whose limit counts every working day, and a bad line of a CSV or JSON Lines
file is rejected naming the line. Row numbers count the log's data rows from 1 (a CSV file's
header is not a row).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from subsidy_engine.batch.registry import scan_registry
from subsidy_engine.batch.salvage import UNREADABLE
from subsidy_engine.errors import InputError
from subsidy_engine.service_log.shape import LOG_COLUMNS, OPTIONAL_COLUMNS, LogShape
from subsidy_engine.service_log.status import PAUSED

_DATES = ("applied_on", "completed_on")
_REQUIRED = ("id", "kind", "applied_on", "department")
MAX_PAUSED = 100_000
"""More working days paused than this (about 400 years) is an error in the log."""


@dataclass(frozen=True, slots=True)
class Log:
    applications: pl.DataFrame
    """Columns `row`, `LOG_COLUMNS` (the dates as Date) and paused_working_days (Int64, empty
    when the log has no such column); the rows that can be checked."""
    rejects: pl.DataFrame
    """Columns row, id, reason: one row per rejected row."""

    @property
    def rows_read(self) -> int:
        return self.applications.height + self.rejects.height


def read_log(shape: LogShape, path: Path) -> Log:
    """The log at `path` (Parquet, CSV, JSON Lines or Excel).

    Raises InputError when the file cannot be read or its columns are not `LOG_COLUMNS`.
    """
    frame = scan_registry(path, salvage=True)
    try:
        return parse_log(shape, frame.collect(), str(path))
    except pl.exceptions.PolarsError as error:
        raise InputError(f"{path}: cannot read the log: {error}") from None


def parse_log(shape: LogShape, frame: pl.DataFrame, source: str = "the log") -> Log:
    """`frame`'s rows split into applications and rejects (see the module's docstring)."""
    names = frame.columns
    missing = [c for c in LOG_COLUMNS if c not in names]
    unknown = [c for c in names if c not in (*LOG_COLUMNS, *OPTIONAL_COLUMNS, UNREADABLE)]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        raise InputError(
            f"{source}: {'; '.join(problems)}; a log has the columns {', '.join(LOG_COLUMNS)}"
        )
    for name in _DATES:
        dtype = frame.schema[name]
        if dtype not in (pl.Date, pl.String, pl.Null):
            raise InputError(f"{source}: column {name} holds {dtype}; expected dates YYYY-MM-DD")
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in (PAUSED, UNREADABLE) if c not in names
    )
    columns = (*LOG_COLUMNS, PAUSED)
    text = frame.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("row"),
        *(pl.col(c).cast(pl.String).str.strip_chars().alias(c) for c in columns),
        UNREADABLE,
    ).with_columns(pl.col(c).replace("", None) for c in columns)
    parsed = text.with_columns(
        *(pl.col(c).str.to_date("%Y-%m-%d", strict=False).alias("__" + c) for c in _DATES),
        pl.col(PAUSED).cast(pl.Int64, strict=False).alias("__" + PAUSED),
    )
    # a bad line of the file: its cells are empty, its reason is all
    reason = pl.coalesce(pl.col(UNREADABLE), _reason(shape))
    checked = parsed.with_columns(reason.alias("reason"))
    bad = pl.col("reason").is_not_null()
    applications = checked.filter(~bad).select(
        "row",
        "id",
        "kind",
        pl.col("__applied_on").alias("applied_on"),
        pl.col("__completed_on").alias("completed_on"),
        "department",
        pl.col("__" + PAUSED).alias(PAUSED),
    )
    return Log(applications, checked.filter(bad).select("row", "id", "reason"))


def _reason(shape: LogShape) -> pl.Expr:
    """Every problem of a row, joined by '; '; null for a good row."""
    problems: list[pl.Expr] = [
        pl.when(pl.col(c).is_null()).then(pl.lit(f"{c} is empty")) for c in _REQUIRED
    ]
    kinds = ", ".join(shape.kind_names)
    kind = pl.col("kind")
    problems.append(
        pl.when(kind.is_not_null() & ~kind.is_in(shape.kind_names)).then(
            pl.format("unknown kind '{}'; kinds are " + kinds.replace("{", "{{"), kind)
        )
    )
    for name in _DATES:
        given, value = pl.col(name), pl.col("__" + name)
        problems.append(
            pl.when(given.is_not_null() & value.is_null()).then(
                pl.format(name + " '{}' is not a date YYYY-MM-DD", given)
            )
        )
    problems.append(
        pl.when(pl.col("__completed_on") < pl.col("__applied_on")).then(
            pl.lit("completed_on is before applied_on")
        )
    )
    problems.extend(_paused_problems(shape))
    joined = pl.concat_str(problems, separator="; ", ignore_nulls=True)
    return pl.when(joined != "").then(joined)


def _paused_problems(shape: LogShape) -> list[pl.Expr]:
    given, value = pl.col(PAUSED), pl.col("__" + PAUSED)
    counted = [kind.name for kind in shape.kinds if not kind.budget]
    out_of_range = value.is_null() | (value < 0) | (value > MAX_PAUSED)
    return [
        pl.when(given.is_not_null() & out_of_range).then(
            pl.format(PAUSED + " '{}' is not a whole number from 0 to " + f"{MAX_PAUSED}", given)
        ),
        pl.when(given.is_not_null() & pl.col("kind").is_in(counted)).then(
            pl.format(PAUSED + " is given for {}, whose limit counts every working day", "kind")
        ),
    ]
