"""Files offices use: CSV in GBK, GB18030 or with a BOM; Excel workbooks in and out, split into
sheets below Excel's row limit; CSV out with a BOM. The same answers as the UTF-8 CSV."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from subsidy_engine import Engine, InputError
from subsidy_engine.batch import score_file
from subsidy_engine.batch.excel import ExcelBook, ExcelWriter
from subsidy_engine.batch.mapping import ColumnMapping, FieldMapping

ROOT = Path(__file__).parents[2]
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"
MAPPING = ColumnMapping(
    columns={
        "credit_code": "统一社会信用代码",
        "county": FieldMapping(column="所在区", strip=["某市"]),
        "flag": FieldMapping(column="是否", values={"是": "true", "否": "false"}),
        "sales": FieldMapping(column="销售收入(万元)", unit="万元"),
        "employees": "人数",
    }
)

READ: dict[str, Any] = {"mapping": MAPPING, "min_fields": None}
"""How these registries are read: they hold 5 of the 20 fields the kitchen rulebook reads."""


def registry(size: int = 30) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "统一社会信用代码": [GOOD if i % 7 else "坏" for i in range(size)],
            "所在区": [["某市东区", "西区", "南区", "北区"][i % 4] for i in range(size)],
            "是否": [["是", "否", None][i % 3] for i in range(size)],
            "销售收入(万元)": [f"{i * 137.5:.2f}" for i in range(size)],
            "人数": [str(i * 11) for i in range(size)],
        }
    )


def _results(path: Path) -> pl.DataFrame:
    if path.suffix == ".xlsx":
        return pl.read_excel(path, infer_schema_length=0)
    return pl.read_parquet(path).with_columns(pl.all().cast(pl.String))


def _expected(tmp_path: Path) -> pl.DataFrame:
    source = tmp_path / "utf8.csv"
    registry().write_csv(source)
    out = tmp_path / "utf8.parquet"
    score_file(KITCHEN, source, out, as_of=AS_OF, **READ, statuses="all")
    return pl.read_parquet(out)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_a_csv_in_another_encoding_scores_as_the_utf8_one(tmp_path: Path, encoding: str) -> None:
    text = registry().write_csv()
    source = tmp_path / f"{encoding}.csv"
    source.write_bytes(text.encode(encoding))
    out = tmp_path / f"{encoding}.parquet"
    given = encoding if encoding in ("gbk", "gb18030") else None  # the others by their BOM
    done = score_file(KITCHEN, source, out, as_of=AS_OF, **READ, statuses="all", encoding=given)
    assert done.rows_read == 30 == done.rows_scored + done.rows_rejected
    assert pl.read_parquet(out).equals(_expected(tmp_path))


def test_a_gbk_csv_read_as_utf8_is_refused_naming_the_option(tmp_path: Path) -> None:
    source = tmp_path / "gbk.csv"
    source.write_bytes(registry().write_csv().encode("gbk"))
    with pytest.raises(InputError, match=r"line 1: not UTF-8.*--encoding gbk"):
        score_file(KITCHEN, source, tmp_path / "o.parquet", as_of=AS_OF, **READ)
    with pytest.raises(InputError, match="unknown encoding 'gbkk'"):
        score_file(KITCHEN, source, tmp_path / "o.parquet", **READ, encoding="gbkk")


def test_a_byte_that_is_not_text_is_located(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    good = registry(3).write_csv().encode("gbk")
    source.write_bytes(good + b"\xff\xff,x,y,z,w\n")
    with pytest.raises(InputError, match=r"not gbk text at line 5, byte \d+"):
        score_file(KITCHEN, source, tmp_path / "o.parquet", **READ, encoding="gbk")


def test_an_excel_registry_scores_as_the_csv_and_results_go_to_excel(tmp_path: Path) -> None:
    source = tmp_path / "registry.xlsx"
    registry().write_excel(source, worksheet="企业")
    out = tmp_path / "results.xlsx"
    done = score_file(KITCHEN, source, out, as_of=AS_OF, **READ, statuses="all", sheet="企业")
    assert done.rows_read == 30 == done.rows_scored + done.rows_rejected
    expected = _expected(tmp_path)
    got = pl.read_excel(out, infer_schema_length=0)
    assert got.columns == expected.columns
    assert got["rule_id"].to_list() == expected["rule_id"].cast(pl.String).to_list()
    assert got["row"].cast(pl.Int64).to_list() == expected["row"].to_list()
    amounts = got["amount"].cast(pl.Float64).to_list()
    assert amounts == [None if a is None else float(a) for a in expected["amount"].to_list()]
    rejects = pl.read_excel(out, sheet_name="rejects", infer_schema_length=0)
    by_csv = pl.read_csv(tmp_path / "utf8.rejects.csv")
    assert rejects["row"].cast(pl.Int64).to_list() == by_csv["row"].to_list()
    assert rejects["reason"].to_list() == by_csv["reason"].to_list()
    assert done.rejects_path == out and not (tmp_path / "results.rejects.csv").exists()
    with pytest.raises(InputError, match="no sheet 'x'; its sheets are 企业"):
        score_file(KITCHEN, source, out, **READ, sheet="x")


def test_excel_output_is_split_below_the_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "split.xlsx"
    book = ExcelBook(path)
    writer = ExcelWriter(book, rows_per_sheet=4)
    writer.write(pl.DataFrame({"n": [1, 2, 3, 4]}))
    writer.write(pl.DataFrame({"n": [5, 6, 7]}))
    writer.close()
    book.close()
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["results", "results_2", "results_3"]
    assert [sheets[s]["n"].to_list() for s in sheets] == [[1, 2, 3], [4, 5, 6], [7]]


def test_csv_output_with_a_bom_for_excel(tmp_path: Path) -> None:
    source = tmp_path / "r.csv"
    registry(4).write_csv(source)
    out = tmp_path / "o.csv"
    score_file(KITCHEN, source, out, as_of=AS_OF, **READ, bom=True)
    assert out.read_bytes().startswith(codecs.BOM_UTF8)
    assert (tmp_path / "o.rejects.csv").read_bytes().startswith(codecs.BOM_UTF8)
