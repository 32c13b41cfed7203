"""A registry written its own way (Chinese headers, 万元, 是/否, prefixed county names, dates as
2019/03/15, lists as `2018;2019`) scores, through a mapping, exactly as the same facts written
as profile values; what cannot be understood is refused before any row is scored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import DiagnosticsError, Engine, InputError
from subsidy_engine.batch import load_mapping, score_file
from subsidy_engine.batch.mapping import ColumnMapping, FieldMapping
from subsidy_engine.batch.recognise import check_registry
from subsidy_engine.dependencies import fields_read

ROOT = Path(__file__).parents[2]
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"

MAPPING = ColumnMapping(
    columns={
        "credit_code": "统一社会信用代码",
        "industry_code": "行业代码",
        "county": FieldMapping(column="所在区", strip=["某市"]),
        "flag": FieldMapping(column="是否", values={"是": "true", "否": "false"}),
        "sales": FieldMapping(column="销售收入(万元)", unit="万元"),
        "ratio": FieldMapping(column="比例", unit="%"),
        "start": FieldMapping(column="开始日期", dates=["%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"]),
        "years": FieldMapping(column="年份", list_format=";"),
        "tags": FieldMapping(column="标签", list_format="json"),
    }
)
_DATES = (
    "{d.year}/{d.month:02d}/{d.day:02d}",
    "{d.year}{d.month:02d}{d.day:02d}",
    "{d.year}年{d.month}月{d.day}日",
)


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))


row_strategy = st.fixed_dictionaries(
    {
        "industry_code": st.sampled_from(["C3071", "C1311", None]),
        "county": st.sampled_from(["东区", "西区", "南区", None]),
        "prefixed": st.booleans(),
        "flag": st.sampled_from([True, False, None]),
        "sales": st.one_of(st.none(), st.decimals(0, 10**9, places=2, allow_nan=False)),
        "ratio": st.one_of(st.none(), st.decimals(0, 1, places=4, allow_nan=False)),
        "start": st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2022, 12, 31))),
        "date_style": st.integers(0, 2),
        "years": st.one_of(st.none(), st.lists(st.integers(2010, 2022), max_size=3)),
        "tags": st.one_of(st.none(), st.lists(st.sampled_from(["甲", "乙"]), max_size=2)),
    }
)


def _canonical(row: dict[str, Any]) -> dict[str, Any]:
    years = row["years"] or None
    return {
        "credit_code": GOOD,
        "industry_code": row["industry_code"],
        "county": row["county"],
        "flag": None if row["flag"] is None else str(row["flag"]).lower(),
        "sales": None if row["sales"] is None else str(row["sales"]),
        "ratio": None if row["ratio"] is None else str(row["ratio"]),
        "start": None if row["start"] is None else row["start"].isoformat(),
        "years": years,
        "tags": row["tags"],
    }


def _registry_style(row: dict[str, Any]) -> dict[str, Any]:
    sales, ratio, start = row["sales"], row["ratio"], row["start"]
    county = row["county"]
    return {
        "统一社会信用代码": GOOD,
        "行业代码": row["industry_code"] and row["industry_code"][1:],
        "所在区": county and ("某市" + county if row["prefixed"] else county),
        "是否": None if row["flag"] is None else ("是" if row["flag"] else "否"),
        "销售收入(万元)": None if sales is None else str(sales / Decimal(10_000)),
        "比例": None if ratio is None else str(ratio * 100),
        "开始日期": None if start is None else _DATES[row["date_style"]].format(d=start),
        "年份": None if not row["years"] else ";".join(str(y) for y in row["years"]),
        "标签": None if row["tags"] is None else _json_list(row["tags"]),
    }


def _assert_scores_as(canonical: pl.DataFrame, source: Path, rows: int, **options: Any) -> None:
    """Scoring the file `source` (of `rows` rows) with `options` (a mapping) writes what
    scoring the frame `canonical` of the same facts gives."""
    out = source.with_name("out.parquet")
    done = score_file(KITCHEN, source, out, as_of=AS_OF, statuses="all", **options)
    expected = KITCHEN.score(canonical, AS_OF, statuses="all")
    assert done.rows_read == rows == done.rows_scored + done.rows_rejected
    assert done.rows_rejected == expected.rows_rejected
    assert _plain(pl.read_parquet(out)).equals(_plain(expected.results))


def _json_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(row_strategy, min_size=1, max_size=8))
def test_a_mapped_csv_scores_as_the_same_facts_written_as_profile_values(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("mapped")
    source = folder / "registry.csv"
    pl.DataFrame([_registry_style(r) for r in rows], infer_schema_length=None).write_csv(source)
    canonical = pl.DataFrame(
        [_canonical(r) for r in rows],
        schema_overrides={"years": pl.List(pl.Int64), "tags": pl.List(pl.String)},
        infer_schema_length=None,
    )
    _assert_scores_as(canonical, source, len(rows), mapping=MAPPING, min_fields=None)


def test_a_value_the_mapping_cannot_read_rejects_its_row_alone(tmp_path: Path) -> None:
    source = tmp_path / "registry.csv"
    rows = [
        {"统一社会信用代码": GOOD, "是否": "是", "开始日期": "2019/03/15", "标签": "[]"},
        {"统一社会信用代码": GOOD, "是否": "也许", "开始日期": "2019/03/15", "标签": "[]"},
        {"统一社会信用代码": GOOD, "是否": "否", "开始日期": "15.03.2019", "标签": "[]"},
        {"统一社会信用代码": GOOD, "是否": "true", "开始日期": "", "标签": "[不是"},
    ]
    pl.DataFrame(rows).write_csv(source)
    mapping = ColumnMapping(
        columns={
            k: v
            for k, v in MAPPING.columns.items()
            if k in ("credit_code", "flag", "start", "tags")
        }
    )
    out = tmp_path / "o.parquet"
    done = score_file(KITCHEN, source, out, as_of=AS_OF, mapping=mapping, min_fields=None)
    assert (done.rows_read, done.rows_scored, done.rows_rejected) == (4, 1, 3)
    reasons = pl.read_csv(done.rejects_path)["reason"].to_list()
    assert reasons[0] == "flag (column 是否): '也许' is not one of the mapping's values (是, 否)"
    assert reasons[1].startswith("start (column 开始日期): '15.03.2019' is not a date as %Y/%m/%d")
    assert reasons[2] == "tags (column 标签): '[不是' is not a JSON list"


def test_shuozhou_columns_named_by_their_titles_need_no_mapping(tmp_path: Path) -> None:
    source = tmp_path / "registry.csv"
    pl.DataFrame(
        {
            "统一社会信用代码": [GOOD],
            "企业名称": ["甲公司"],
            "从业人员": ["30"],
            "营业收入": ["5000万"],
        }
    ).write_csv(source)
    done = score_file(SHUOZHOU, source, tmp_path / "o.parquet", as_of=AS_OF, min_fields=0)
    assert (done.rows_scored, done.rows_rejected) == (1, 0)
    by_profile = SHUOZHOU.score(
        pl.DataFrame(
            {
                "credit_code": [GOOD],
                "name": ["甲公司"],
                "employees": ["30"],
                "operating_revenue": ["5000万"],
            }
        ),
        AS_OF,
    )
    assert _plain(pl.read_parquet(tmp_path / "o.parquet")).equals(_plain(by_profile.results))


def test_a_registry_of_unknown_columns_is_refused_naming_them_and_their_closest_fields(
    tmp_path: Path,
) -> None:
    source = tmp_path / "registry.csv"
    pl.DataFrame(
        {
            "统一社会信用代码": [GOOD],
            "登记注册类型": ["私营"],
            "是否在园区": ["是"],
            "营业收入额": ["1"],
        }
    ).write_csv(source)
    out = tmp_path / "o.parquet"
    with pytest.raises(InputError) as caught:
        score_file(SHUOZHOU, source, out, as_of=AS_OF)
    message = str(caught.value)
    assert "no column holds a profile field" in message
    assert "'登记注册类型': closest ownership (登记注册类型（所有制）)" in message
    assert "in_park (是否位于工业园区或创业园区)" in message
    assert not out.exists()


def test_a_registry_without_its_key_column_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "registry.csv"
    pl.DataFrame({"企业名称": ["甲"], "从业人员": ["3"], "营业收入": ["1"]}).write_csv(source)
    with pytest.raises(
        InputError, match=r"no key column: no column holds credit_code \(统一社会信用代码\)"
    ):
        score_file(SHUOZHOU, source, tmp_path / "o.parquet", as_of=AS_OF)


KITCHEN_READS = fields_read(KITCHEN.rulebook)
EXPORT_EXTRAS = [f"备用字段{i}" for i in range(80)]
"""Columns no rulebook reads, as an office's full export carries them."""


