"""Quotes in a CSV registry: Python's reader, which finds bad lines, and Polars, which reads the
file, must agree on every line. Polars is the oracle: a record it reads alone as Python's
reader does is scored; any other is rejected naming its line; a quote left open to the end of
the file refuses the file, naming the line it opens on."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.batch import score_file
from subsidy_engine.errors import InputError

MINI = Engine(Path(__file__).parents[1] / "fixtures" / "mini")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"
HEADER = "credit_code,employees,county,note\n"


def _records(text: str) -> list[tuple[int, str, list[str] | None]]:
    """(first line, raw text, fields or None when the strict reader refuses it) of each record
    after the header."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    found: list[tuple[int, str, list[str] | None]] = []
    while True:
        start = reader.line_num + 1
        try:
            fields: list[str] | None = next(reader)
        except StopIteration:
            return found
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise
            fields = None
        found.append((start, "".join(lines[start - 1 : reader.line_num]), fields))


def _polars_alone(record: str) -> list[str] | None:
    """The fields Polars reads from the header and `record` alone, or None if it refuses."""
    try:
        frame = pl.read_csv((HEADER + record).encode(), infer_schema=False, null_values=[""])
    except pl.exceptions.PolarsError:
        return None
    if frame.height != 1 or frame.width != 4:
        return None
    return [cell or "" for cell in frame.row(0)]


notes = st.text(alphabet='x"\n', max_size=6).map(lambda note: note.replace("xx", "x,x"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(notes, min_size=1, max_size=8))
def test_a_line_polars_cannot_read_alone_is_rejected_and_every_other_scored(
    spec: list[str],
) -> None:
    text = HEADER + "".join(f"{GOOD},{row},东区,{note}\n" for row, note in enumerate(spec))
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "registry.csv", Path(folder) / "out.parquet"
        source.write_text(text, encoding="utf-8")
        try:
            records = _records(text)
        except csv.Error:  # a quote open to the end of the file
            with pytest.raises(InputError, match=r"line \d+: a quote opened here is never"):
                score_file(MINI, source, out, as_of=AS_OF, statuses="all", min_fields=None)
            return
        done = score_file(MINI, source, out, as_of=AS_OF, statuses="all", min_fields=None)
        rejected = pl.read_csv(Path(folder) / "out.rejects.csv", infer_schema=False)
    good = {
        row
        for row, (_, raw, fields) in enumerate(records)
        if fields is not None and _polars_alone(raw) == fields
    }
    assert done.rows_read == len(records) == done.rows_scored + done.rows_rejected
    assert done.rows_scored == len(good)
    starts = {str(row): f"line {start}: " for row, (start, _, _) in enumerate(records)}
    for row, reason in rejected.select("row", "reason").iter_rows():
        assert int(row) not in good
        assert reason.startswith(starts[row]), (reason, starts[row])


def test_a_stray_quote_rejects_its_row_naming_the_line(tmp_path: Path) -> None:
    source = tmp_path / "registry.csv"
    source.write_text(
        f'{HEADER}{GOOD},1,东区,ab"c\n{GOOD},2,东区,"a ""quoted"" note"\n{GOOD},3,东区,a""b\n',
        encoding="utf-8",
    )
    done = score_file(
        MINI, source, tmp_path / "out.parquet", as_of=AS_OF, statuses="all", min_fields=None
    )
    rejected = pl.read_csv(tmp_path / "out.rejects.csv")
    assert (done.rows_read, done.rows_scored, done.rows_rejected) == (3, 2, 1)
    assert rejected["row"].to_list() == [0]
    assert rejected["reason"].to_list() == [
        "line 2: an unpaired quote inside an unquoted field (quote the field, doubling its quotes)"
    ]
