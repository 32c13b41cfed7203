"""The line that makes a CSV or JSON Lines file unreadable, for the error message.

Polars reports such a failure with a byte offset, or with no place at all. When a file cannot
be read, it is read again here, line by line, to name the first line at fault. This runs only
after a failure, so its speed does not matter.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path


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
            problem = _json_problem(text)
            if problem:
                return f"line {number}: {problem}"
    return None


def _json_problem(text: str) -> str | None:
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


def _csv(path: Path) -> str | None:
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                return f"line {number}: not UTF-8 (byte {error.start + 1} of the line)"
    with path.open(encoding="utf-8", newline="") as text:
        reader = csv.reader(text, strict=True)
        width = None
        try:
            for row in reader:
                if width is None:
                    width = len(row)
                elif row and len(row) != width:
                    return f"line {reader.line_num}: {len(row)} fields where the header has {width}"
        except csv.Error as error:
            return f"line {reader.line_num}: {error}"
    return None
