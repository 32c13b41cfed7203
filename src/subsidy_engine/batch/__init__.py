"""The vectorised batch backend: score whole tables of enterprise profiles with Polars.

`score(engine, table, as_of)` (also `Engine.score`) returns a `ScoreResult`; `score_batches`
scores an iterator of tables in bounded memory. Importing this package is cheap; the pipeline
modules (and Polars) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from subsidy_engine.batch.scoring import DEFAULT_STATUSES, ScoreResult, score, score_batches

__all__ = ["DEFAULT_STATUSES", "ScoreResult", "score", "score_batches"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        import importlib

        return getattr(importlib.import_module("subsidy_engine.batch.scoring"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
