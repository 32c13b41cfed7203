"""`subsidy-engine score` and `generate`: a registry file in, result files out, a count at the
end; a file that cannot be read is one message naming it and exit 2."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.batch.registry import read_registry
from subsidy_engine.profile_files import read_profile

if TYPE_CHECKING:
    from conftest import Cli

ROOT = Path(__file__).parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
AS_OF = "2019-06-30"
GOOD = "91350100M000100Y43"


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))


@pytest.fixture
def registry_csv(tmp_path: Path) -> Path:
    path = tmp_path / "registry.csv"
    path.write_text(
        "credit_code,industry_code,annual_sales,employees,county\n"
        f"{GOOD},C3071,60000000,40,东区\n"
        f"{GOOD},C3071,not money,40,东区\n"
        f",C1311,1000,3,西区\n"
        f"91350100M000100Y44,C3071,,,东区\n",
        encoding="utf-8",
    )
    return path


def test_score_a_csv_into_parquet_with_rejects_and_totals(
    cli: Cli, registry_csv: Path, tmp_path: Path
) -> None:
    out, totals = tmp_path / "results.parquet", tmp_path / "totals.csv"
    code, stdout, err = cli(
        "score", str(registry_csv), "-o", str(out), "--as-of", AS_OF, "--rulebook", str(MINI),
        "--summary", str(totals),
    )  # fmt: skip
    assert code == 0 and err == ""
    assert "4 rows read: 2 scored, 2 rejected" in stdout and "rows/s" in stdout
    expected = Engine(MINI).score(read_registry(registry_csv), date(2019, 6, 30), summary=True)
    assert plain(pl.read_parquet(out)).equals(plain(expected.results))
    assert expected.summary is not None
    assert pl.read_csv(totals)["row"].to_list() == expected.summary["row"].to_list() == [0, 2]
    rejects = pl.read_csv(tmp_path / "results.rejects.csv")
    assert rejects["row"].to_list() == [1, 3]
    assert rejects["reason"][0].startswith("annual_sales:")
    assert rejects["reason"][1].startswith("credit_code: position 18")


def test_statuses_all_into_csv_from_json_lines(
    cli: Cli, registry_csv: Path, tmp_path: Path
) -> None:
    lines = tmp_path / "registry.jsonl"
    pl.read_csv(registry_csv, infer_schema=False).write_ndjson(lines)
    out, rejects = tmp_path / "all.csv", tmp_path / "bad.csv"
    code, _, _ = cli(
        "score", str(lines), "-o", str(out), "--as-of", AS_OF, "--rulebook", str(MINI),
        "--statuses", "all", "--rejects", str(rejects), "--batch-rows", "3",
    )  # fmt: skip
    assert code == 0
    results = pl.read_csv(out)
    rules = len(Engine(MINI).rulebook.rules)
    assert results.height == 2 * rules and set(results["row"]) == {0, 2}
    assert pl.read_csv(rejects).height == 2
    missing = results.filter((pl.col("row") == 2) & (pl.col("status") == "undetermined"))
    assert missing["missing_facts"].str.contains("; |^[a-z_]+$").all()


def test_a_mapping_file_scores_a_registry_named_otherwise(
    cli: Cli, registry_csv: Path, tmp_path: Path
) -> None:
    renamed = tmp_path / "登记.csv"
    frame = pl.read_csv(registry_csv, infer_schema=False)
    frame.rename({"credit_code": "统一社会信用代码", "employees": "从业人员"}).write_csv(renamed)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  credit_code: 统一社会信用代码\n  employees: 从业人员\n")
    common = ["--as-of", AS_OF, "--rulebook", str(MINI)]
    assert cli("score", str(registry_csv), "-o", str(tmp_path / "a.parquet"), *common)[0] == 0
    code, _, _ = cli(
        "score", str(renamed), "-o", str(tmp_path / "b.parquet"), "--mapping", str(mapping),
        *common,
    )  # fmt: skip
    assert code == 0
    assert pl.read_parquet(tmp_path / "a.parquet").equals(pl.read_parquet(tmp_path / "b.parquet"))


def test_a_bad_mapping_file_is_reported_at_its_line(
    cli: Cli, registry_csv: Path, tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  credit_code: 代码\n  countie: 区县\n", encoding="utf-8")
    code, _, err = cli(
        "score", str(registry_csv), "-o", str(tmp_path / "o.parquet"),
        "--mapping", str(mapping), "--rulebook", str(MINI),
    )  # fmt: skip
    assert code == 1
    assert f"{mapping}:3:3" in err and "did you mean 'county'" in err and "Traceback" not in err
    mapping.write_text("columns:\n  county: 区县\n", encoding="utf-8")
    code, _, err = cli(
        "score", str(registry_csv), "-o", str(tmp_path / "o.parquet"),
        "--mapping", str(mapping), "--rulebook", str(MINI),
    )  # fmt: skip
    assert code == 2 and str(registry_csv) in err and "'区县' (for county)" in err


def test_columns_chooses_the_result_columns_and_their_order(
    cli: Cli, registry_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    code, _, err = cli(
        "score", str(registry_csv), "-o", str(out), "--as-of", AS_OF,
        "--rulebook", str(MINI), "--statuses", "all", "--columns", "rule_id,row,missing_facts",
    )  # fmt: skip
    assert code == 0 and err == ""
    written = pl.read_csv(out)
    assert written.columns == ["rule_id", "row", "missing_facts"]
    full = Engine(MINI).score(read_registry(registry_csv), date(2019, 6, 30), statuses="all")
    expected = full.results.select(
        pl.col("rule_id").cast(pl.String), "row", pl.col("missing_facts").list.join("; ")
    )
    assert written.fill_null("").equals(expected.fill_null(""))


def test_an_unknown_column_exits_2_listing_the_columns(
    cli: Cli, registry_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o.parquet"
    code, stdout, err = cli(
        "score", str(registry_csv), "-o", str(out), "--rulebook", str(MINI),
        "--columns", "row,rule_ids",
    )  # fmt: skip
    assert code == 2 and stdout == "" and not out.exists()
    assert "unknown result column 'rule_ids' (did you mean 'rule_id'?)" in err
    assert "the columns are row, credit_code, rule_id, measure," in err


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("absent.parquet", None, "no such registry file"),
        ("fake.parquet", b"PAR1 this is not parquet", "cannot be read as parquet"),
        ("open-quote.csv", b'"credit_code,employees\n1,2\n', "line 1: a quote opened here"),
        ("open.csv", b'credit_code,employees\n1,"2\n3,4\n', "cannot be read as csv"),
        ("gbk.csv", "统一社会信用代码,employees\n".encode("gbk"), "not UTF-8"),
        ("broken.jsonl", b'{"employees": 1}\n{"name": "\xff"}\n', "cannot be read as jsonl"),
        ("registry.xlsx", b"", "cannot be read as an Excel workbook"),
        ("registry.xls", b"", "a registry is .parquet, .csv, .jsonl or .xlsx"),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_exit_2(
    cli: Cli, tmp_path: Path, name: str, content: bytes | None, words: str
) -> None:
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    code, out, err = cli(
        "score", str(source), "-o", str(tmp_path / "o.parquet"), "--rulebook", str(MINI)
    )
    assert code == 2 and out == ""
    assert err.startswith(f"subsidy-engine: {source}") and words in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_arguments_exit_2(cli: Cli, registry_csv: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "o.parquet")
    code, _, err = cli(
        "score", str(registry_csv), "-o", out, "--statuses", "eligble", "--min-fields", "0"
    )
    assert code == 2 and "unknown status 'eligble'" in err
    code, _, _ = cli("score", str(registry_csv), "-o", out, "--batch-rows", "0")
    assert code == 2
    code, _, err = cli("score", str(registry_csv), "-o", str(tmp_path / "o.xls"))
    assert code == 2 and "o.xls" in err


def test_no_progress_bar_when_piped(cli: Cli, registry_csv: Path, tmp_path: Path) -> None:
    code, _, err = cli(
        "score", str(registry_csv), "-o", str(tmp_path / "o.parquet"),
        "--rulebook", str(MINI), "--batch-rows", "1",
    )  # fmt: skip
    assert code == 0 and err == ""


def test_generate_then_score_the_bundled_rulebook(cli: Cli, tmp_path: Path) -> None:
    registry = tmp_path / "synthetic.parquet"
    code, out, _ = cli("generate", "60", "-o", str(registry), "--seed", "7")
    assert code == 0 and str(registry) in out
    assert pl.read_parquet(registry).height == 60
    code, out, _ = cli(
        "score", str(registry), "-o", str(tmp_path / "r.parquet"), "--as-of", "2019-12-31",
    )  # fmt: skip
    assert code == 0 and "60 rows read" in out


def test_the_example_enterprises_score_as_they_evaluate(cli: Cli, tmp_path: Path) -> None:
    engine = Engine()
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    profiles = [read_profile(path, engine) for path in examples]
    rows = [p.model_dump(exclude_none=True) for p in profiles]
    registry = tmp_path / "examples.parquet"
    pl.DataFrame(rows, infer_schema_length=None).write_parquet(registry)
    out = tmp_path / "scored.parquet"
    code, _, _ = cli(
        "score", str(registry), "-o", str(out), "--as-of", "2019-12-31",
        "--statuses", "all", "--batch-rows", "2",
    )  # fmt: skip
    assert code == 0
    scored = pl.read_parquet(out)
    for row, profile in enumerate(profiles):
        evaluation = engine.evaluate(profile, date(2019, 12, 31))
        want = {(r.rule_id, str(r.status.value)) for r in evaluation.results}
        got = scored.filter(pl.col("row") == row).select("rule_id", "status").rows()
        assert {(str(rule), str(status)) for rule, status in got} == want, examples[row].name
