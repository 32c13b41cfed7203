"""The vectorised batch backend: score whole tables of enterprise profiles with Polars.

`score(engine, table, as_of)` (also `Engine.score`) returns a `ScoreResult`; `score_batches`
scores an iterator of tables in bounded memory; `score_file` scores a registry file into
result files. Importing this package is cheap; the pipeline modules (and Polars) load on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from subsidy_engine.batch.mapping import ColumnMapping, load_mapping
    from subsidy_engine.batch.scoring import DEFAULT_STATUSES, ScoreResult, score, score_batches
    from subsidy_engine.batch.stream import ScoreSummary, score_file

_HOMES = {
    "ColumnMapping": "mapping",
    "DEFAULT_STATUSES": "scoring",
    "ScoreResult": "scoring",
    "ScoreSummary": "stream",
    "load_mapping": "mapping",
    "score": "scoring",
    "score_batches": "scoring",
    "score_file": "stream",
}
__all__ = [
    "DEFAULT_STATUSES",
    "ColumnMapping",
    "ScoreResult",
    "ScoreSummary",
    "load_mapping",
    "score",
    "score_batches",
    "score_file",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"subsidy_engine.batch.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
