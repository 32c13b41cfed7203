"""Fixtures shared across the test folders."""

import io
import shutil
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from subsidy_engine import DiagnosticsError, Engine, Status
from subsidy_engine.batch import score
from subsidy_engine.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine of the bundled rulebook, loaded once."""
    return Engine()


EditFixture = Callable[[str, str, str, str], Path]


@pytest.fixture
def edited_fixture(tmp_path: Path) -> EditFixture:
    """`edit(name, rel, old, new)`: a fresh copy of the fixture rulebook `name` in which the
    file `rel` has its first `old` (which must be there) replaced by `new`."""

    def edit(name: str, rel: str, old: str, new: str) -> Path:
        root = tmp_path / name
        shutil.copytree(FIXTURES / name, root, dirs_exist_ok=True)
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return root

    return edit


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli(*args, stdin="")`: the command line run with `stdin`, as (exit code, out, err);
    an exit raised by argument parsing is its exit code."""

    def run(*args: str | Path, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


TmpFile = Callable[..., Path]


@pytest.fixture
def tmp_file(tmp_path: Path) -> TmpFile:
    """`tmp_file(name, text, encoding="utf-8")`: the path of the file `name` in the test's
    `tmp_path`, holding `text` in that encoding."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


LoadError = Callable[..., tuple[Path, DiagnosticsError]]


@pytest.fixture
def load_error(tmp_file: TmpFile) -> LoadError:
    """`load_error(name, text, load, error=DiagnosticsError)`: the path of the file `name`
    holding `text`, and the `error` that `load(path)` must raise."""

    def refused(
        name: str,
        text: str,
        load: Callable[[Path], object],
        error: type[DiagnosticsError] = DiagnosticsError,
    ) -> tuple[Path, DiagnosticsError]:
        path = tmp_file(name, text)
        with pytest.raises(error) as caught:
            load(path)
        return path, caught.value

    return refused


ScoreCheck = Callable[[Engine, list[dict[str, Any]], date], None]


@pytest.fixture(scope="session")
def score_gives_evaluate_answers() -> ScoreCheck:
    """`check(engine, rows, as_of)`: `score` gives, row by row, the status and missing facts
    `evaluate` gives for each rule and item of the row, and no other result."""

    def check(engine: Engine, rows: list[dict[str, Any]], as_of: date) -> None:
        scored = score(engine, rows, as_of, statuses="all").results
        got = {
            (r["row"], r["rule_id"], r["item"]): (r["status"], tuple(r["missing_facts"]))
            for r in scored.iter_rows(named=True)
        }
        expected = {
            (number, r.rule_id, r.item.index if r.item else None): (r.status.value, r.missing_facts)
            for number, row in enumerate(rows)
            for r in engine.evaluate(row, as_of)
        }
        assert got == expected

    return check


CompletionCheck = Callable[..., None]


@pytest.fixture(scope="session")
def agrees_with_completions() -> CompletionCheck:
    """`check(status, missing, answers, unknown, context, complete=True)`: the answer to a
    partial profile (`status`, `missing` facts) is sound against the `answers` its completions
    give: a decided status is every completion's answer; an undetermined one names
    only facts in `unknown`, and, where `complete` (every completion was tried), the completions
    disagree on it, so nothing decidable is left undecided. `context` goes in the messages."""

    def check(
        status: Status,
        missing: tuple[str, ...],
        answers: set[Status],
        unknown: Collection[str],
        context: object,
        *,
        complete: bool = True,
    ) -> None:
        if status is not Status.UNDETERMINED:
            assert answers == {status}, (context, answers)
            return
        assert missing and set(missing) <= set(unknown), (context, missing)
        if complete:
            assert len(answers) > 1, (context, answers)

    return check
