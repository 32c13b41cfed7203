"""A local Spark session ready for `score_spark`: its Python workers run this interpreter."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from subsidy_engine.optional import require

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def local_session(
    cores: int = 2,
    *,
    memory: str = "4g",
    app_name: str = "subsidy-engine",
    config: dict[str, str] | None = None,
) -> SparkSession:
    """A `local[cores]` session whose Python workers use `sys.executable` (the interpreter that
    has pyarrow, polars and this package; Spark would otherwise start `python3` from PATH),
    with the web UI off. `memory` is the JVM's heap (in local mode the driver is the executor;
    Spark's default of 1g makes it collect garbage for most of a large job). `config` adds or
    overrides Spark settings.

    A local session takes its workers' interpreter from the environment variable
    `PYSPARK_PYTHON` only (the `spark.pyspark.python` setting is spark-submit's), so this sets
    it for the process unless it is set already."""
    require("pyspark", extra="spark")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        "spark.ui.enabled": "false",
        "spark.driver.memory": memory,
        "spark.sql.shuffle.partitions": str(cores),
        **(config or {}),
    }
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
