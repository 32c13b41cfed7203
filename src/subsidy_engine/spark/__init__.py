"""Score a Spark DataFrame with the batch backend, every executor running the same code.

`score_spark(df, as_of=..., rulebook=..., reform=..., statuses=..., mapping=...)` returns a
`SparkScore` (results and rejects as Spark DataFrames). Needs the `spark` extra (pyspark,
pandas, plus the batch backend's polars and pyarrow); importing this package is cheap, and
pyspark is imported only when a function needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from subsidy_engine.spark.scoring import SparkScore, score_spark
    from subsidy_engine.spark.session import local_session
    from subsidy_engine.spark.shipping import ShippedRulebook, ship

__all__ = ["ShippedRulebook", "SparkScore", "local_session", "score_spark", "ship"]

_HOMES = {
    "SparkScore": "subsidy_engine.spark.scoring",
    "score_spark": "subsidy_engine.spark.scoring",
    "ShippedRulebook": "subsidy_engine.spark.shipping",
    "ship": "subsidy_engine.spark.shipping",
    "local_session": "subsidy_engine.spark.session",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)
