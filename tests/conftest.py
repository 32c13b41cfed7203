"""Fixtures shared across the test folders."""

import shutil
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from subsidy_engine import Engine, Status
from subsidy_engine.batch import score

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
