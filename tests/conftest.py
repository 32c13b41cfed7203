"""Fixtures shared across the test folders."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from subsidy_engine import Engine

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
