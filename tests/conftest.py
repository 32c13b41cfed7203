"""Fixtures shared across the test folders."""

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from subsidy_engine import DiagnosticsError, Engine
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
    """`cli(*args, stdin="")`: the command line run with `stdin`, as (exit code, out, err)."""

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
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
