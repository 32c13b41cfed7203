"""Blocks of rows as Arrow tables, Polars frames and a Parquet file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.synthetic.arrow import arrow_schema, to_arrow
from subsidy_engine.synthetic.columns import Scope
from subsidy_engine.synthetic.config import SyntheticConfig
from subsidy_engine.synthetic.draw import draw
from subsidy_engine.synthetic.lists import draw_list
from subsidy_engine.synthetic.load import as_config
from subsidy_engine.synthetic.plan import Plan, make_plan

if TYPE_CHECKING:
    import polars as pl

BLOCK_ROWS = 65_536
"""Rows drawn from one random stream; the unit of determinism (see the package docstring)."""


def _block(plan: Plan, seed: int, block: int, start: int, rows: int, complete: bool) -> Any:
    scope = Scope(rows, np.arange(start, start + rows, dtype=np.int64), None, seed, block, complete)
    arrays: dict[str, Any] = {}
    for field_plan in plan.fields:
        col = scope.cols[field_plan.name] = draw(field_plan, scope)
        arrays[field_plan.name] = to_arrow(col)
    for list_plan in plan.lists:
        arrays[list_plan.name] = draw_list(list_plan, scope)
    return pa.Table.from_arrays([arrays[c] for c in plan.columns], schema=plan.schema)


def generate_arrow(
    rulebook: Rulebook,
    n: int,
    *,
    seed: int = 0,
    batch_rows: int = 250_000,
    config: SyntheticConfig | Mapping[str, Any] | str | Path | None = None,
    complete: bool = False,
) -> Iterator[Any]:
    """Like `generate`, as Arrow tables (``pyarrow.Table``), without Polars."""
    if n < 0 or batch_rows < 1:
        raise ValueError("n must be >= 0 and batch_rows >= 1")
    plan = make_plan(rulebook, as_config(rulebook, config))
    pending: list[Any] = []
    held = 0
    for block in range(-(-n // BLOCK_ROWS)):
        start = block * BLOCK_ROWS
        table = _block(plan, seed, block, start, min(BLOCK_ROWS, n - start), complete)
        pending.append(table)
        held += table.num_rows
        while held >= batch_rows:
            joined = pa.concat_tables(pending)
            yield joined.slice(0, batch_rows)
            rest = joined.slice(batch_rows)
            pending, held = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
    if held:
        yield pa.concat_tables(pending)


class GenerateOptions(TypedDict, total=False):
    """`generate`'s keyword arguments, with the defaults `generate_arrow` gives them."""

    seed: int
    batch_rows: int
    config: SyntheticConfig | Mapping[str, Any] | str | Path | None
    complete: bool


def generate(
    rulebook: Rulebook, n: int, **options: Unpack[GenerateOptions]
) -> Iterator[pl.DataFrame]:
    """`n` synthetic profiles of `rulebook`, as Polars DataFrames of up to `batch_rows` rows
    (250,000 unless given).

    `config` overrides the rulebook's ``synthetic.yaml`` (a path, a dict with the same content,
    or a `SyntheticConfig`). With `complete`, no fact is missing: every missing probability is
    zero and a field drawn `only_if` a condition without an `otherwise` is drawn on every row.
    The same `seed` (0 unless given) gives the same rows whatever `batch_rows` is.
    """
    import polars as pl

    for table in generate_arrow(rulebook, n, **options):
        frame = pl.from_arrow(table, rechunk=False)
        assert isinstance(frame, pl.DataFrame)
        yield frame


def write_parquet(
    rulebook: Rulebook,
    n: int,
    path: str | Path,
    *,
    seed: int = 0,
    config: SyntheticConfig | Mapping[str, Any] | str | Path | None = None,
    complete: bool = False,
    compression: str = "zstd",
) -> Path:
    """Write `n` synthetic profiles of `rulebook` to one Parquet file and return its path.

    Blocks of `BLOCK_ROWS` rows are drawn and written one at a time (the writing of one block
    overlaps the drawing of the next, on a second thread), so memory stays at about two blocks
    whatever `n` is. Columns are written without dictionary encoding, which is faster here and
    gives smaller files for these mostly distinct values.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    target = Path(path)
    schema = arrow_schema(rulebook)
    tables = generate_arrow(
        rulebook, n, seed=seed, batch_rows=BLOCK_ROWS, config=config, complete=complete
    )
    with (
        pq.ParquetWriter(target, schema, compression=compression, use_dictionary=False) as writer,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        writing: Future[None] | None = None
        for table in tables:
            if writing is not None:
                writing.result()
            writing = pool.submit(writer.write_table, table)
        if writing is not None:
            writing.result()
    return target