def _held(fields: list[str], extras: list[str]) -> pl.DataFrame:
    """One enterprise with a column for each of `fields` and `extras`, every fact missing."""
    columns = {"credit_code": [GOOD]} | {c: [None] for c in [*fields, *extras]}
    return pl.DataFrame(columns, schema={c: pl.String for c in columns})


def test_the_kitchen_rulebook_reads_twenty_fields() -> None:
    # the boundary below is exactly half of these
    assert len(KITCHEN_READS) == 20 and "credit_code" not in KITCHEN_READS


def test_half_the_fields_the_rulebook_reads_pass_however_many_other_columns(
    tmp_path: Path,
) -> None:
    source = tmp_path / "registry.csv"
    _held(list(KITCHEN_READS[:10]), EXPORT_EXTRAS).write_csv(source)
    done = score_file(KITCHEN, source, tmp_path / "o.parquet", as_of=AS_OF)
    assert (done.rows_read, done.rows_scored) == (1, 1)


def test_one_field_fewer_than_half_is_refused_naming_the_unrecognised_columns(
    tmp_path: Path,
) -> None:
    source = tmp_path / "registry.csv"
    _held(list(KITCHEN_READS[:9]), ["debts"]).write_csv(source)
    out = tmp_path / "o.parquet"
    with pytest.raises(InputError) as caught:
        score_file(KITCHEN, source, out, as_of=AS_OF)
    assert "only 9 of the 20 fields the rulebook reads have a column (at least 50% must" in str(
        caught.value
    )
    assert "'debts': closest debt" in str(caught.value) and not out.exists()
    lower = score_file(KITCHEN, source, out, as_of=AS_OF, min_fields=0.45)
    assert lower.rows_scored == 1


