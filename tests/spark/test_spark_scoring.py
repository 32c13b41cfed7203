"""`score_spark` gives `score`'s answers, row for row, through a real local Spark session.

Both sides are sorted and compared column by column with exact dtypes (amounts as
Decimal(38,2), to the fen), results and rejects alike: on the six example profiles, on a
generated registry of a few thousand rows read from Parquet in several partitions and batches,
under a reform, through a column mapping and with caller-given row numbers. The rulebook is
built once per Python worker, however many partitions and batches it scores.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from subsidy_engine import Engine
from subsidy_engine.batch import ScoreResult, score
from subsidy_engine.batch.scoring import DEFAULT_STATUSES
from subsidy_engine.errors import InputError
from subsidy_engine.spark.schema import plain_schema

pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),  # pyspark on pandas >= 3
    pytest.mark.xdist_group("spark"),  # one Spark session, on one test worker
]

REFORM: dict[str, Any] = {
    "id": "booths-priced",
    "title": "展位补助每个展位3000元；不再实行政府采购预留份额",
    "parameters": {"booth_subsidy_per_booth": [{"value": 3000, "reference": "test"}]},
    "disable": ["m37.procurement_sme_set_aside"],
}


def collected(df: Any) -> pl.DataFrame:
    frame = pl.from_arrow(df.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame


def assert_same(got: Any, expected: ScoreResult) -> None:
    """Spark's results and rejects equal `score`'s, every column, sorted the same way."""
    results = expected.results.cast(plain_schema(expected.results.schema))  # type: ignore[arg-type]
    order = ["row", "rule_id", "item"]
    spark_results = collected(got.results)
    assert spark_results.columns == results.columns
    assert_frame_equal(
        spark_results.sort(order, nulls_last=True),
        results.sort(order, nulls_last=True),
        check_exact=True,
    )
    assert_frame_equal(collected(got.rejects).sort("row"), expected.rejects.sort("row"))


def spark_frame(spark: Any, frame: pl.DataFrame, tmp_path: Path) -> Any:
    path = tmp_path / "input.parquet"
    frame.write_parquet(path)
    return spark.read.parquet(str(path))


def test_the_six_examples_score_as_on_one_machine(
    spark: Any, engine: Engine, examples_frame: pl.DataFrame, as_of: date, tmp_path: Path
) -> None:
    from subsidy_engine.spark import score_spark

    df = spark_frame(spark, examples_frame, tmp_path)
    got = score_spark(df, rulebook=engine, as_of=as_of, statuses="all")
    expected = score(engine, examples_frame, as_of, statuses="all")
    assert_same(got, expected)
    assert got.provenance == expected.provenance
    assert expected.rows_rejected == 2  # rows in = rows scored + rows rejected
    rows = collected(got.results.select("row").distinct()).height
    assert rows + got.rejects.count() == examples_frame.height


def test_written_results_read_back_as_scored(
    spark: Any, engine: Engine, examples_frame: pl.DataFrame, as_of: date, tmp_path: Path
) -> None:
    from subsidy_engine.spark import score_spark

    got = score_spark(spark_frame(spark, examples_frame, tmp_path), as_of=as_of)
    results, rejects = tmp_path / "results", tmp_path / "rejects"
    got.write(str(results), str(rejects))
    written = pl.read_parquet(results / "*.parquet")
    expected = score(engine, examples_frame, as_of)
    assert written.sort("row", "rule_id").equals(collected(got.results).sort("row", "rule_id"))
    assert written.height == expected.results.height
    assert pl.read_parquet(rejects / "*.parquet")["row"].sort().to_list() == [6, 7]


def test_spark_types(
    spark: Any, engine: Engine, examples_frame: pl.DataFrame, tmp_path: Path
) -> None:
    from pyspark.sql import types as t

    from subsidy_engine.spark import score_spark

    got = score_spark(spark_frame(spark, examples_frame, tmp_path), as_of=date(2019, 12, 31))
    fields = {f.name: f.dataType for f in got.results.schema.fields}
    assert fields["row"] == t.LongType()
    assert fields["amount"] == t.DecimalType(38, 2)
    assert fields["amount_date"] == t.DateType()
    assert fields["missing_facts"] == t.ArrayType(t.StringType(), True)
    assert fields["status"] == t.StringType()
    assert [f.name for f in got.rejects.schema.fields] == ["row", "credit_code", "reason"]


def test_a_registry_in_many_partitions_scores_as_on_one_machine(
    spark: Any, engine: Engine, registry_frame: pl.DataFrame, registry_path: Path
) -> None:
    """Rows are numbered in the DataFrame's order across partitions and batches (Spark's
    batches of 200 rows are joined in pairs before scoring, the last of a partition alone)."""
    from subsidy_engine.spark import score_spark

    spark.conf.set("spark.sql.files.maxPartitionBytes", "64k")
    try:
        df = spark.read.parquet(str(registry_path))
        assert df.rdd.getNumPartitions() >= 4
        day = date(2020, 6, 30)
        got = score_spark(df, rulebook=engine, as_of=day, batch_rows=300)
        order = collected(df.select("seq"))["seq"]
        expected = score(engine, registry_frame[order], day)
        assert expected.rows_rejected > 0 and expected.results.height > registry_frame.height
        assert_same(got, expected)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


def test_rows_numbered_from_a_column(
    spark: Any, engine: Engine, registry_frame: pl.DataFrame, registry_path: Path
) -> None:
    from subsidy_engine.spark import score_spark

    df = spark.read.parquet(str(registry_path)).withColumn("registry_id", pl_seq_plus(1000))
    got = score_spark(df, as_of=date(2019, 12, 31), row_column="registry_id", statuses="all")
    expected = score(engine, registry_frame, date(2019, 12, 31), statuses="all", row_offset=1000)
    assert_same(got, expected)


def test_chosen_columns_are_the_full_results_projected(
    spark: Any, engine: Engine, registry_frame: pl.DataFrame, registry_path: Path
) -> None:
    """With or without `row` among them, numbered by Spark or by a column."""
    from subsidy_engine.spark import score_spark

    day = date(2019, 12, 31)
    df = spark.read.parquet(str(registry_path))
    numbered = df.withColumn("registry_id", pl_seq_plus(1000))
    full = score(engine, registry_frame, day, statuses="all", row_offset=1000).results
    for columns in (["amount", "row", "rule_id"], ["rule_id", "status", "missing_facts"]):
        got = score_spark(numbered, as_of=day, row_column="registry_id", columns=columns)
        projected = full.filter(pl.col("status").is_in(DEFAULT_STATUSES)).select(columns)
        expected = projected.cast(plain_schema(projected.schema))  # type: ignore[arg-type]
        spark_results = collected(got.results)
        assert spark_results.columns == columns
        assert_frame_equal(spark_results.sort(columns), expected.sort(columns), check_exact=True)
    unnumbered = score_spark(df, as_of=day, columns="row,rule_id")
    assert_frame_equal(
        collected(unnumbered.results).sort("row", "rule_id"),
        score(engine, registry_frame, day, columns="row,rule_id")
        .results.select(pl.col("row"), pl.col("rule_id").cast(pl.String))
        .sort("row", "rule_id"),
    )


def pl_seq_plus(offset: int) -> Any:
    from pyspark.sql import functions as f

    return f.col("seq") + offset


def test_a_reform_travels_to_the_executors(
    spark: Any, engine: Engine, examples_frame: pl.DataFrame, as_of: date, tmp_path: Path
) -> None:
    from subsidy_engine.spark import score_spark

    df = spark_frame(spark, examples_frame, tmp_path)
    reformed = engine.with_reform(REFORM)
    got = score_spark(df, rulebook=engine, reform=REFORM, as_of=as_of, statuses="all")
    expected = score(reformed, examples_frame, as_of, statuses="all")
    assert_same(got, expected)
    assert got.provenance.reform == reformed.rulebook.reform_label is not None
    booths = collected(got.results.filter("rule_id = 'm35.exhibition_booth_subsidy'"))
    assert booths.filter(pl.col("status") == "eligible")["amount"].to_list()
    assert collected(got.results.filter("rule_id = 'm37.procurement_sme_set_aside'")).is_empty()
    base = score(engine, examples_frame, as_of, statuses="all").results
    assert not base.filter(pl.col("rule_id") == "m37.procurement_sme_set_aside").is_empty()

    path = tmp_path / "reform.yaml"
    path.write_text(yaml.safe_dump(REFORM, allow_unicode=True), encoding="utf-8")
    from_file = score_spark(df, reform=path, as_of=as_of)
    assert_same(from_file, score(engine.with_reform(path), examples_frame, as_of))
    assert from_file.provenance == score(engine.with_reform(path), examples_frame, as_of).provenance


def test_a_column_mapping_reads_fields_from_other_columns(
    spark: Any, engine: Engine, examples_frame: pl.DataFrame, as_of: date, tmp_path: Path
) -> None:
    from subsidy_engine.spark import score_spark

    renamed = examples_frame.rename({"credit_code": "uscc", "employees": "staff"})
    df = spark_frame(spark, renamed.with_columns(pl.lit(1).alias("unrelated")), tmp_path)
    mapping = {"credit_code": "uscc", "employees": "staff"}
    got = score_spark(df, as_of=as_of, mapping=mapping)
    assert_same(got, score(engine, examples_frame, as_of))
    with pytest.raises(InputError, match="did you mean 'employees'"):
        score_spark(df, as_of=as_of, mapping={"employes": "staff"})
    with pytest.raises(InputError, match="not in the input"):
        score_spark(df, as_of=as_of, mapping={"employees": "headcount"})


def test_bad_arguments_are_refused_on_the_driver(
    spark: Any, engine: Engine, examples_frame: pl.DataFrame, tmp_path: Path
) -> None:
    from subsidy_engine.spark import score_spark

    df = spark_frame(spark, examples_frame, tmp_path)
    day = date(2019, 12, 31)
    with pytest.raises(InputError, match="pass the base rulebook"):
        score_spark(df, rulebook=engine.with_reform(REFORM), as_of=day)
    with pytest.raises(InputError, match="must hold integers"):
        score_spark(df, as_of=day, row_column="name")
    with pytest.raises(InputError, match="unknown status"):
        score_spark(df, as_of=day, statuses=["eligble"])
    with pytest.raises(InputError, match="batch rows must be at least 1"):
        score_spark(df, as_of=day, batch_rows=0)
    with pytest.raises(InputError, match="did you mean 'amount'"):
        score_spark(df, as_of=day, columns="row,amout")


def test_the_rulebook_is_built_once_per_worker(
    spark: Any, engine: Engine, registry_path: Path, build_log: Path
) -> None:
    """Many partitions and batches; each worker process builds each engine once."""
    from subsidy_engine.spark import score_spark, ship

    reform = {**REFORM, "id": "built-once"}
    digest = ship(engine, reform).digest
    spark.conf.set("spark.sql.files.maxPartitionBytes", "64k")
    try:
        df = spark.read.parquet(str(registry_path))
        partitions = df.rdd.getNumPartitions()
        got = score_spark(df, rulebook=engine, reform=reform, as_of=date(2020, 1, 1))
        assert got.results.count() > 0
        assert got.rejects.count() > 0  # the validation pass: more tasks on the same workers
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    builds = [line.split() for line in (build_log / "builds.log").read_text().splitlines()]
    per_worker = Counter(pid for pid, built in builds if built == digest)
    assert per_worker, "no worker logged a build"
    assert set(per_worker.values()) == {1}
    assert sum(per_worker.values()) <= 2 < 2 * partitions  # local[2]: at most two workers
    all_builds = Counter((pid, built) for pid, built in builds)
    assert set(all_builds.values()) == {1}


def test_the_example_job_runs(tmp_path: Path) -> None:
    root = Path(__file__).parents[2]
    command = [
        sys.executable,
        str(root / "examples" / "spark_score.py"),
        "--generate=2000",
        f"--input={tmp_path / 'registry.parquet'}",
        f"--output={tmp_path / 'scored'}",
        "--as-of=2019-12-31",
        "--cores=1",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2,000 rows read: 2,000 scored, 0 rejected" in done.stdout
    written = pl.read_parquet(tmp_path / "scored" / "results" / "*.parquet")
    expected = score(Engine(), pl.read_parquet(tmp_path / "registry.parquet"), date(2019, 12, 31))
    assert written.height == expected.results.height
