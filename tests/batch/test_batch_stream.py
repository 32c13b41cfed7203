"""`score_file` scores a registry file batch by batch into result files: the same results as
`Engine.score` on the whole table, whatever the batch size and format; bad rows in the rejects
file; rows read = rows scored + rows rejected; column mappings rename a registry's columns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import DiagnosticsError, Engine, InputError
from subsidy_engine.batch import ColumnMapping, load_mapping, score_file
from subsidy_engine.batch.registry import read_registry
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[2]
MINI = Engine(ROOT / "tests" / "fixtures" / "mini")
KITCHEN = Engine(ROOT / "tests" / "batch" / "fixtures" / "kitchen")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"
WRITERS = {
    "parquet": pl.DataFrame.write_parquet,
    "csv": pl.DataFrame.write_csv,
    "jsonl": pl.DataFrame.write_ndjson,
}
LoadError = Callable[..., tuple[Path, DiagnosticsError]]
"""The `load_error` fixture: (name, text, load, error) -> the file's path, the error raised."""


def registry(size: int = 20) -> pl.DataFrame:
    """Flat rows (CSV has no lists), every third one with a county the profile refuses."""
    return pl.DataFrame(
        {
            "credit_code": [GOOD if i % 4 else None for i in range(size)],
            "industry_code": ["C3071" if i % 2 else "C1311" for i in range(size)],
            "annual_sales": [str(i * 1_500_000) for i in range(size)],
            "employees": [str(i) for i in range(size)],
            "county": ["北区" if i % 3 == 0 else "东区" for i in range(size)],
            "seriously_dishonest": ["true" if i % 5 == 0 else "false" for i in range(size)],
        }
    )


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Enums as text: a Parquet or CSV round trip does not keep them."""
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))


def write(frame: pl.DataFrame, folder: Path, kind: str) -> Path:
    path = folder / f"registry.{kind}"
    WRITERS[kind](frame, path)
    return path


@pytest.mark.parametrize("kind", ["parquet", "csv", "jsonl"])
def test_a_file_scores_as_the_whole_table_does(tmp_path: Path, kind: str) -> None:
    source = write(registry(), tmp_path, kind)
    done = score_file(MINI, source, tmp_path / "out.parquet", as_of=AS_OF, statuses="all")
    table = read_registry(source)
    expected = MINI.score(table, AS_OF, statuses="all")
    assert plain(pl.read_parquet(tmp_path / "out.parquet")).equals(plain(expected.results))
    assert (done.rows_read, done.rows_scored, done.rows_rejected) == (
        expected.rows_read,
        expected.rows_scored,
        expected.rows_rejected,
    )
    assert done.results_written == expected.results.height > 0


def test_batches_of_seven_rows_give_what_one_batch_gives(tmp_path: Path) -> None:
    source = write(registry(40), tmp_path, "parquet")
    one = score_file(
        MINI, source, tmp_path / "one.parquet", as_of=AS_OF, summary_path=tmp_path / "s1.parquet"
    )
    seven = score_file(
        MINI,
        source,
        tmp_path / "seven.parquet",
        as_of=AS_OF,
        batch_rows=7,
        summary_path=tmp_path / "s7.parquet",
    )
    assert one.rows_read == seven.rows_read == 40
    for a, b in [("one", "seven"), ("s1", "s7"), ("one.rejects", "seven.rejects")]:
        suffix = ".csv" if "rejects" in a else ".parquet"
        first, second = tmp_path / f"{a}{suffix}", tmp_path / f"{b}{suffix}"
        read = pl.read_csv if suffix == ".csv" else pl.read_parquet
        assert read(first).equals(read(second)), a


def test_the_summary_file_has_one_row_per_scored_enterprise(tmp_path: Path) -> None:
    source = write(registry(), tmp_path, "parquet")
    done = score_file(
        MINI, source, tmp_path / "out.csv", as_of=AS_OF, summary_path=tmp_path / "totals.csv"
    )
    totals = pl.read_csv(tmp_path / "totals.csv")
    expected = MINI.score(read_registry(source), AS_OF, summary=True).summary
    assert expected is not None and totals.height == done.rows_scored == expected.height
    assert totals["row"].to_list() == expected["row"].to_list()


def test_bad_rows_go_to_the_rejects_file_and_the_rest_are_scored(tmp_path: Path) -> None:
    source = write(registry(), tmp_path, "csv")
    done = score_file(MINI, source, tmp_path / "out.parquet", as_of=AS_OF, batch_rows=6)
    assert done.rejects_path == tmp_path / "out.rejects.csv"
    rejects = pl.read_csv(done.rejects_path)
    assert rejects.columns == ["row", "credit_code", "reason"]
    assert rejects["row"].to_list() == list(range(0, 20, 3))
    assert set(rejects["reason"]) == {"county: must be one of 东区, 西区"}
    assert rejects.filter(pl.col("row") == 3)["credit_code"].item() == GOOD
    scored = set(pl.read_parquet(tmp_path / "out.parquet")["row"])
    assert scored.isdisjoint(rejects["row"]) and done.rows_scored == 20 - rejects.height


def test_a_last_batch_of_bad_rows_and_an_empty_file_keep_the_count(tmp_path: Path) -> None:
    frame = registry(12).with_columns(
        pl.when(pl.int_range(pl.len()) >= 8)
        .then(pl.lit("-5"))
        .otherwise("employees")
        .alias("employees")
    )
    source = write(frame, tmp_path, "parquet")
    done = score_file(MINI, source, tmp_path / "out.parquet", as_of=AS_OF, batch_rows=4)
    rejected = set(pl.read_csv(done.rejects_path)["row"])
    assert {8, 9, 10, 11} <= rejected
    assert done.rows_read == 12 == done.rows_scored + done.rows_rejected
    for kind in ("csv", "parquet"):
        (tmp_path / kind).mkdir()
        empty = write(registry(0), tmp_path / kind, kind)
        out = tmp_path / kind / "out.parquet"
        nothing = score_file(MINI, empty, out, as_of=AS_OF)
        assert (nothing.rows_read, nothing.rows_scored, nothing.rows_rejected) == (0, 0, 0)
        assert pl.read_parquet(out).height == 0 and pl.read_csv(nothing.rejects_path).height == 0


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(profiles(MINI.rulebook, max_items=2), min_size=0, max_size=12),
    spoiled=st.sets(st.integers(0, 11)),
    batch_rows=st.integers(1, 5),
)
def test_rows_read_are_rows_scored_plus_rows_rejected(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[dict[str, Any]],
    spoiled: set[int],
    batch_rows: int,
) -> None:
    bad = {i for i in spoiled if i < len(rows)}
    table = [_writable(row | {"employees": -1} if i in bad else row) for i, row in enumerate(rows)]
    folder = tmp_path_factory.mktemp("stream")
    frame = pl.DataFrame(table, infer_schema_length=None) if table else registry(0)
    source = write(frame, folder, "parquet")
    out = folder / "out.parquet"
    done = score_file(MINI, source, out, as_of=AS_OF, batch_rows=batch_rows, min_fields=None)
    assert done.rows_read == len(rows) == done.rows_scored + done.rows_rejected
    rejected = set(pl.read_csv(done.rejects_path)["row"])
    assert bad <= rejected
    assert rejected == set(MINI.score(frame, AS_OF).rejects["row"])


def _writable(row: dict[str, Any]) -> dict[str, Any]:
    """Without items that have no field at all: Parquet cannot store a struct without one."""
    return {k: [i for i in v if i != {}] if isinstance(v, list) else v for k, v in row.items()}


def test_a_mapping_renames_a_registrys_columns(tmp_path: Path) -> None:
    frame = registry()
    names = {"credit_code": "统一社会信用代码", "employees": "从业人员", "county": "区县"}
    renamed = frame.rename({field: column for field, column in names.items()})
    mapping_file = tmp_path / "mapping.yaml"
    lines = [f"  {field}: {column}" for field, column in names.items()]
    mapping_file.write_text("columns:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    mapping = load_mapping(mapping_file, MINI.rulebook)
    assert mapping == ColumnMapping(columns=names)
    source = write(renamed, tmp_path, "parquet")
    score_file(MINI, source, tmp_path / "mapped.parquet", as_of=AS_OF, mapping=mapping)
    expected = MINI.score(frame, AS_OF)
    assert plain(pl.read_parquet(tmp_path / "mapped.parquet")).equals(plain(expected.results))
    by_dict = MINI.score(renamed, AS_OF, mapping=names)
    assert by_dict.results.equals(expected.results)
    assert by_dict.rejects.equals(expected.rejects)


def test_a_mapped_column_decides_over_one_named_like_its_field(tmp_path: Path) -> None:
    frame = registry().with_columns(pl.lit("北区").alias("county"), pl.col("county").alias("区县"))
    result = MINI.score(frame, AS_OF, mapping={"county": "区县"})
    assert result.rejects.height == MINI.score(registry(), AS_OF).rejects.height


def test_a_mapped_column_absent_from_the_input_is_named(tmp_path: Path) -> None:
    source = write(registry(), tmp_path, "parquet")
    with pytest.raises(InputError, match=r"registry.parquet: .*'从业人数' \(for employees\)"):
        score_file(MINI, source, tmp_path / "o.parquet", mapping={"employees": "从业人数"})
    with pytest.raises(InputError, match=r"'emploees' .*did you mean 'employees'"):
        MINI.score(registry(), AS_OF, mapping={"employees": "emploees"})
    with pytest.raises(InputError, match=r"'employee' is not a profile field.*'employees'"):
        MINI.score(registry(), AS_OF, mapping={"employee": "employees"})


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("columns:\n  credit_code: 代码\n  employes: 人数\n", ":3:3", "did you mean 'employees'"),
        ("columns:\n  employees: [a, b]\n", ":2:14", "valid string"),
        ("columns: {}\nvalues: {}\n", ":2:1", "unknown field 'values'"),
        ("colums:\n  employees: 人数\n", ":1:1", "unknown field 'colums'"),
    ],
)
def test_a_bad_mapping_file_is_reported_at_its_line(
    load_error: LoadError, text: str, where: str, words: str
) -> None:
    path, error = load_error("mapping.yaml", text, lambda p: load_mapping(p, MINI.rulebook))
    assert f"{path}{where}" in str(error) and words in str(error)


def test_a_list_of_records_survives_the_batches(tmp_path: Path) -> None:
    projects = [{"name": "甲", "signed": date(2019, 3, 1), "done": date(2019, 6, 1)}]
    frame = pl.DataFrame([{"credit_code": GOOD, "projects": projects}] * 9)
    source = write(frame, tmp_path, "parquet")
    out = tmp_path / "o.parquet"
    score_file(KITCHEN, source, out, as_of=AS_OF, statuses="all", batch_rows=4, min_fields=None)
    expected = KITCHEN.score(frame, AS_OF, statuses="all").results
    assert plain(pl.read_parquet(out)).equals(plain(expected))


@pytest.mark.parametrize(("kind", "read"), [("csv", pl.read_csv), ("jsonl", pl.read_ndjson)])
def test_text_outputs_hold_the_same_rows(tmp_path: Path, kind: str, read: Any) -> None:
    source = write(registry(), tmp_path, "parquet")
    score_file(MINI, source, tmp_path / "out.parquet", as_of=AS_OF, batch_rows=6)
    score_file(MINI, source, tmp_path / f"out.{kind}", as_of=AS_OF, batch_rows=6)
    binary = pl.read_parquet(tmp_path / "out.parquet")
    text = read(tmp_path / f"out.{kind}")
    assert text.height == binary.height
    assert text.select("row", "status").rows() == plain(binary).select("row", "status").rows()
