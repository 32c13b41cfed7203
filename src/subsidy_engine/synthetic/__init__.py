"""Synthetic enterprise registries: as many valid profiles as a benchmark or a demo needs.

`generate(rulebook, n)` yields Polars batches whose columns are the rulebook's profile fields
(lists of records as ``list[struct]``, lists of values as ``list[...]``, money as
``Decimal(38, 2)``, the dtypes the batch scorer reads); `write_parquet(rulebook, n, path)` streams
them into one Parquet file in bounded memory, so 10^7 rows fit on a laptop. Every row passes the
profile's validation: values respect each field's type and bounds, codes carry correct check
characters, and every item meets its list's checks (``completion_date >= signing_date``).

**Deterministic.** Rows are drawn in fixed blocks of `BLOCK_ROWS` rows; block *b* of field *f*
draws from a generator seeded with ``(seed, b, crc32(f))``. The same seed gives the same rows
whatever `batch_rows` is, and adding a field to the configuration changes no other column.

The configuration format is described in `subsidy_engine.synthetic.config`.

>>> from subsidy_engine.rulebook.loader import load_rulebook
>>> from subsidy_engine.synthetic import generate
>>> book = load_rulebook("benchmarks/anchor_rulebook")
>>> batch = next(generate(book, 3, seed=1))
>>> batch.shape, batch["eid"].to_list()
((3, 13), [0, 1, 2])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from subsidy_engine.synthetic.config import FieldGen, ListGen, SyntheticConfig
from subsidy_engine.synthetic.load import CONFIG_FILE, load_config

if TYPE_CHECKING:
    from subsidy_engine.synthetic.arrow import arrow_schema
    from subsidy_engine.synthetic.output import BLOCK_ROWS, generate, generate_arrow, write_parquet

__all__ = [
    "BLOCK_ROWS",
    "CONFIG_FILE",
    "FieldGen",
    "ListGen",
    "SyntheticConfig",
    "arrow_schema",
    "generate",
    "generate_arrow",
    "load_config",
    "write_parquet",
]

_DRAWING = {
    "BLOCK_ROWS": "output",
    "arrow_schema": "arrow",
    "generate": "output",
    "generate_arrow": "output",
    "write_parquet": "output",
}


def __getattr__(name: str) -> Any:
    """The drawing side loads numpy and Arrow on first use: reading a configuration, or its JSON
    Schema, stays cheap."""
    module = _DRAWING.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"subsidy_engine.synthetic.{module}"), name)
