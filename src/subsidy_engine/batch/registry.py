"""Registry files: Parquet, CSV, JSON Lines or Excel, read whole or batch by batch.

CSV and Excel cells are read as text and typed by validation, so one bad cell makes one rejected
row, not an unreadable file. A CSV file may be in another encoding than UTF-8 (`encodings`). A
file that cannot be read at all raises InputError naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from subsidy_engine.errors import InputError

FORMATS = ("parquet", "csv", "jsonl", "xlsx")
_SUFFIXES = {
    ".parquet": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """How to read a registry file: its format (default: by its extension), a CSV file's
    encoding (default: by its BOM, else UTF-8), an Excel workbook's sheet (default: the first)."""

    format: str | None = None
    encoding: str | None = None
    sheet: str | None = None


def _reading(given: str | Reading | None) -> Reading:
    return given if isinstance(given, Reading) else Reading(format=given)


def file_format(path: Path, given: str | Reading | None = None) -> str:
    """`given`, or the format `path`'s extension names."""
    given = _reading(given).format
    if given is not None:
        if given not in FORMATS:
            raise InputError(f"unknown format {given!r}; formats are {', '.join(FORMATS)}")
        return given
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"{path}: a registry is .parquet, .csv, .jsonl or .xlsx (or give the format)"
        )
    return found


def scan_registry(
    path: Path, given: str | Reading | None = None, *, salvage: bool = False
) -> pl.LazyFrame:
    """The registry at `path` as a lazy frame whose schema has been read. With `salvage`, a
    CSV or JSON Lines file with bad lines is read with each bad line as a row holding only its
    reason, in `salvage.UNREADABLE` (see `subsidy_engine.batch.salvage`)."""
    reading = _reading(given)
    kind = file_format(path, reading)
    if not path.is_file():
        raise InputError(f"{path}: no such registry file")
    try:
        if path.stat().st_size == 0 and kind in ("csv", "jsonl"):
            return pl.LazyFrame()
        frame = _scan(path, kind, reading, salvage)
        names = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as error:
        if not (salvage and kind == "jsonl"):
            raise unreadable(path, kind, error) from None
        frame, names = _salvaged_jsonl(path, error)
    if kind == "csv":
        _check_header(path, names)
    return frame


def _scan(path: Path, kind: str, reading: Reading, salvage: bool) -> pl.LazyFrame:
    if kind == "parquet":
        return pl.scan_parquet(path)
    if kind == "xlsx":
        from subsidy_engine.batch.excel import read_sheet

        return read_sheet(path, reading.sheet).lazy()
    if kind == "csv":
        from subsidy_engine.batch.encodings import utf8_path

        text = utf8_path(path, reading.encoding)
        if salvage:
            from subsidy_engine.batch.salvage import readable

            text = readable(path, kind, text)
        # an empty cell is a missing fact, quoted ("") or not
        return pl.scan_csv(text, infer_schema=False, null_values=[""])
    return pl.scan_ndjson(path, infer_schema_length=None)


def _salvaged_jsonl(path: Path, error: Exception) -> tuple[pl.LazyFrame, list[str]]:
    """A JSON Lines file Polars cannot read, read with its bad lines as rows saying why."""
    from subsidy_engine.batch.salvage import readable

    copy = readable(path, "jsonl")
    if copy == path:
        raise unreadable(path, "jsonl", error) from None
    try:
        frame = pl.scan_ndjson(copy, infer_schema_length=None)
        return frame, frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as again:
        # its bad lines are salvaged: the fault is elsewhere, and Polars' words are all there is
        raise InputError(f"{path}: cannot be read as jsonl: {_first_line(again)}") from None


def _check_header(path: Path, names: list[str]) -> None:
    """Polars reads any bytes as some header; these are the ones no registry writes."""
    for name in names:
        if "\n" in name or "\r" in name:
            raise InputError(f"{path}: the CSV header cannot be parsed (a quote left open?)")
        if "\ufffd" in name:
            raise InputError(
                f"{path}: the CSV header is not UTF-8 text (give the file's encoding, e.g. "
                "--encoding gbk)"
            )


def read_registry(path: Path, given: str | Reading | None = None) -> pl.DataFrame:
    """The whole registry at `path`, a bad line of a CSV or JSON Lines file as a row holding
    only its reason in `salvage.UNREADABLE` (`scan_registry`'s `salvage`): scoring rejects it."""
    frame = scan_registry(path, given, salvage=True)
    try:
        return frame.collect()
    except (pl.exceptions.PolarsError, OSError) as error:
        raise unreadable(path, file_format(path, given), error) from None


def registry_batches(path: Path, given: str | Reading | None, rows: int) -> Iterator[pl.DataFrame]:
    """The registry at `path` in batches of about `rows` rows, in file order, a bad line of a
    CSV or JSON Lines file as a row saying why (`scan_registry`'s `salvage`); a file without
    rows gives one empty batch, so that its columns are known."""
    frame = scan_registry(path, given, salvage=True)
    batches = iter(frame.collect_batches(chunk_size=rows))
    empty = True
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except (pl.exceptions.PolarsError, OSError) as error:
            raise unreadable(path, file_format(path, given), error) from None
        empty = False
        yield batch
    if empty:
        yield pl.DataFrame(schema=frame.collect_schema())


def row_count(path: Path, given: str | Reading | None = None) -> int | None:
    """The number of rows, when the file says so without being read (Parquet)."""
    if file_format(path, given) != "parquet":
        return None
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, ValueError):
        return None


def unreadable(path: Path, kind: str, error: Exception) -> InputError:
    from subsidy_engine.batch.locate import first_bad_line

    located = first_bad_line(path, kind)
    if located is not None:
        return InputError(f"{path}: cannot be read as {kind}: {located}")
    return InputError(f"{path}: cannot be read as {kind}: {_first_line(error)}")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
