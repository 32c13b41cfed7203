"""Values read the same way, and never misread, wherever they come from: a profile given to
`evaluate` (a dict, YAML or JSON) or a registry given to `score` (CSV, JSONL, Parquet)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from subsidy_engine import Engine, ProfileError
from subsidy_engine.batch.stream import score_file
from subsidy_engine.cli import main
from subsidy_engine.profile_files import read_profile

AS_OF = date(2019, 12, 31)
ENGINE = Engine()
CODE = "91140681MA0K4D7U2Y"


def _refused(profile: dict[str, Any]) -> str:
    with pytest.raises(ProfileError) as caught:
        ENGINE.validate(profile)
    return str(caught.value)


def _scored(table: pl.DataFrame) -> Any:
    return ENGINE.score(table, as_of=AS_OF, statuses="all")


@pytest.mark.parametrize("text", ["1,5亿", ",,,5", "5,00", "1,50,000", "1,5000万"])
def test_a_comma_that_does_not_group_three_digits_is_refused_everywhere(text: str) -> None:
    assert "annual_sales" in _refused({"annual_sales": text})
    scored = _scored(pl.DataFrame({"annual_sales": [text]}))
    assert scored.rows_rejected == 1
    assert "annual_sales" in scored.rejects["reason"][0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,500万", Decimal(15_000_000)), ("1,234,567.5", Decimal("1234567.5")), ("5,000元", 5000)],
)
def test_grouping_commas_in_threes_are_read(text: str, value: Decimal) -> None:
    assert ENGINE.validate({"annual_sales": text}).annual_sales == value  # type: ignore[attr-defined]
    assert _scored(pl.DataFrame({"annual_sales": [text]})).rows_scored == 1


def test_a_percentage_is_refused_in_a_money_field() -> None:
    assert "percentage" in _refused({"annual_sales": "20%"})
    scored = _scored(pl.DataFrame({"annual_sales": ["20%"]}))
    assert scored.rows_rejected == 1 and "percentage" in scored.rejects["reason"][0]


@pytest.mark.parametrize("flag", [True, False, "yes", "no"])
def test_a_true_false_value_is_not_a_count(flag: Any) -> None:
    assert "employees" in _refused({"employees": flag})
    assert _scored(pl.DataFrame({"employees": [flag]})).rows_rejected == 1


def test_employees_yes_in_a_yaml_profile_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("employees: yes\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="employees"):
        read_profile(path, ENGINE)


@pytest.mark.parametrize("stamp", [1554076800, 20190501])
def test_an_integer_is_never_a_date(stamp: int) -> None:
    message = _refused({"projects": [{"name": "p", "signing_date": stamp}]})
    assert "signing_date" in message and "YYYY-MM-DD" in message


def test_a_megabyte_of_digits_is_one_message_not_an_overflow() -> None:
    message = _refused({"annual_sales": "9" * 1_000_000})
    assert "annual_sales" in message and len(message) < 500


@pytest.mark.parametrize(
    ("field", "cell", "value"),
    [
        ("employees", "3.0", 3),
        ("employees", "３.0", 3),
        ("employees", "1_000", 1000),
        ("annual_sales", "６０００万", Decimal(60_000_000)),
    ],
)
def test_csv_cells_are_read_as_profile_values(
    tmp_path: Path, field: str, cell: str, value: Any
) -> None:
    assert getattr(ENGINE.validate({field: cell}), field) == value
    path = tmp_path / "r.csv"
    path.write_text(f"credit_code,{field}\n{CODE},{cell}\n", encoding="utf-8")
    done = score_file(ENGINE, path, tmp_path / "out.parquet", as_of=AS_OF, min_fields=None)
    assert (done.rows_scored, done.rows_rejected) == (1, 0)


def test_a_year_cell_written_as_a_decimal_is_the_year(tmp_path: Path) -> None:
    engine = Engine(Path(__file__).parents[1] / "fixtures" / "bounds")
    assert engine.validate({"founded": "2019.0"}).founded == 2019  # type: ignore[attr-defined]
    path = tmp_path / "r.csv"
    path.write_text(f"credit_code,founded\n{CODE},2019.0\n", encoding="utf-8")
    done = score_file(engine, path, tmp_path / "out.parquet", as_of=AS_OF, min_fields=None)
    assert (done.rows_scored, done.rows_rejected) == (1, 0)


def test_white_space_around_a_true_false_word_is_ignored_in_both() -> None:
    assert ENGINE.validate({"in_park": "  true "}).in_park is True  # type: ignore[attr-defined]
    assert _scored(pl.DataFrame({"in_park": ["  true "]})).rows_scored == 1


def test_a_quoted_empty_csv_cell_is_a_missing_fact(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        f'"credit_code","employees","annual_sales","ownership"\n"{CODE}","30","","private"\n',
        encoding="utf-8",
    )
    out = tmp_path / "q.parquet"
    done = score_file(ENGINE, path, out, as_of=AS_OF, statuses="all", min_fields=None)
    assert (done.rows_read, done.rows_scored, done.rows_rejected) == (1, 1, 0)
    results = pl.read_parquet(out)
    missing = results.filter(pl.col("missing_facts").list.contains("annual_sales"))
    assert missing.height > 0


def test_an_unknown_field_inside_a_list_item_is_refused_by_score_too(tmp_path: Path) -> None:
    item = {"name": "a", "nmae": "b"}
    assert "unknown field" in _refused({"projects": [item]})
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"credit_code": CODE, "projects": [item]}) + "\n", "utf-8")
    done = score_file(ENGINE, path, tmp_path / "out.parquet", as_of=AS_OF, min_fields=None)
    assert (done.rows_scored, done.rows_rejected) == (0, 1)
    rejects = pl.read_csv(tmp_path / "out.rejects.csv")
    assert "projects[0].nmae: unknown field" in rejects["reason"][0]
    # a table's struct holds the extra field as null where an item lacks it: only given ones count
    scored = _scored(pl.DataFrame({"projects": [[item], [{"name": "a", "nmae": None}]]}))
    assert scored.rejects["row"].to_list() == [0] and scored.rows_scored == 1


def test_what_if_set_employees_yes_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    profile = Path(__file__).parents[2] / "examples" / "small-logistics-firm.yaml"
    code = main(["what-if", str(profile), "--set", "employees=yes", "--as-of", "2019-12-31"])
    assert code == 1
    assert "a true/false value is not a number (at employees)" in capsys.readouterr().err
