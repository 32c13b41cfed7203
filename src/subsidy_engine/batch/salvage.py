"""Registry files with bad lines: a bad line becomes a row that says why, the others read as
they are.

A CSV record with more or fewer fields than the header, an empty line, a quote closed in the
middle of a field, or an odd number of quotes inside fields that do not begin with one, and a
JSON Lines line that is not one JSON object of finite numbers, is a fault of that line, not of
the file: `readable` gives a UTF-8 copy in which such a line is a row holding only its reason
("line N: why") in the column UNREADABLE, which `score` rejects, keeping
`rows read = scored + rejected`. Where the structure does not allow going on (a quote left open
to the end of the file, bytes that are not UTF-8) the file is refused, naming the line.

Python's reader takes a quote inside an unquoted field as text. Polars (with its default quote
character, the same `"`) takes every quote as opening or closing a quoted span when it splits
the file into lines: an even number of them in a record is read as text, as Python's reader
does, but an odd number leaves the lines after it split in the wrong places and the file is
refused. Such a record is therefore a bad line.

A CSV file is checked by a pass of Python's C reader before Polars reads it, because Polars pads
a short row with missing values without a word; the copy is written only when a line is bad.
A JSON Lines file is checked only when Polars cannot read it. Copies are removed when the
process ends.
"""

from __future__ import annotations

import atexit
import csv
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from subsidy_engine.batch.frames import ROW
from subsidy_engine.errors import InputError

UNREADABLE = "__unreadable"
"""The column of a salvaged copy holding a bad line's reason (null on every good row)."""

_END_OF_DATA = "unexpected end of data"
_STRAY_QUOTES = "an unpaired quote inside an unquoted field (quote the field, doubling its quotes)"
_CHECKED: dict[tuple[Path, float, int], Path] = {}


@dataclass(frozen=True, slots=True)
class Record:
    """One CSV record: the line it starts on, its fields, and what is wrong with it."""

    line: int
    fields: list[str]
    problem: str | None = None


class BadFileError(ValueError):
    """A file whose structure does not allow reading on past a bad line ("line N: why")."""


def csv_records(path: Path) -> Iterator[Record]:
    """Every record of the UTF-8 CSV file `path`, the header first; a record whose field count
    differs from the header's, or whose quoting is broken, carries its problem. BadFileError when a
    quote stays open to the end of the file or a byte is not UTF-8."""
    with path.open(encoding="utf-8", newline="") as text:
        quotes = [0]
        reader = csv.reader(_counting(text, quotes), strict=True)
        width: int | None = None
        while True:
            start = reader.line_num + 1
            quotes[0] = 0
            try:
                fields = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                hint = "give the file's encoding, e.g. --encoding gbk"
                raise BadFileError(f"{_first_undecodable(path)} ({hint})") from None
            except csv.Error as error:
                if str(error) == _END_OF_DATA:
                    raise BadFileError(
                        f"line {start}: a quote opened here is never closed"
                    ) from None
                yield Record(start, [], str(error))
                continue
            if width is None:
                width = len(fields)
            elif not fields:  # Polars would read it as an enterprise of which nothing is known
                yield Record(start, fields, "an empty line")
                continue
            elif len(fields) != width:
                yield Record(start, fields, f"{len(fields)} fields where the header has {width}")
                continue
            if quotes[0] % 2:
                yield Record(start, fields, _STRAY_QUOTES)
                continue
            yield Record(start, fields)


def _counting(lines: Iterable[str], quotes: list[int]) -> Iterator[str]:
    """`lines`, each one's quotes added to `quotes[0]`. A record the reader accepts has an even
    number of quotes in its quoted fields, so an odd count is a stray quote that Polars, which
    ends a record only after an even number of quotes, would read on past the record's end."""
    for line in lines:
        quotes[0] += line.count('"')
        yield line


def json_problem(text: str) -> str | None:
    """Why the JSON Lines line `text` is not one enterprise (None when it is)."""

    def refuse(name: str) -> float:
        raise ValueError(f"{name} is not a JSON number")

    def finite(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise ValueError(f"{literal[:20]} is too large a number")
        return value

    try:
        value = json.loads(text, parse_constant=refuse, parse_float=finite)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg} at column {error.colno})"
    except ValueError as error:
        return str(error)
    if not isinstance(value, dict):
        return f"a JSON object (one enterprise) is expected, not {type(value).__name__}"
    return None


