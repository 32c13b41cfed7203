"""One message for every failure: each probe ends in one located message and a non-zero exit,
never a traceback; an internal error is one line saying it is a bug and where its traceback is."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from subsidy_engine import Engine, catalogue
from subsidy_engine.errors import InputError
from subsidy_engine.lang.depth import MAX_NESTING, MAX_TREE_DEPTH, tree_depth
from subsidy_engine.lang.parser import parse

if TYPE_CHECKING:
    from conftest import Kit

PROFILE = {
    "credit_code": "91350100M000100Y43",
    "industry_code": "C3071",
    "annual_sales": "6000万",
    "exhibitions": [{"name": "广交会", "booths": 2}],
}


def write_profile(folder: Path, **changes: Any) -> Path:
    path = folder / "profile.json"
    path.write_text(json.dumps({**PROFILE, **changes}, ensure_ascii=False), encoding="utf-8")
    return path


def copy_mini(kit: Kit, folder: Path) -> Path:
    book = folder / "book"
    shutil.copytree(kit.MINI, book)
    return book


# Empty YAML files -------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "# nothing here yet\n"])
@pytest.mark.parametrize(
    ("file", "field"),
    [
        ("rulebook.yaml", "id"),
        ("profile.yaml", "fields"),
        ("parameters.yaml", "parameters"),
        ("derived.yaml", "derived"),
        ("measures/m1.yaml", "measure"),
    ],
)
def test_an_empty_rulebook_file_names_its_missing_fields(
    kit: Kit, tmp_path: Path, file: str, field: str, content: str
) -> None:
    book = copy_mini(kit, tmp_path)
    (book / file).write_text(content, encoding="utf-8")
    code, _, err = kit.run("lint", book)
    assert code == 1
    assert f"{file}:1:1: [schema] required field '{field}' is missing" in kit.one_message(err)


def test_an_empty_reform_names_its_missing_fields(kit: Kit, tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# to do\n")
    code, _, err = kit.run(
        "what-if", write_profile(tmp_path), "--reform", tmp_path / "empty.yaml",
        "--rulebook", kit.MINI,
    )  # fmt: skip
    assert code == 1 and "empty.yaml:1:1: [schema] required field 'id'" in kit.one_message(err)


def test_an_empty_mapping_names_its_missing_field(kit: Kit, tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    source = kit.registry(tmp_path / "reg.csv")
    code, _, err = kit.run(
        "score", source, "-o", tmp_path / "o.parquet", "--mapping", tmp_path / "empty.yaml",
        "--rulebook", kit.MINI,
    )  # fmt: skip
    assert code != 0 and "a YAML mapping with a 'columns' key" in kit.one_message(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.yaml", "reg.csv"]


# Deep expressions -------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "(" * depth + "annual_sales" + ")" * depth + " >= sales_threshold"


def sum_of(terms: int) -> str:
    return " + ".join(["annual_sales"] * terms) + " >= sales_threshold"


@pytest.mark.parametrize(
    "condition",
    [nested(100), "not " * 500 + "is_ceramics", sum_of(500)],
    ids=["parens", "nots", "sum"],
)
def test_a_deep_expression_is_a_located_error(kit: Kit, tmp_path: Path, condition: str) -> None:
    book = copy_mini(kit, tmp_path)
    rules = book / "measures" / "m1.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("annual_sales >= sales_threshold", condition), encoding="utf-8")
    code, _, err = kit.run("lint", book)
    assert code == 1
    message = kit.one_message(err)
    assert "measures/m1.yaml:10:" in message and "[syntax] m1.ceramics_award" in message
    assert "levels deep" in message


def test_the_nesting_limits_are_exact() -> None:
    assert tree_depth(parse(" + ".join(["a"] * 5))) == 5
    parse(" + ".join(["a"] * MAX_TREE_DEPTH))
    parse("(" * MAX_NESTING + "a" + ")" * MAX_NESTING)
    parse("not " * MAX_NESTING + "a")
    for text in (
        " + ".join(["a"] * (MAX_TREE_DEPTH + 1)),
        "(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1),
        "not " * (MAX_NESTING + 1) + "a",
        "-" * (MAX_NESTING + 1) + "1",
    ):
        with pytest.raises(Exception, match="levels deep"):
            parse(text)


# Command-line values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assignment",
    [
        "employees=[1,2",
        "employees=!!python/object/apply:os.system ['true']",
        "exhibitions[0].start=2019-02-30",
    ],
)
def test_a_bad_what_if_value_names_the_argument(kit: Kit, tmp_path: Path, assignment: str) -> None:
    code, _, err = kit.run(
        "what-if", write_profile(tmp_path), "--set", assignment, "--rulebook", kit.MINI
    )
    assert code == 2
    assert kit.one_message(err).startswith(f"subsidy-engine: --set {assignment!r}:")


def test_a_negative_seed_is_an_argument_error(kit: Kit, tmp_path: Path) -> None:
    code, _, err = kit.run("generate", "10", "-o", tmp_path / "g.parquet", "--seed", "-1")
    assert code == 2 and "is not a whole number from 0" in kit.one_message(err)


def test_a_megabyte_of_digits_is_one_message(kit: Kit, tmp_path: Path) -> None:
    profile = write_profile(tmp_path, annual_sales="9" * 1_000_000)
    code, _, err = kit.run("evaluate", profile, "--rulebook", kit.MINI)
    assert code != 0 and len(kit.one_message(err).splitlines()) < 10


def test_an_unreadable_profile_is_one_message(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = write_profile(tmp_path)
    real = Path.open

    def refused(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == profile:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)
    code, _, err = kit.run("evaluate", profile, "--rulebook", kit.MINI)
    assert code == 2
    assert kit.one_message(err) == f"subsidy-engine: cannot read {profile}: Permission denied\n"


# Text from a profile ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["[/bold] x", "[bold]ok[/bold]", "[link=http://e]y[/link]"])
def test_rich_markup_in_a_name_is_printed_as_given(kit: Kit, tmp_path: Path, name: str) -> None:
    profile = write_profile(tmp_path, exhibitions=[{"name": name, "booths": 2}])
    code, out, err = kit.run(
        "evaluate", profile, "--rulebook", kit.MINI, "--as-of", kit.AS_OF, "--all"
    )
    assert (code, err) == (0, "")
    assert name in out


def test_markup_in_a_table_cell_is_printed_as_given(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rules`, `coverage` and `impact` share one table printer; `impact --by` shows registry
    text."""
    row = {"id": "[/bold] x", "measure": 1, "title": "[red]y[/red]", "title_en": "",
           "unit": "cash", "amount": "[link=http://e]z[/link]", "readings": []}  # fmt: skip
    monkeypatch.setattr(catalogue, "rule_rows", lambda book: [row])
    code, out, err = kit.run("rules", "--rulebook", kit.MINI)
    assert (code, err) == (0, "")
    assert "[/bold] x" in out and "[red]y[/red]" in out and "[link=http://e]z[/link]" in out


