"""The files commands write besides `score`'s: checked before any input is read, written whole.

See `subsidy_engine.atomic`: each is written under a temporary name and renamed into place
only when it is complete.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from subsidy_engine.atomic import Outputs, check_targets
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from subsidy_engine.rulebook.rulebook import Rulebook

CHART_FORMATS = ("png", "svg", "pdf")


def score_targets(
    output: str, rejects: str | None, summary: str | None, inputs: Iterable[str | None]
) -> None:
    """InputError unless `score`'s outputs are distinct files, none of them an input."""
    from subsidy_engine.batch.stream import rejects_path_for

    target = Path(output)
    outputs = [target, Path(rejects) if rejects else rejects_path_for(target)]
    check_targets([*outputs, *([Path(summary)] if summary else [])], _given(inputs))


def chart_target(chart: str, inputs: Iterable[str | None]) -> Path:
    """The chart's path, once its format is known and it overwrites no input."""
    target = Path(chart)
    kind = target.suffix.lower().lstrip(".")
    if kind not in CHART_FORMATS:
        known = ", ".join("." + f for f in CHART_FORMATS)
        raise InputError(f"{chart}: a chart is written as {known}")
    check_targets([target], _given(inputs))
    return target


def save_chart(figure: Figure, target: Path) -> None:
    with Outputs() as outputs:
        figure.savefig(outputs.add(target), format=target.suffix.lower().lstrip("."))


def generated_target(output: str) -> Path:
    """`generate` writes Parquet (its lists of records have no CSV form)."""
    target = Path(output)
    if target.suffix.lower() != ".parquet":
        raise InputError(f"{output}: generate writes Parquet; name the output .parquet")
    check_targets([target])
    return target


def write_generated(rulebook: Rulebook, n: int, target: Path, seed: int) -> Path:
    from subsidy_engine.synthetic import write_parquet

    with Outputs() as outputs:
        write_parquet(rulebook, n, outputs.add(target), seed=seed)
    return target


def _given(paths: Iterable[str | None]) -> list[Path]:
    return [Path(p) for p in paths if p]


def every_row_rejected(rows_read: int, rows_scored: int, rejects: str | None) -> int:
    """The exit code of a run that read `rows_read` rows and scored `rows_scored`: 1, said in
    one line, when there were rows and every one was rejected (its outputs are kept: the
    rejects say what to correct); else 0, an empty input included."""
    if rows_read == 0 or rows_scored:
        return 0
    where = f"; see {rejects}" if rejects else ""
    print(
        f"subsidy-engine: every one of the {rows_read:,} rows was rejected{where}", file=sys.stderr
    )
    return 1