def readable(path: Path, kind: str, source: Path | None = None) -> Path:
    """`path` itself when none of its lines is bad, else its salvaged copy. `source` is the
    file to read when it is not `path` (a UTF-8 copy of it); messages name `path`.
    A JSON Lines file is salvaged whatever it holds: call this once Polars has failed on it."""
    read = source or path
    stat = read.stat()
    key = (read.resolve(), stat.st_mtime, stat.st_size)
    if key not in _CHECKED:
        try:
            if kind == "csv":
                copy = _csv_copy(read) if _has_bad_record(read) else None
            else:
                copy = _jsonl_copy(read)
        except BadFileError as error:
            raise InputError(f"{path}: cannot be read as {kind}: {error}") from None
        _CHECKED[key] = copy or read
    return _CHECKED[key]


def _has_bad_record(path: Path) -> bool:
    """Whether `csv_records` would find a fault: the same reading at the C reader's speed, as
    this pass runs on every CSV file (an empty line has no fields); in a file holding a quote,
    the quotes are counted too (`_counting`)."""
    quoted = _holds_quote(path)
    quotes = [0]
    with path.open(encoding="utf-8", newline="") as text:
        reader = csv.reader(_counting(text, quotes) if quoted else text, strict=True)
        try:
            width = len(next(reader, []))
            if not quoted:
                return not set(map(len, reader)) <= {width}
            # the quotes read so far: even after every record of a file without stray ones
            return bool(quotes[0] % 2) or any(len(f) != width or quotes[0] % 2 for f in reader)
        except (csv.Error, UnicodeDecodeError):
            return True


def _holds_quote(path: Path) -> bool:
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            if b'"' in chunk:
                return True
    return False


def _csv_copy(path: Path) -> Path:
    copy, handle = _new_copy(".csv")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, lineterminator="\n")
        records = csv_records(path)
        header = next(records)
        empty = [""] * len(header.fields)
        writer.writerow([*header.fields, UNREADABLE])
        for record in records:
            if record.problem is not None:
                writer.writerow([*empty, f"line {record.line}: {record.problem}"])
            else:
                writer.writerow([*record.fields, ""])
    return copy


def _jsonl_copy(path: Path) -> Path | None:
    """The salvaged copy, or None when no line is bad (the fault is elsewhere)."""
    copy, handle = _new_copy(".jsonl")
    bad = False
    with path.open("rb") as source, os.fdopen(handle, "wb") as target:
        for number, raw in enumerate(source, start=1):
            text = _decoded(raw, number)
            problem = json_problem(text) if text.strip() else None
            if problem is None:
                target.write(raw if raw.endswith(b"\n") else raw + b"\n")
                continue
            bad = True
            reason = {UNREADABLE: f"line {number}: {problem}"}
            target.write(json.dumps(reason, ensure_ascii=False).encode() + b"\n")
    if not bad:
        copy.unlink()
        return None
    return copy


def _decoded(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadFileError(
            f"line {number}: not UTF-8 (byte {error.start + 1} of the line)"
        ) from None


def _first_undecodable(path: Path) -> str:
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                _decoded(raw, number)
            except BadFileError as error:
                return str(error)
    return "not UTF-8 text"


def _new_copy(suffix: str) -> tuple[Path, int]:
    handle, name = tempfile.mkstemp(prefix="registry-", suffix=suffix)
    copy = Path(name)
    atexit.register(copy.unlink, missing_ok=True)
    return copy, handle


def without_unreadable(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """(the rows of `frame` read from good lines; each bad line's reason, "line N: why")."""
    if UNREADABLE not in frame.columns:
        return frame, []
    bad = pl.col(UNREADABLE).is_not_null()
    reasons = frame.filter(bad)[UNREADABLE].cast(pl.String).to_list()
    return frame.filter(~bad).drop(UNREADABLE), reasons


def unreadable_rows(
    frame: pl.DataFrame, key: str | None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(the rows of `frame` read from good lines; the rows of bad lines as rejects: row, key
    (missing), reason), or (`frame`, None) when `frame` holds no salvaged lines."""
    if UNREADABLE not in frame.columns:
        return frame, None
    bad = pl.col(UNREADABLE).is_not_null()
    rejected = frame.filter(bad).select(
        pl.col(ROW).alias("row"),
        pl.lit(None, dtype=pl.String).alias(key or "key"),
        pl.col(UNREADABLE).cast(pl.String).alias("reason"),
    )
    return frame.filter(~bad).drop(UNREADABLE), rejected
