"""`score_spark`: the batch backend's `score`, run by Spark on every partition of a DataFrame.

Executors run the very same code as one machine: `DataFrame.mapInArrow` hands each Python
worker its partitions as Arrow record batches, and each batch goes through
`subsidy_engine.batch.score` with the Engine the worker built once from the shipped rulebook
(see `shipping`). One output schema is allowed, so results and rejects leave the workers as one
tagged table (`__rejected` tells them apart) that is split into two DataFrames; that table is
persisted (MEMORY_AND_DISK) so that reading both does not score the registry twice.

Row numbers, as `score` gives them on the same rows in one table in the same order:

* by default, rows are numbered 0, 1, 2, ... in the DataFrame's order (partition by partition,
  in order within each), as `RDD.zipWithIndex` numbers them: a
  `monotonically_increasing_id` column gives each row its partition and position, a small
  counting job (reading no column) gives each partition's size, and each worker adds the
  partition's offset. That needs the input to be split into the same partitions each time it
  is computed (true of a file or table scan); a worker that sees a partition of another size
  fails rather than number rows wrongly. After a shuffle, `cache()` the input first, or
  number the rows yourself:
* with `row_column`, the values of that (integer, non-null) column are the row numbers; no
  counting job is run. Distinct values are the caller's promise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.batch.dtypes import dtype_of
from subsidy_engine.batch.mapping import MappingLike, missing_columns, renames
from subsidy_engine.batch.scoring import DEFAULT_STATUSES, score
from subsidy_engine.batch.stream import BATCH_ROWS
from subsidy_engine.engine import Engine, Reform
from subsidy_engine.errors import InputError
from subsidy_engine.results import Provenance, Status
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.spark.schema import arrow_schema, plain_schema, spark_schema
from subsidy_engine.spark.shipping import RulebookSource, ShippedRulebook, ship

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

ROW_ID = "__subsidy_row_id"
"""The input column carrying each row's number (or its partition and position)."""
REJECTED = "__rejected"
REASON = "__reason"
REJECT_KEY = "__reject_key"
POSITION_BITS = 33
"""`monotonically_increasing_id` = partition index << 33 | position in the partition."""
_POSITION_MASK = (1 << POSITION_BITS) - 1
_LARGE_TYPES = "spark.sql.execution.arrow.useLargeVarTypes"


@dataclass(frozen=True, slots=True)
class SparkScore:
    """What `score_spark` returns: two lazy DataFrames over one persisted scoring pass."""

    results: DataFrame
    """`score`'s result columns (enumerations as strings; `amount` Decimal(38,2), missing
    lists as arrays of strings, `amount_date` a date), one row per enterprise × rule (× item)."""
    rejects: DataFrame
    """`row`, the key as given (named as the profile key, or `key`), `reason`."""
    provenance: Provenance
    """Rulebook id and content hash, engine version, `as_of`, reform label."""
    tagged: DataFrame = field(repr=False)
    """Results and rejects in one DataFrame, as the workers wrote them (persisted unless
    `persist=False`); `results` and `rejects` are its two halves."""

    def unpersist(self) -> None:
        """Release the persisted scoring pass (once results and rejects are written)."""
        self.tagged.unpersist()

    def write(self, results: str, rejects: str, *, mode: str = "errorifexists") -> None:
        """Write results and rejects as Parquet (any path or URI Spark writes to; `mode` as in
        `DataFrameWriter.mode`), from one scoring pass, then release it."""
        self.results.write.mode(mode).parquet(results)
        self.rejects.write.mode(mode).parquet(rejects)
        self.unpersist()