def test_an_office_export_with_every_field_and_many_more_columns_scores(tmp_path: Path) -> None:
    from subsidy_engine.synthetic import write_parquet

    full = tmp_path / "full.parquet"
    write_parquet(SHUOZHOU.rulebook, 5, full)
    extras = pl.DataFrame({c: ["x"] * 5 for c in EXPORT_EXTRAS})
    export = tmp_path / "export.parquet"
    pl.concat([pl.read_parquet(full), extras], how="horizontal").write_parquet(export)
    done = score_file(SHUOZHOU, export, tmp_path / "o.parquet", as_of=AS_OF)
    assert (done.rows_read, done.rows_scored + done.rows_rejected) == (5, 5)


def test_a_registry_with_three_of_the_fields_the_rulebook_reads_is_refused(
    tmp_path: Path,
) -> None:
    source = tmp_path / "registry.csv"
    read = fields_read(SHUOZHOU.rulebook)
    _held(["employees", "operating_revenue", "county"], []).write_csv(source)
    with pytest.raises(InputError, match=f"only 3 of the {len(read)} fields the rulebook reads"):
        score_file(SHUOZHOU, source, tmp_path / "o.parquet", as_of=AS_OF)


@given(
    held=st.sets(st.sampled_from(KITCHEN_READS), min_size=1),
    extras=st.integers(0, 100),
    share=st.floats(0, 1),
)
def test_a_registry_is_refused_exactly_when_it_holds_too_few_fields_the_rulebook_reads(
    held: set[str], extras: int, share: float
) -> None:
    columns = ["credit_code", *sorted(held), *(f"其他{i}" for i in range(extras))]
    refused = len(held) / len(KITCHEN_READS) < share
    try:
        check_registry("registry", columns, ColumnMapping(columns={}), KITCHEN.rulebook, share)
    except InputError as error:
        assert refused, str(error)
        assert f"only {len(held)} of the 20 fields the rulebook reads" in str(error)
    else:
        assert not refused


def test_an_amount_in_wan_yuan_is_refused_unless_the_mapping_gives_its_unit(tmp_path: Path) -> None:
    source = tmp_path / "registry.csv"
    pl.DataFrame({"统一社会信用代码": [GOOD], "营业收入(万元)": ["2595.18"]}).write_csv(source)
    as_yuan = ColumnMapping(columns={"operating_revenue": "营业收入(万元)"})
    with pytest.raises(InputError, match=r"'营业收入\(万元\)' looks like 万元 amounts.*unit: 万元"):
        score_file(SHUOZHOU, source, tmp_path / "o.parquet", as_of=AS_OF, mapping=as_yuan)
    scaled = ColumnMapping(
        columns={"operating_revenue": FieldMapping(column="营业收入(万元)", unit="万元")}
    )
    frame = pl.read_csv(source, infer_schema=False)
    result = SHUOZHOU.score(frame, AS_OF, mapping=scaled, statuses="all")
    same = SHUOZHOU.score(
        pl.DataFrame({"credit_code": [GOOD], "operating_revenue": ["25951800"]}),
        AS_OF,
        statuses="all",
    )
    assert result.results.equals(same.results)


