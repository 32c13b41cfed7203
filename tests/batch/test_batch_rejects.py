"""Bad rows are rejected with their row number, key and a reason naming the field; every other
row is still scored, and rows read = rows scored + rows rejected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from subsidy_engine import Engine, ProfileError

ROOT = Path(__file__).parents[2]
MINI = Engine(ROOT / "tests" / "fixtures" / "mini")
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"

ROWS: list[tuple[dict[str, Any], str | None]] = [
    ({"credit_code": GOOD, "employees": 10}, None),
    ({"credit_code": GOOD, "annual_sales": Decimal(-1)}, "annual_sales: must be >= 0"),
    ({"county": "北区"}, "county: must be one of 东区, 西区"),
    (
        {"credit_code": "91350100M000100Y44"},
        "credit_code: position 18: check character is '4', expected '3'",
    ),
    (
        {"industry_code": "C999"},
        "industry_code: C999 is not a GB/T 4754-2017 code; the division C99 does not exist",
    ),
    ({"employees": "many"}, "employees: must be a whole number"),
    ({"annual_sales": "12.345"}, "annual_sales: must have at most 2 decimal places"),
    (
        {
            "exhibitions": [
                {"name": "A", "start": date(2019, 1, 1), "end": date(2019, 1, 3)},
                {"name": "B", "start": date(2019, 1, 2), "end": date(2019, 1, 1)},
            ]
        },
        "exhibitions[1]: an exhibition cannot end before it starts",
    ),
    ({"exhibitions": [{"booths": -1}]}, "exhibitions[0].booths: must be >= 0"),
    ({"above_scale_years": [2019, 1800]}, "above_scale_years[1]: must be >= 1900"),
    ({"credit_code": " 91350100m000100y43 ", "employees": 0}, None),
    ({}, None),
]


def _table() -> pl.DataFrame:
    columns = {"credit_code", "industry_code", "annual_sales", "employees", "county"}
    rows = [{c: row.get(c) for c in columns} | {k: v for k, v in row.items()} for row, _ in ROWS]
    schema = {
        "credit_code": pl.String,
        "industry_code": pl.String,
        "annual_sales": pl.String,
        "employees": pl.String,
        "county": pl.String,
        "exhibitions": pl.List(
            pl.Struct({"name": pl.String, "booths": pl.Int64, "start": pl.Date, "end": pl.Date})
        ),
        "above_scale_years": pl.List(pl.Int64),
    }
    text = [
        {
            k: (str(v) if k in ("annual_sales", "employees") and v is not None else v)
            for k, v in r.items()
        }
        for r in rows
    ]
    return pl.DataFrame(text, schema=schema)


def test_bad_rows_are_rejected_naming_the_field_and_the_rest_are_scored() -> None:
    result = MINI.score(_table(), AS_OF, statuses="all")
    assert result.rows_read == len(ROWS)
    assert result.rows_read == result.rows_scored + result.rows_rejected
    reasons = dict(zip(result.rejects["row"], result.rejects["reason"], strict=True))
    expected = {i: reason for i, (_, reason) in enumerate(ROWS) if reason is not None}
    assert reasons == expected
    keys = dict(zip(result.rejects["row"], result.rejects["credit_code"], strict=True))
    assert keys[1] == GOOD and keys[3] == "91350100M000100Y44" and keys[2] is None
    scored = set(result.results["row"].to_list())
    assert scored == {i for i, (_, reason) in enumerate(ROWS) if reason is None}
    per_row = len(MINI.rulebook.rules)
    assert result.results.filter(pl.col("row") == 0).height == per_row
    normalised = result.results.filter(pl.col("row") == 10)["credit_code"].unique().to_list()
    assert normalised == [GOOD]


def test_rejects_agree_with_the_profile_model() -> None:
    result = MINI.score(_table(), AS_OF, statuses="all")
    rejected = set(result.rejects["row"].to_list())
    for index, (row, _) in enumerate(ROWS):
        try:
            MINI.validate(row)
            refused = False
        except ProfileError:
            refused = True
        assert refused == (index in rejected), row


def test_an_item_completed_before_it_is_signed_is_rejected() -> None:
    projects = [
        {"name": "甲", "signed": date(2019, 3, 1), "done": date(2019, 6, 1)},
        {"name": "乙", "signed": date(2019, 3, 1), "done": date(2019, 2, 28)},
        {"name": "丙", "signed": None, "done": date(2019, 2, 28)},
    ]
    table = pl.DataFrame(
        [
            {"credit_code": GOOD, "projects": projects},
            {"credit_code": GOOD, "projects": projects[:1]},
        ]
    )
    result = KITCHEN.score(table, AS_OF, statuses="all")
    assert result.rejects.to_dicts() == [
        {
            "row": 0,
            "credit_code": GOOD,
            "reason": "projects[1]: a project cannot be completed before it is signed",
        }
    ]
    assert result.rows_scored == 1 and set(result.results["row"]) == {1}


def test_several_problems_in_one_row_are_all_named() -> None:
    table = pl.DataFrame([{"employees": -3, "county": "北区", "annual_sales": -1}])
    result = MINI.score(table, AS_OF)
    (reason,) = result.rejects["reason"].to_list()
    assert reason.split("; ") == [
        "annual_sales: must be >= 0",
        "employees: must be >= 0",
        "county: must be one of 东区, 西区",
    ]
    assert result.results.height == 0 and result.rows_scored == 0
