"""A bad line of a CSV or JSON Lines registry rejects its row, not the file: whatever lines are
spoiled, every other row is scored as it would be alone, each spoiled one is rejected naming its
line, and `rows read = scored + rejected`."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.batch import score_file

if TYPE_CHECKING:
    from conftest import Kit

MINI = Engine(Path(__file__).parents[1] / "fixtures" / "mini")
AS_OF = date(2019, 6, 30)
GOOD = "91350100M000100Y43"
HEADER = ["credit_code", "employees", "county", "note"]

CSV_FAULTS = {
    "empty": lambda row: "",
    "extra field": lambda row: f"{GOOD},{row},东区,,x",
    "short": lambda row: f"{GOOD},{row}",
    "text after a quote": lambda row: f'{GOOD},"{row}"x,东区,',
}
JSON_FAULTS = {
    "NaN": lambda row: f'{{"credit_code": "{GOOD}", "employees": NaN}}',
    "a list": lambda row: f"[{row}]",
    "cut short": lambda row: f'{{"credit_code": "{GOOD}", "employees": {row}',
    "too large": lambda row: f'{{"employees": 1e400, "note": "{row}"}}',
}
CSV_REASONS = {
    "empty": "an empty line",
    "extra field": "5 fields where the header has 4",
    "short": "2 fields where the header has 4",
    "text after a quote": "',' expected after '\"'",
}
JSON_REASONS = {
    "NaN": "NaN is not a JSON number",
    "a list": "a JSON object (one enterprise) is expected",
    "cut short": "not valid JSON",
    "too large": "1e400 is too large a number",
}


def _csv_line(row: int, multiline: bool) -> str:
    note = f'"two\nlines {row}"' if multiline else f'"a, ""quoted"" note {row}"'
    return f"{GOOD},{row},东区,{note}"


def _json_line(row: int, multiline: bool) -> str:
    note = "two\nlines" if multiline else "a note"
    return json.dumps({"credit_code": GOOD, "employees": row, "county": "东区", "note": note})


rows = st.lists(
    st.tuples(st.sampled_from([None, 0, 1, 2, 3, 4]), st.booleans()), min_size=1, max_size=25
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.sampled_from(["csv", "jsonl"]), st.integers(1, 7))
def test_each_spoiled_line_is_one_rejected_row(
    spec: list[tuple[int | None, bool]], kind: str, batch_rows: int
) -> None:
    faults, reasons = (CSV_FAULTS, CSV_REASONS) if kind == "csv" else (JSON_FAULTS, JSON_REASONS)
    kinds = list(faults)
    lines: list[str] = [",".join(HEADER)] if kind == "csv" else []
    spoiled: dict[int, str] = {}
    starts: dict[int, int] = {}
    for row, (fault, multiline) in enumerate(spec):
        starts[row] = sum(line.count("\n") + 1 for line in lines) + 1
        if fault is None:
            lines.append((_csv_line if kind == "csv" else _json_line)(row, multiline))
            continue
        name = kinds[fault % len(kinds)]
        spoiled[row] = f"line {starts[row]}: {reasons[name]}"
        lines.append(faults[name](row))
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / f"registry.{kind}", Path(folder) / "out.parquet"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = score_file(
            MINI, source, out, as_of=AS_OF, statuses="all", batch_rows=batch_rows, min_fields=None
        )
        rejected = pl.read_csv(Path(folder) / "out.rejects.csv")
        scored = set(pl.read_parquet(out)["row"].to_list())
    assert done.rows_read == len(spec) == done.rows_scored + done.rows_rejected
    assert done.rows_rejected == len(spoiled)
    reasons_by_row = dict(rejected.select("row", "reason").iter_rows())
    assert reasons_by_row.keys() == spoiled.keys()
    for row, reason in spoiled.items():
        assert reasons_by_row[row].startswith(reason), (reasons_by_row[row], reason)
    assert scored == set(range(len(spec))) - spoiled.keys()


FIRST, SECOND = "91350100M00010006A", "91350100M000100145"


def test_impact_rejects_a_bad_line_and_scores_the_others(kit: Kit, tmp_path: Path) -> None:
    source = kit.csv_lines(
        tmp_path / "r.csv", kit.line(FIRST), kit.line(SECOND, ",x"), kit.line(SECOND)
    )
    for more in ([], ["--years", "2019-2020"]):
        code, out, err = kit.run(
            "impact", source, "--as-of", kit.AS_OF, "--rulebook", kit.MINI, *more
        )
        assert (code, err) == (0, "")
        assert "2 enterprises scored, 1 rejected" in out


def test_report_refuses_a_bad_line_naming_it_and_writes_the_other_notices(
    kit: Kit, tmp_path: Path
) -> None:
    source = kit.csv_lines(tmp_path / "r.csv", kit.line(FIRST), kit.line(SECOND, ",x"))
    folder = tmp_path / "notices"
    code, out, err = kit.run(
        "report", source, "--as-of", kit.AS_OF, "--rulebook", kit.MINI, "-o", folder
    )
    assert code == 1
    assert "1 notices written" in out and "1 rows refused" in out
    assert err == "row 2: refused: line 3: 6 fields where the header has 5\n"
    assert [p.name for p in folder.iterdir()] == [f"{FIRST}.html"]


KEPT_ALL = (
    "note: compared only what the previous run kept (statuses eligible, ineligible, "
    "undetermined, not_in_force, excluded, ended; units all)\n"
)


def _changes(kit: Kit, tmp_path: Path, *new: str) -> tuple[int, str, str]:
    """`changes` from a run over FIRST and SECOND to a snapshot of the lines `new`, written to
    changes.csv."""
    old = kit.csv_lines(tmp_path / "old.csv", kit.line(FIRST), kit.line(SECOND))
    previous = tmp_path / "previous.parquet"
    common = ("--as-of", kit.AS_OF, "--rulebook", kit.MINI)
    assert kit.run("score", old, "-o", previous, "--statuses", "all", *common)[0] == 0
    # every status kept, so that a lost entitlement would show whatever its status now
    snapshot = kit.csv_lines(tmp_path / "new.csv", *new)
    out = tmp_path / "changes.csv"
    return kit.run("changes", snapshot, "--previous", previous, "-o", out, *common)


def test_changes_lists_a_bad_line_as_rejected_not_as_entitlements_lost(
    kit: Kit, tmp_path: Path
) -> None:
    code, out, err = _changes(kit, tmp_path, kit.line(FIRST), kit.line(SECOND, ",x"))
    assert (code, err) == (0, KEPT_ALL)
    assert "no change" in out and "1 rows rejected, not compared" in out
    assert pl.read_csv(tmp_path / "changes.csv").height == 0
    rejects = pl.read_csv(tmp_path / "changes.rejects.csv")
    assert rejects["reason"].to_list() == ["line 3: 6 fields where the header has 5"]


def test_changes_still_lists_what_an_enterprise_gone_from_a_clean_snapshot_lost(
    kit: Kit, tmp_path: Path
) -> None:
    code, _, err = _changes(kit, tmp_path, kit.line(FIRST))
    assert (code, err) == (0, KEPT_ALL)
    assert set(pl.read_csv(tmp_path / "changes.csv")["credit_code"]) == {SECOND}


def test_mapping_suggest_skips_a_bad_line_of_its_sample_and_says_so(
    kit: Kit, tmp_path: Path
) -> None:
    source = tmp_path / "r.jsonl"
    source.write_text('{"credit_code": "x"\n' + json.dumps({"员工": 3}) + "\n", encoding="utf-8")
    code, out, err = kit.run("mapping", "suggest", source, "--rulebook", kit.MINI)
    assert code == 0
    assert err.startswith(f"subsidy-engine: {source}: line 1: not valid JSON")
    assert err.rstrip().endswith("not in the sample")
    assert "员工" in out and "credit_code" not in out
