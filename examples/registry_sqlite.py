"""A registry held in a database: a small SQLite file made from a synthetic registry, ready for
`subsidy-engine score --from sqlite:///FILE --table registry --to-table results`.

Flat columns are copied as they are; list columns (years, projects, …) are stored as JSON text,
as a flat database holds them, and read back through the mapping this script writes beside it.

    python examples/registry_sqlite.py registry.sqlite 1000
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import polars as pl

from subsidy_engine import Engine
from subsidy_engine.synthetic import generate


def _json(items: pl.Series) -> str:
    return json.dumps(items.to_list(), default=str, ensure_ascii=False)


def main(path: Path, size: int) -> None:
    engine = Engine()
    frame = pl.concat(list(generate(engine.rulebook, size, seed=7)))
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    flat = frame.with_columns(
        pl.col(lists).map_elements(_json, return_dtype=pl.String),
        pl.exclude(lists).cast(pl.String),
    )
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as connection:
        names = ", ".join(f'"{c}"' for c in flat.columns)
        connection.execute(f"CREATE TABLE registry ({names})")
        marks = ", ".join("?" for _ in flat.columns)
        connection.executemany(f"INSERT INTO registry VALUES ({marks})", flat.iter_rows())
    mapping = path.with_suffix(".mapping.yaml")
    entries = [f"  {name}: {{column: {name}, list: json}}" for name in lists]
    mapping.write_text("columns:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    print(f"{size:,} enterprises in {path} (table registry); mapping for its lists: {mapping}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