def score_spark(
    df: DataFrame,
    *,
    as_of: date,
    rulebook: RulebookSource = None,
    reform: Reform | None = None,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    mapping: MappingLike | None = None,
    row_column: str | None = None,
    persist: bool = True,
    batch_rows: int = BATCH_ROWS,
) -> SparkScore:
    """Score every row of Spark DataFrame `df` (one enterprise per row) as `score` would.

    `rulebook` is an Engine, a loaded Rulebook, a rulebook folder or None (the bundled one);
    `reform` a reform file or mapping applied on top (a reformed Engine is refused: pass its
    base and the reform). `as_of` and `statuses` mean what they mean in `score`. `mapping`
    maps profile fields to the columns holding them (`{"employees": "staff_count"}`); other
    fields are read from the column of their own name, and columns that are no profile field
    are not sent to the workers. Rows are numbered as the module docstring says, or from
    `row_column`. With `persist` (the default), the scoring pass is persisted
    (MEMORY_AND_DISK) on first use so that `results` and `rejects` are computed once; call
    `SparkScore.unpersist()` when done. Each worker scores about `batch_rows` rows at a time
    (its memory grows with it, as `score_file`'s does). Without a `row_column`, one small
    counting job runs now; the scoring itself runs when the results or rejects are first used.
    """
    if batch_rows < 1:
        raise InputError(f"batch rows must be at least 1, not {batch_rows}")
    given = rulebook
    shipped = ship(given, reform)
    engine = shipped.engine()
    _check_same(given, engine)
    chosen: tuple[str, ...] | str = (
        statuses
        if isinstance(statuses, str)
        else tuple(s.value if isinstance(s, Status) else str(s) for s in statuses)
    )
    book = engine.rulebook
    empty = pl.DataFrame(schema={n: dtype_of(t) for n, t in book.profile.types.items()})
    shape = score(engine, empty, as_of, statuses=chosen)
    results_schema = plain_schema(shape.results.schema)
    reject_key = shape.rejects.columns[1]
    tagged_schema = {
        REJECTED: pl.Boolean(),
        **results_schema,
        REASON: pl.String(),
        REJECT_KEY: pl.String(),
    }
    session = df.sparkSession
    large = str(session.conf.get(_LARGE_TYPES, "false")).lower() == "true"
    columns = _profile_columns(df, book, mapping)
    partitions: dict[int, tuple[int, int]] | None = None
    if row_column is None:
        from pyspark.sql import functions as f

        source = df.select(*columns, f.monotonically_increasing_id().alias(ROW_ID))
        partitions = _partition_offsets(source)
    else:
        source = df.select(*columns, _row_numbers(df, row_column).alias(ROW_ID))
    scorer = PartitionScorer(
        shipped=shipped,
        as_of=as_of,
        statuses=chosen,
        partitions=partitions,
        schema=tagged_schema,
        arrow=arrow_schema(tagged_schema, large=large),
        reject_key=reject_key,
        batch_rows=batch_rows,
    )
    tagged = source.mapInArrow(scorer, spark_schema(tagged_schema))
    if persist:
        from pyspark import StorageLevel

        tagged = tagged.persist(StorageLevel.MEMORY_AND_DISK)
    from pyspark.sql import functions as f

    results = tagged.filter(~f.col(REJECTED)).select(*[_quoted(c) for c in results_schema])
    rejects = tagged.filter(f.col(REJECTED)).select(
        f.col("row"),
        f.col(REJECT_KEY).alias(reject_key),
        f.col(REASON).alias("reason"),
    )
    return SparkScore(results, rejects, shape.provenance, tagged)


@dataclass(frozen=True)
class PartitionScorer:
    """The function `mapInArrow` runs on each partition: Arrow batches of profiles in, tagged
    result and reject batches out. Picklable; the Engine is built (once per worker process)
    from `shipped` when the first partition arrives."""

    shipped: ShippedRulebook
    as_of: date
    statuses: tuple[str, ...] | str
    partitions: dict[int, tuple[int, int]] | None
    """Partition index -> (first row number, row count); None: rows numbered by the input."""
    schema: dict[str, pl.DataType]
    arrow: pa.Schema
    reject_key: str
    batch_rows: int
    """Rows scored at a time: Spark's Arrow batches are joined until they reach this many."""

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        engine = self.shipped.engine()
        seen: dict[int, int] = {}
        for batch in _regrouped(batches, self.batch_rows):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            ids = frame.get_column(ROW_ID)
            profiles = frame.drop(ROW_ID)
            if self.partitions is None:
                result = score(engine, profiles, self.as_of, statuses=self.statuses)
                results = _renumbered(result.results, ids)
                rejects = _renumbered(result.rejects, ids)
            else:
                start = self._first_row(ids, seen)
                result = score(
                    engine, profiles, self.as_of, statuses=self.statuses, row_offset=start
                )
                results, rejects = result.results, result.rejects
            yield from self._tagged(results, rejects)
        self._check_complete(seen)

    def _first_row(self, ids: pl.Series, seen: dict[int, int]) -> int:
        """The row number of the batch's first row; checks that the batch continues its
        partition where the previous one stopped, within the size counted."""
        assert self.partitions is not None
        first, last = int(ids[0]), int(ids[-1])
        partition, position = first >> POSITION_BITS, first & _POSITION_MASK
        counted = self.partitions.get(partition)
        contiguous = last - first == len(ids) - 1
        if counted is None or not contiguous or seen.get(partition, 0) != position:
            raise _changed_partitions()
        offset, size = counted
        if position + len(ids) > size:
            raise _changed_partitions()
        seen[partition] = position + len(ids)
        return offset + position

    def _check_complete(self, seen: dict[int, int]) -> None:
        if self.partitions is None:
            return
        for partition, rows in seen.items():
            if rows != self.partitions[partition][1]:
                raise _changed_partitions()

    def _tagged(self, results: pl.DataFrame, rejects: pl.DataFrame) -> Iterator[pa.RecordBatch]:
        """Results and rejects as batches of the tagged schema."""
        frames = []
        if results.height:
            frames.append(results.select(self._columns(results.columns, rejected=False)))
        if rejects.height:
            renamed = rejects.rename({self.reject_key: REJECT_KEY, "reason": REASON})
            frames.append(renamed.select(self._columns(renamed.columns, rejected=True)))
        for frame in frames:
            table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
            yield from table.cast(self.arrow).to_batches()

    def _columns(self, present: list[str], *, rejected: bool) -> list[pl.Expr]:
        out = [pl.lit(rejected).alias(REJECTED)]
        for name, dtype in self.schema.items():
            if name == REJECTED:
                continue
            if name in present:
                out.append(pl.col(name).cast(dtype))
            else:
                out.append(pl.lit(None, dtype=dtype).alias(name))
        return out


