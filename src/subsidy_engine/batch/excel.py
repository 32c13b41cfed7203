"""Excel workbooks (.xlsx): a registry read from one sheet, results written sheet by sheet.

A sheet holds at most 1,048,576 rows, the header included, so results are split over sheets
(`results`, `results_2`, …) below that limit. Cells are read as text, as CSV cells are, and
validated as profile values; amounts are written as numbers (exact to the fen below 10^13 yuan),
dates as dates, lists as their items joined by "; ".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from subsidy_engine.errors import InputError

EXCEL_ROWS = 1_048_576
"""Rows in a worksheet, the header included."""


def read_sheet(path: Path, sheet: str | None) -> pl.DataFrame:
    """The sheet `sheet` (default: the first) of the workbook at `path`, every cell as text."""
    try:
        import fastexcel
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError("reading .xlsx needs the fastexcel package") from None
    try:
        workbook = fastexcel.read_excel(str(path))
        names = workbook.sheet_names
        if sheet is not None and sheet not in names:
            raise InputError(f"{path}: no sheet {sheet!r}; its sheets are {', '.join(names)}")
        frame = pl.read_excel(
            path, sheet_name=sheet or names[0], infer_schema_length=0, raise_if_empty=False
        )
    except InputError:
        raise
    except Exception as error:  # fastexcel raises its own error kinds for a damaged workbook
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"{path}: cannot be read as an Excel workbook: {first}") from None
    return frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))


class ExcelBook:
    """An .xlsx workbook written in constant memory, one sheet (or more) per table."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter  # type: ignore[import-untyped]

        self.path = path
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})

    def close(self) -> None:
        self.book.close()


class ExcelWriter:
    """Frames appended to a sheet of a workbook, a new sheet whenever one is full."""

    def __init__(
        self, book: ExcelBook, sheet: str = "results", rows_per_sheet: int = EXCEL_ROWS
    ) -> None:
        self._book = book.book
        self._date = book.date
        self._name = sheet
        self._capacity = rows_per_sheet - 1
        self._sheets = 0
        self._sheet: Any = None
        self._row = 0
        self._header: list[str] = []

    def write(self, frame: pl.DataFrame) -> None:
        if not self._header:
            self._header = frame.columns
            self._new_sheet()
        for values in frame.iter_rows():
            if self._row > self._capacity:
                self._new_sheet()
            for column, value in enumerate(values):
                self._cell(column, value)
            self._row += 1

    def _new_sheet(self) -> None:
        self._sheets += 1
        name = self._name if self._sheets == 1 else f"{self._name}_{self._sheets}"
        self._sheet = self._book.add_worksheet(name)
        for column, title in enumerate(self._header):
            self._sheet.write_string(0, column, title)
        self._row = 1

    def _cell(self, column: int, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            self._sheet.write_boolean(self._row, column, value)
        elif isinstance(value, int | float | Decimal):
            self._sheet.write_number(self._row, column, float(value))
        elif isinstance(value, date):
            self._sheet.write_datetime(self._row, column, value, self._date)
        elif isinstance(value, list):
            self._sheet.write_string(self._row, column, "; ".join(str(v) for v in value))
        else:
            self._sheet.write_string(self._row, column, str(value))

    def close(self) -> None:
        """Finish the table: a table without a frame still gets its (empty) sheet."""
        if not self._header:
            self._header = ["(no rows)"]
            self._new_sheet()