def test_markdown_escapes_text_from_the_profile() -> None:
    name = "A | B\n## injected <script>alert(1)</script> *x*"
    profile = {**PROFILE, "exhibitions": [{"name": name, "booths": 2}]}
    markdown = (
        Engine(Path(__file__).parents[1] / "fixtures" / "mini")
        .evaluate(profile, date(2019, 6, 30))
        .to_markdown()
    )
    assert r"A \| B \#\# injected \<script\>alert(1)\</script\> \*x\*" in markdown
    assert not any(line.startswith("## injected") for line in markdown.splitlines())
    assert "<script>" not in markdown


# Registry files ---------------------------------------------------------------------------------


G = "91350100M000100Y43"  # a valid credit code


@pytest.mark.parametrize(
    ("name", "content", "rejected"),
    [
        (
            "a.jsonl",
            f'{{"credit_code": "{G}", "employees": 3}}\n{{"employees": NaN}}\n'
            f'[1,2,3]\n\n{{"employees": 1e400}}\n{{"credit_code": "{G}", "employees": 4}}\n'
            '{"employees": 3',
            {
                1: "line 2: NaN is not a JSON number",
                2: "line 3: a JSON object (one enterprise) is expected, not list",
                3: "line 5: 1e400 is too large a number",
                5: "line 7: not valid JSON",
            },
        ),
        (
            "b.csv",
            f"credit_code,employees,county,note\n{G},3,东区,\n{G},5,东区,,7\n{G},4\n"
            f'"{G}","6"x,东区,\n{G},8,东区,"two\nlines"\n{G},9,东区,"a ""b"""\n{G},"1,0",东区,'
            f"\n{G},10,东区,",
            {
                1: "line 3: 5 fields where the header has 4",
                2: "line 4: 2 fields where the header has 4",
                3: "line 5: ',' expected after '\"'",
                6: "employees: ",
            },
        ),
    ],
)
def test_a_bad_line_of_a_registry_is_a_rejected_row(
    kit: Kit, tmp_path: Path, name: str, content: str, rejected: dict[int, str]
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    out, rejects = tmp_path / "o.parquet", tmp_path / "o.rejects.csv"
    code, stdout, err = kit.run(
        "score", tmp_path / name, "-o", out, "--as-of", kit.AS_OF, "--rulebook", kit.MINI,
        "--statuses", "all", "--batch-rows", "2", "--min-fields", "0",
    )  # fmt: skip
    assert (code, err) == (0, "")
    read = len(rejected) + (2 if name.endswith(".jsonl") else 4)
    assert f"{read} rows read: {read - len(rejected)} scored, {len(rejected)} rejected" in stdout
    reasons = dict(pl.read_csv(rejects).select("row", "reason").iter_rows())
    assert reasons.keys() == rejected.keys()
    assert all(reasons[row].startswith(why) for row, why in rejected.items())
    scored = set(pl.read_parquet(out)["row"].to_list())
    assert scored == set(range(read)) - rejected.keys()


def test_an_empty_line_of_a_csv_registry_is_rejected_not_scored(kit: Kit, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(f"credit_code,employees\n{G},3\n\n{G},4\n\n", "utf-8")
    code, stdout, err = kit.run(
        "score", tmp_path / "e.csv", "-o", tmp_path / "o.parquet", "--rulebook", kit.MINI,
        "--as-of", kit.AS_OF, "--min-fields", "0",
    )  # fmt: skip
    assert (code, err) == (0, "") and "4 rows read: 2 scored, 2 rejected" in stdout
    rejected = pl.read_csv(tmp_path / "o.rejects.csv").select("row", "reason").rows()
    assert rejected == [(1, "line 3: an empty line"), (3, "line 5: an empty line")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", 'credit_code,employees\nA,3\n"B,6\nC,7\n', "line 3: a quote opened here is"),
        ("b.csv", 'credit_code,employees\nA,3\nB,"6', "line 3: a quote opened here is never"),
        ("c.jsonl", '{"employees": 3}\n{"name": "\udcff"}\n', "line 2: not UTF-8"),
    ],
)
def test_a_registry_whose_structure_is_lost_is_refused_naming_the_line(
    kit: Kit, tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_bytes(content.encode("utf-8", "surrogateescape"))
    code, _, err = kit.run("score", tmp_path / name, "-o", tmp_path / "o.parquet")
    assert code == 2 and message in kit.one_message(err)
    assert not (tmp_path / "o.parquet").exists()


def test_a_csv_row_that_is_not_utf8_is_named(kit: Kit, tmp_path: Path) -> None:
    (tmp_path / "g.csv").write_bytes(b"credit_code,name\nA,ok\nB," + "中".encode("gbk"))
    code, _, err = kit.run("score", tmp_path / "g.csv", "-o", tmp_path / "o.parquet")
    assert code == 2 and "line 3: not UTF-8" in kit.one_message(err)


# The Python API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    ["2019-12-31", datetime(2019, 12, 31, 23, 59), 20191231],
    ids=["str", "datetime", "int"],
)
def test_a_wrong_typed_as_of_is_a_clear_type_error(as_of: Any) -> None:
    engine = Engine()
    calls = [
        lambda: engine.evaluate(PROFILE, as_of=as_of),
        lambda: engine.score(pd.DataFrame([{"employees": 3}]), as_of=as_of),
        lambda: engine.what_if(PROFILE, {"employees": 3}, as_of=as_of),
        lambda: engine.gaps(PROFILE, as_of=as_of),
    ]
    for call in calls:
        with pytest.raises(TypeError, match=r"^as_of must be a datetime\.date, not "):
            call()


def test_odd_arrow_and_pandas_columns_are_input_errors() -> None:
    engine = Engine()
    wide = pa.table({"annual_sales": pa.array([1], type=pa.decimal256(60, 2))})
    with pytest.raises(InputError, match=r"decimal256.*is not supported"):
        engine.score(wide, as_of=date(2019, 12, 31))
    mixed = pd.DataFrame({"employees": [30, "40", None]})
    with pytest.raises(InputError, match="pandas table cannot be read"):
        engine.score(mixed, as_of=date(2019, 12, 31))


# Internal errors and interrupts -----------------------------------------------------------------


class FakePanic(BaseException):
    """Like pyo3's PanicException: not an Exception."""


@pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"), FakePanic("boom")])
def test_an_internal_error_is_one_line_with_its_traceback_kept(
    kit: Kit, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    def broken(*args: object) -> object:
        raise error

    monkeypatch.setattr(catalogue, "rule_rows", broken)
    code, _, err = kit.run("rules")
    assert code == 3
    (line,) = kit.one_message(err).splitlines()
    assert line.startswith(f"subsidy-engine: internal error (a bug): {type(error).__name__}: ")
    kept = Path(line.rsplit("traceback in ", 1)[1])
    assert "Traceback" in kept.read_text() and str(error) in kept.read_text()
    kept.unlink()


def test_debug_prints_the_traceback(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(catalogue, "rule_rows", broken)
    code, _, err = kit.run("--debug", "rules")
    assert code == 3
    assert err.startswith("Traceback") and "ZeroDivisionError" in err


def test_ctrl_c_in_any_command_is_exit_130(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(catalogue, "rule_rows", interrupted)
    assert kit.run("rules") == (130, "", "subsidy-engine: interrupted; no output was written\n")


def _evaluate_refused(kit: Kit, path: Path, text: str) -> tuple[str, str]:
    """`evaluate` of a profile file holding `text`, which must fail: its message, all of stderr."""
    path.write_text(text, encoding="utf-8")
    code, _, err = kit.run("evaluate", path)
    assert code != 0
    return kit.one_message(err), err


def test_a_megabyte_line_is_not_echoed_whole(kit: Kit, tmp_path: Path) -> None:
    line = "name: " + "x" * 1_000_000 + ": y\n"
    message, err = _evaluate_refused(kit, tmp_path / "long.yaml", line)
    assert "1:1000007: [yaml-syntax]" in message
    excerpt, caret = message.splitlines()[2:4]
    assert excerpt.startswith("    1 | …") and excerpt.endswith("x: y")
    assert len(excerpt) < 200 and caret.index("^") == excerpt.index(": y")
    assert len(err) < 1000


def test_an_integer_of_thousands_of_digits_is_named_as_too_long(kit: Kit, tmp_path: Path) -> None:
    line = "employees: " + "9" * 5000 + "\n"
    message, err = _evaluate_refused(kit, tmp_path / "digits.yaml", line)
    assert "has 5,000 digits, more than a number read may have" in message
    assert "is not a valid int" not in message and len(err) < 1000
