"""Append frames, batch after batch, to one Parquet, CSV, JSON Lines or Excel file.

The first frame fixes the file's schema; later ones are cast to it. CSV has no lists: a list
column (missing facts) is written as its items joined by "; ". A CSV text cell that a
spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a carriage return) is
written with a leading apostrophe, which spreadsheets show as text. A CSV file may start with a
UTF-8 BOM, so that Excel reads its Chinese text; an Excel file is split into sheets (`excel`).
"""

from __future__ import annotations

import codecs
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

import polars as pl

from subsidy_engine.batch.registry import file_format


class Sink(AbstractContextManager["Sink"]):
    """An output file opened for appending frames; use as a context manager."""

    def __init__(
        self,
        path: Path,
        given: str | None = None,
        *,
        bom: bool = False,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.kind = file_format(path, given)
        self.bom = bom
        self.metadata = metadata
        """Key-value metadata of a Parquet file (other formats have none)."""
        self.rows = 0
        self._schema: pl.Schema | None = None
        self._parquet: Any = None
        self._text: IO[bytes] | None = None
        self._excel: Any = None
        self._book: Any = None
        self._sheets: list[Any] = []

    def write(self, frame: pl.DataFrame) -> None:
        first = self._schema is None
        if self._schema is None:
            self._open(frame.schema)
        else:
            frame = frame.cast(self._schema)
        self.rows += frame.height
        if self._parquet is not None:
            self._parquet.write_table(frame.to_arrow())
        elif self._excel is not None:
            self._excel.write(frame)
        elif self.kind == "csv":
            assert self._text is not None
            _inert(_flat(frame)).write_csv(self._text, include_header=first)
        else:
            assert self._text is not None
            if frame.height:
                frame.write_ndjson(self._text)

    def _open(self, schema: pl.Schema) -> None:
        self._schema = schema
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == "parquet":
            import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

            arrow = pl.DataFrame(schema=schema).to_arrow().schema
            if self.metadata:
                arrow = arrow.with_metadata(self.metadata)
            self._parquet = pq.ParquetWriter(self.path, arrow, compression="zstd")
        elif self.kind == "xlsx":
            from subsidy_engine.batch.excel import ExcelWriter

            self._excel = ExcelWriter(self._workbook())
        else:
            self._text = self.path.open("wb")
            if self.bom and self.kind == "csv":
                self._text.write(codecs.BOM_UTF8)

    def sheet(self, name: str) -> Any:
        """Another table in this Excel workbook, on its own sheet (`write(frame)`)."""
        from subsidy_engine.batch.excel import ExcelWriter

        writer = ExcelWriter(self._workbook(), name)
        self._sheets.append(writer)
        return writer

    def _workbook(self) -> Any:
        from subsidy_engine.batch.excel import ExcelBook

        if self._book is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._book = ExcelBook(self.path)
        return self._book

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        for sheet in [self._excel, *self._sheets]:
            if sheet is not None:
                sheet.close()
        if self._book is not None:
            self._book.close()
        if self._text is not None:
            self._text.close()

    def __exit__(self, *_: object) -> None:
        self.close()


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(pl.col(lists).list.eval(pl.element().cast(pl.String)).list.join("; "))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(frame: pl.DataFrame) -> pl.DataFrame:
    starts = "^[" + "".join(FORMULA_STARTS).replace("-", "\\-") + "]"
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        formula = frame[name].str.contains(starts)
        if formula.any():  # rare: leave the other columns as they are, uncopied
            text = pl.col(name)
            frame = frame.with_columns(
                pl.when(formula).then(pl.lit("'") + text).otherwise(text).alias(name)
            )
    return frame