def _regrouped(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """`batches` joined into tables of at least `rows` rows (the last may have fewer): each
    call of `score` has a fixed cost, and Spark's Arrow batches are small (10,000 rows by
    default)."""
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        if batch.num_rows:
            held.append(batch)
            count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(held)
            held, count = [], 0
    if held:
        yield pa.Table.from_batches(held)


def _renumbered(frame: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """`frame` with its `row` (0-based in the batch) replaced by the input's row numbers."""
    if ids.null_count():
        raise InputError(f"the row column has {ids.null_count()} null value(s)")
    return frame.with_columns(ids.gather(frame.get_column("row")).alias("row"))


def _changed_partitions() -> InputError:
    return InputError(
        "the input DataFrame's partitions changed between counting and scoring its rows "
        "(a non-deterministic input, e.g. after a shuffle): cache() it first, or pass "
        "row_column= to number rows from a column"
    )


def _partition_offsets(source: DataFrame) -> dict[int, tuple[int, int]]:
    """Partition index -> (its first row number, its row count), from one counting job."""
    from pyspark.sql import functions as f

    part = f.shiftright(f.col(ROW_ID), POSITION_BITS).alias("partition")
    counts = {int(r["partition"]): int(r["count"]) for r in source.groupBy(part).count().collect()}
    out: dict[int, tuple[int, int]] = {}
    offset = 0
    for partition in sorted(counts):
        out[partition] = (offset, counts[partition])
        offset += counts[partition]
    return out


def _profile_columns(
    df: DataFrame, rulebook: Rulebook, mapping: MappingLike | None
) -> list[Column]:
    """The columns to send to the workers, named as profile fields; a field with no column is
    left out (a fact missing on every row, as in `score`)."""
    field_of = renames(mapping or {}, rulebook)
    problem = missing_columns(field_of, df.columns)
    if problem:
        raise InputError(problem)
    column_of = {field: column for column, field in field_of.items()}
    present = set(df.columns)
    return [
        _quoted(column_of.get(name, name)).alias(name)
        for name in rulebook.profile.spec.fields
        if column_of.get(name, name) in present
    ]


def _row_numbers(df: DataFrame, row_column: str) -> Column:
    from pyspark.sql import types as t

    if row_column not in df.columns:
        raise InputError(f"no row column {row_column!r} in the DataFrame")
    dtype = df.schema[row_column].dataType
    if not isinstance(dtype, t.ByteType | t.ShortType | t.IntegerType | t.LongType):
        raise InputError(f"the row column {row_column!r} must hold integers, not {dtype}")
    return _quoted(row_column).cast("long")


def _quoted(name: str) -> Column:
    from pyspark.sql import functions as f

    return f.col("`" + name.replace("`", "``") + "`")


def _check_same(given: Any, engine: Engine) -> None:
    """An Engine or Rulebook passed in must be what its folder holds now."""
    book = given.rulebook if isinstance(given, Engine) else given
    if isinstance(book, Rulebook) and book.sha256 != engine.rulebook.sha256:
        raise InputError(
            f"the files of rulebook {book.id} changed since it was loaded "
            f"({book.sha256[:12]} then, {engine.rulebook.sha256[:12]} now): load it again"
        )
