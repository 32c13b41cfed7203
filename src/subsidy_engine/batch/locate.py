"""The line that makes a CSV or JSON Lines file unreadable, for the error message.

Polars reports such a failure with a byte offset, or with no place at all. When a file cannot
be read, it is read again here, line by line, to name the first line at fault. This runs only
after a failure, so its speed does not matter.
"""

from __future__ import annotations

from pathlib import Path

from subsidy_engine.batch.salvage import BadFileError, csv_records, json_problem


def first_bad_line(path: Path, kind: str) -> str | None:
    """'line N: why' for the first bad line of `path`, or None when none is found."""
    try:
        if kind == "jsonl":
            return _jsonl(path)
        if kind == "csv":
            return _csv(path)
    except OSError:
        return None
    return None


def _jsonl(path: Path) -> str | None:
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                return f"line {number}: not UTF-8 (byte {error.start + 1} of the line)"
            if not text.strip():
                continue
            problem = json_problem(text)
            if problem:
                return f"line {number}: {problem}"
    return None


def _csv(path: Path) -> str | None:
    try:
        for record in csv_records(path):
            if record.problem is not None:
                return f"line {record.line}: {record.problem}"
    except BadFileError as error:
        return str(error)
    return None
