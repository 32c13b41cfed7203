"""Fuzz of the command line, in-process: any command, any of its options, bad values, files of
random content. Whatever happens: no traceback and no internal error; a failed run leaves the
folder as it was (no new file, no partial file), except a run that read rows and rejected every
one, which keeps its outputs whole (exit 1); no run leaves a partial file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from conftest import Kit

FRAGMENTS = [
    "", "# a comment\n", "employees: 3\n", "annual_sales: 6000万\n", "employees: yes\n",
    "credit_code: 91350100M000100Y43\n", "exhibitions:\n  - {name: '[/bold] x', booths: 2}\n",
    "exhibitions: [1, 2]\n", "id: r\ntitle: t\n", "columns: {employees: staff}\n",
    "[", "{", "- a\n", "&a [*a]\n", "!!python/object/apply:os.system ['true']\n",
    "employees: " + "9" * 60 + "\n", "\x00", "\ufeff", "employees,annual_sales\n", "3,4\n",
    '"5,6\n', "=HYPERLINK(1),2\n", '{"employees": 3}\n', '{"employees": NaN}\n', "[1,2]\n",
    "\xd6\xd0", "a: 1\na: 2\n",
]  # fmt: skip
EXTENSIONS = ["yaml", "json", "csv", "jsonl", "parquet", "txt"]
PROFILE = (
    "credit_code: 91350100M000100Y43\nannual_sales: 6000万\nexhibitions: [{name: f, booths: 2}]\n"
)
REGISTRY = "credit_code,annual_sales,employees\n91350100M000100Y43,6000万,40\n=1+2,x,3\n"


@st.composite
def invocations(draw: st.DrawFn, folder: Path, mini: Path) -> list[str]:
    """An argument list for one command, over files in `folder`: mostly valid values, so
    that runs get as far as writing, with one or two bad ones."""
    kind = draw(st.sampled_from(["fuzzed", "profile", "registry"]))
    if kind == "fuzzed":
        content = "".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=4)))
        content += draw(st.text(max_size=12))
        source = folder / f"in.{draw(st.sampled_from(EXTENSIONS))}"
    else:
        content = PROFILE if kind == "profile" else REGISTRY
        source = folder / ("in.yaml" if kind == "profile" else "in.csv")
    source.write_bytes(content.encode("utf-8", "surrogatepass"))
    good = [folder / "o.parquet", folder / "o.csv", folder / "sub" / "o.jsonl", folder / "c.png"]
    bad = [source, folder, folder / "missing.yaml", folder / "o.txt", Path("/dev/zero")]
    paths = st.sampled_from(good * 3 + bad)
    dates = st.sampled_from(["2019-06-30"] * 4 + ["2019-02-30", "x", "0001-01-01"])
    rulebook = draw(st.sampled_from([mini] * 6 + [folder, source]))

    def option(name: str, values: st.SearchStrategy[object], tenths: int = 5) -> list[str]:
        """`name VALUE` in `tenths` tenths of the draws."""
        return [name, str(draw(values))] if draw(st.integers(0, 9)) < tenths else []

    command = draw(
        st.sampled_from(
            ["evaluate", "gaps", "what-if", "score", "score", "impact", "generate", "schema"]
        )
    )
    args = [command]
    if command in ("evaluate", "gaps", "what-if"):
        args += [str(source), *option("--as-of", dates)]
        if command == "evaluate":
            args += option("--format", st.sampled_from(["table", "json", "markdown"]))
        if command == "what-if":
            args += option("--set", st.sampled_from(["employees=[1,2", "employees=5", "x", "="]))
            args += option("--reform", paths)
    elif command == "score":
        args += [str(source), "-o", str(draw(paths))]
        args += option("--rejects", paths, 3) + option("--summary", paths, 3)
        args += option("--batch-rows", st.sampled_from(["1", "7", "7", "0", "1e3"]), 3)
        args += option("--statuses", st.sampled_from(["all", "all", "eligble", ","]), 3)
        args += option("--columns", st.sampled_from(["row,nope", "row,rule_id,status"]), 2)
        args += option("--mapping", paths, 1) + option("--reform", paths, 1)
        args += option("--as-of", dates)
    elif command == "impact":
        args += [str(source), *option("--reform", paths, 2), *option("--chart", paths)]
        args += ["--as-of", draw(dates)]
    elif command == "generate":
        args += [draw(st.sampled_from(["3", "3", "0"])), "-o", str(draw(paths))]
        args += option("--seed", st.sampled_from(["1", "1", "-1"]))
    else:
        args += option("--out", paths) + option("--check", paths)
    return [*args, "--rulebook", str(rulebook)]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_traceback_and_nothing_left_behind(kit: Kit, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        argv = data.draw(invocations(folder, kit.MINI))
        before = kit.snapshot(folder)
        code, _, err = kit.run(*argv)
        assert "Traceback" not in err and "internal error" not in err, (argv, err)
        assert kit.partial_files(folder) == [], argv
        if code != 0:
            assert err, argv
            kit.one_message(err)
        every_row_rejected = code == 1 and "every one of the" in err
        if code != 0 and not every_row_rejected:
            assert kit.snapshot(folder) == before, argv
