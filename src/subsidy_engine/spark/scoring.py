"""`score_spark`: the batch backend's `score`, run by Spark on every partition of a DataFrame.

Executors run the very same code as one machine: `DataFrame.mapInArrow` hands each Python
worker its partitions as Arrow record batches, and each batch goes through
`subsidy_engine.batch.score` with the Engine the worker built once from the shipped rulebook
(see `shipping`). `mapInArrow` gives one output schema, so results and rejects are two
DataFrames over two passes: the results pass scores each batch, the rejects pass only runs
`score`'s validation on it (the same function, so the same rows are refused with the same
reasons). Nothing is persisted: a second, validation-only pass costs less than caching a
registry's results, and each DataFrame can be written or filtered as it is.

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
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.batch.columns import chosen_columns
from subsidy_engine.batch.inputs import to_polars
from subsidy_engine.batch.mapping import MappingLike, missing_columns, renames
from subsidy_engine.batch.scoring import DEFAULT_STATUSES, score
from subsidy_engine.batch.stream import BATCH_ROWS
from subsidy_engine.batch.validate import validate
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
POSITION_BITS = 33
"""`monotonically_increasing_id` = partition index << 33 | position in the partition."""
_POSITION_MASK = (1 << POSITION_BITS) - 1
Output = Literal["results", "rejects"]
_LARGE_TYPES = "spark.sql.execution.arrow.useLargeVarTypes"


@dataclass(frozen=True, slots=True)
class SparkScore:
    """What `score_spark` returns: two lazy DataFrames, computed when used."""

    results: DataFrame
    """`score`'s result columns (enumerations as strings; `amount` Decimal(38,2), missing
    lists as arrays of strings, `amount_date` a date), one row per enterprise × rule (× item)."""
    rejects: DataFrame
    """`row`, the key as given (named as the profile key, or `key`), `reason`."""
    provenance: Provenance
    """Rulebook id and content hash, engine version, `as_of`, reform label."""

    def write(self, results: str, rejects: str, *, mode: str = "errorifexists") -> None:
        """Write results and rejects as Parquet (any path or URI Spark writes to; `mode` as in
        `DataFrameWriter.mode`)."""
        self.results.write.mode(mode).parquet(results)
        self.rejects.write.mode(mode).parquet(rejects)


def score_spark(
    df: DataFrame,
    *,
    as_of: date,
    rulebook: RulebookSource = None,
    reform: Reform | None = None,
    statuses: Iterable[str | Status] | str = DEFAULT_STATUSES,
    mapping: MappingLike | None = None,
    row_column: str | None = None,
    batch_rows: int = BATCH_ROWS,
    columns: Iterable[str] | str | None = None,
) -> SparkScore:
    """Score every row of Spark DataFrame `df` (one enterprise per row) as `score` would.

    `rulebook` is an Engine, a loaded Rulebook, a rulebook folder or None (the bundled one);
    `reform` a reform file or mapping applied on top (a reformed Engine is refused: pass its
    base and the reform). `as_of`, `statuses` and `columns` mean what they mean in `score`
    (without `row`, results are not numbered). `mapping`
    maps profile fields to the columns holding them (`{"employees": "staff_count"}`); other
    fields are read from the column of their own name, and columns that are no profile field
    are not sent to the workers. Rows are numbered as the module docstring says, or from
    `row_column`. Each worker scores about `batch_rows` rows at a time (its memory grows with
    it, as `score_file`'s does). Without a `row_column`, one small counting job runs now; the
    scoring runs when the results or rejects are used.
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
    shown = chosen_columns(columns, book.profile.key)
    shape = score(engine, empty, as_of, statuses=chosen, columns=shown)
    schemas: dict[Output, dict[str, pl.DataType]] = {
        "results": plain_schema(shape.results.schema),
        "rejects": plain_schema(shape.rejects.schema),
    }
    session = df.sparkSession
    large = str(session.conf.get(_LARGE_TYPES, "false")).lower() == "true"
    sent = _profile_columns(df, book, mapping)
    partitions: dict[int, tuple[int, int]] | None = None
    if row_column is None:
        from pyspark.sql import functions as f

        source = df.select(*sent, f.monotonically_increasing_id().alias(ROW_ID))
        partitions = _partition_offsets(source)
    else:
        source = df.select(*sent, _row_numbers(df, row_column).alias(ROW_ID))
    frames = {}
    for output, schema in schemas.items():
        scorer = PartitionScorer(
            shipped=shipped,
            as_of=as_of,
            statuses=chosen,
            columns=shown,
            partitions=partitions,
            output=output,
            schema=schema,
            arrow=arrow_schema(schema, large=large),
            batch_rows=batch_rows,
        )
        frames[output] = source.mapInArrow(scorer, spark_schema(schema))
    return SparkScore(frames["results"], frames["rejects"], shape.provenance)


@dataclass(frozen=True)
class PartitionScorer:
    """The function `mapInArrow` runs on each partition: Arrow batches of profiles in, batches
    of results (or of rejects) out. Picklable; the Engine is built (once per worker process)
    from `shipped` when the first partition arrives."""

    shipped: ShippedRulebook
    as_of: date
    statuses: tuple[str, ...] | str
    columns: tuple[str, ...]
    """The result columns, in order."""
    partitions: dict[int, tuple[int, int]] | None
    """Partition index -> (first row number, row count); None: rows numbered by the input."""
    output: Output
    """What this pass yields: `score`'s results, or only the rows its validation refuses."""
    schema: dict[str, pl.DataType]
    arrow: pa.Schema
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
            start = 0 if self.partitions is None else self._first_row(ids, seen)
            out = self._output(engine, profiles, start)
            if self.partitions is None and "row" in out.columns:
                out = _renumbered(out, ids)
            if out.height:
                cast = out.select(pl.col(c).cast(d) for c, d in self.schema.items())
                table = cast.to_arrow(compat_level=pl.CompatLevel.oldest())
                yield from table.cast(self.arrow).to_batches()
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

    def _output(self, engine: Engine, profiles: pl.DataFrame, start: int) -> pl.DataFrame:
        """This pass's rows for a batch whose first row is numbered `start`."""
        if self.output == "rejects":
            return validate(to_polars(profiles, start), engine.rulebook)[1]
        return score(
            engine,
            profiles,
            self.as_of,
            statuses=self.statuses,
            row_offset=start,
            columns=self.columns,
        ).results


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
