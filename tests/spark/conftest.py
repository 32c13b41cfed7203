"""One local Spark session for the whole suite, and the tables the Spark tests score.

The session runs `local[2]` with the venv's interpreter for its Python workers (else they
would lack pyarrow), small Arrow batches (so a partition is scored in several batches) and a
build log, so that tests can count the engines each worker builds. A machine without Java fails
these tests rather than skipping them: the suite promises that Spark gives score's answers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.profile_files import read_profile
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.synthetic import generate

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BATCH_ROWS = 200
"""Arrow batch size in the test session: partitions arrive in several batches."""
REGISTRY_ROWS = 3000


def _java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


@pytest.fixture(scope="session")
def build_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where the Python workers log each engine they build."""
    return tmp_path_factory.mktemp("spark-builds")


@pytest.fixture(scope="session")
def spark(build_log: Path) -> Iterator[Any]:
    """A local Spark session shared by every Spark test."""
    if not _java_available():
        pytest.fail("Spark needs a Java runtime: no java on PATH and no JAVA_HOME")
    from subsidy_engine.spark import local_session
    from subsidy_engine.spark.shipping import BUILD_LOG_ENV

    session = local_session(
        app_name="subsidy-engine-tests",
        config={
            "spark.sql.execution.arrow.maxRecordsPerBatch": str(BATCH_ROWS),
            f"spark.executorEnv.{BUILD_LOG_ENV}": str(build_log),
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def profile_schema(rulebook: Rulebook) -> dict[str, pl.DataType]:
    return {name: dtype_of(t) for name, t in rulebook.profile.types.items()}


BAD_ROWS: list[dict[str, Any]] = [
    {"credit_code": "91140602MA0L1G3E95", "name": "校验位错误", "employees": 3},
    {"credit_code": "91140600MA0K0CNF1W", "employees": -5, "county": "太原"},
]
"""Rows `score` must reject: a wrong check character; a negative headcount and a county
outside Shuozhou."""


@pytest.fixture(scope="session")
def examples_frame(engine: Engine) -> pl.DataFrame:
    """The six example profiles of examples/*.yaml, validated, and two bad rows after them."""
    rows = [read_profile(path, engine).model_dump() for path in EXAMPLES]
    assert len(rows) == 6
    return pl.DataFrame([*rows, *BAD_ROWS], schema=profile_schema(engine.rulebook))


@pytest.fixture(scope="session")
def registry_frame(engine: Engine) -> pl.DataFrame:
    """A registry of REGISTRY_ROWS enterprises (some rows bad), with a `seq` column 0..n-1
    that is no profile field."""
    frame = _generated(engine.rulebook, REGISTRY_ROWS)
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"))


def _generated(rulebook: Rulebook, n: int) -> pl.DataFrame:
    """A synthetic registry of `n` rows with the two bad rows after each quarter of it."""
    frame = pl.concat(list(generate(rulebook, n, seed=20190501)), how="vertical_relaxed")
    bad = pl.DataFrame(BAD_ROWS, schema=profile_schema(rulebook))
    parts: list[pl.DataFrame] = []
    for start in range(0, n, n // 4):
        parts += [
            frame.slice(start, n // 4),
            bad.select(c for c in bad.columns if c in frame.columns),
        ]
    return pl.concat(parts, how="diagonal_relaxed")


@pytest.fixture(scope="session")
def registry_path(registry_frame: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry as one Parquet file with small row groups (Spark reads it in several
    partitions)."""
    path = tmp_path_factory.mktemp("registry") / "registry.parquet"
    registry_frame.write_parquet(path, row_group_size=250)
    return path


@pytest.fixture(scope="session")
def as_of() -> date:
    return date(2019, 12, 31)