def test_a_mapping_file_is_checked_against_the_fields_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "columns:\n"
        "  employees: {column: 从业人员, unit: 万元}\n"
        "  ownership: {column: 类型, values: {私营: privat}}\n"
        "  in_park: {column: 园区, values: {是: true, 否: false}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DiagnosticsError) as caught:
        load_mapping(path, SHUOZHOU.rulebook)
    rendered = str(caught.value)
    assert (
        "mapping.yaml:2" in rendered
        and "employees is a field of type int: unit 万元 does not apply" in rendered
    )
    assert "mapping.yaml:3" in rendered and "'privat' is not a value of ownership" in rendered
    assert "in_park" not in rendered


def test_a_bare_industry_code_gets_its_section_letter(tmp_path: Path) -> None:
    frame = pl.DataFrame({"credit_code": [GOOD] * 3, "industry_code": ["3071", "0111", "9999"]})
    result = KITCHEN.score(frame, AS_OF, mapping={}, statuses="all")
    lettered = KITCHEN.score(
        frame.with_columns(pl.Series("industry_code", ["C3071", "A0111", "9999"])),
        AS_OF,
        statuses="all",
    )
    assert result.results.equals(lettered.results)
    assert result.rejects["reason"].to_list() == lettered.rejects["reason"].to_list()
    assert result.rows_rejected == 1


project_strategy = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["甲", "乙"]),
        "signed": st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2022, 12, 31))),
        "days": st.integers(-3, 400),
        "style": st.integers(0, 2),
    }
)


def _project(item: dict[str, Any], written: bool) -> dict[str, Any]:
    from datetime import timedelta

    signed = item["signed"]
    done = None if signed is None else signed + timedelta(days=item["days"])
    style = _DATES[item["style"]]

    def shown(day: date | None) -> str | None:
        if day is None:
            return None
        return style.format(d=day) if written else day.isoformat()

    return {"name": item["name"], "signed": shown(signed), "done": shown(done)}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.lists(project_strategy, max_size=3), min_size=1, max_size=6))
def test_dates_inside_list_items_are_read_in_the_mappings_formats(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[dict[str, Any]]]
) -> None:
    import json

    folder = tmp_path_factory.mktemp("item-dates")
    source = folder / "registry.csv"
    cells = [json.dumps([_project(p, True) for p in row], ensure_ascii=False) for row in rows]
    pl.DataFrame({"统一社会信用代码": [GOOD] * len(rows), "项目": cells}).write_csv(source)
    mapping = ColumnMapping(
        columns={
            "credit_code": "统一社会信用代码",
            "projects": FieldMapping(
                column="项目", list_format="json", dates=["%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"]
            ),
        }
    )
    item = pl.Struct({"name": pl.String, "signed": pl.Date, "done": pl.Date})
    canonical = pl.DataFrame(
        {
            "credit_code": [GOOD] * len(rows),
            "projects": [
                [
                    {k: v if k == "name" or v is None else date.fromisoformat(v)
                     for k, v in _project(p, False).items()}
                    for p in row
                ]
                for row in rows
            ],
        },
        schema={"credit_code": pl.String, "projects": pl.List(item)},
    )  # fmt: skip
    _assert_scores_as(canonical, source, len(rows), mapping=mapping, min_fields=None)


def test_an_item_date_no_format_fits_rejects_its_row_naming_the_field(tmp_path: Path) -> None:
    source = tmp_path / "registry.csv"
    good = '[{"name": "甲", "signed": "2019/03/15", "done": "2019/06/01"}]'
    bad = '[{"name": "甲", "signed": "15.03.2019", "done": "2019/06/01"}]'
    pl.DataFrame({"统一社会信用代码": [GOOD, GOOD], "项目": [good, bad]}).write_csv(source)
    mapping = ColumnMapping(
        columns={
            "credit_code": "统一社会信用代码",
            "projects": FieldMapping(column="项目", list_format="json", dates=["%Y/%m/%d"]),
        }
    )
    done = score_file(
        KITCHEN, source, tmp_path / "o.parquet", as_of=AS_OF, mapping=mapping, min_fields=None
    )
    assert (done.rows_read, done.rows_scored, done.rows_rejected) == (2, 1, 1)
    assert done.rejects_path is not None
    reason = pl.read_csv(done.rejects_path)["reason"][0]
    assert reason.startswith("projects (column 项目): ")
    assert "is not a JSON list whose dates (signed, done) written as %Y/%m/%d" in reason


def test_item_dates_on_a_list_without_dated_records_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("columns:\n  tags: {column: 标签, list: ';', dates: ['%Y/%m/%d']}\n")
    with pytest.raises(DiagnosticsError, match=r"tags is a field of type list, not a date nor"):
        load_mapping(path, KITCHEN.rulebook)
