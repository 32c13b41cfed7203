"""The stages import downwards only: the language and the loaded rulebook know no backend.

A `Rulebook` holds typed trees, never closures; each backend compiles them its own way. So no
module of `lang/` or `rulebook/` may import a backend or the batch pipeline at run time, even
lazily (an annotation may name a backend's type). A rulebook's YAML cases run through every
backend, so their runner (`cases.py`) sits above both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "subsidy_engine"
LOWER_STAGES = ("lang", "rulebook")
HIGHER = ("subsidy_engine.backends", "subsidy_engine.batch", "subsidy_engine.engine")


def _imports(path: Path) -> set[str]:
    """The modules `path` imports at run time (not under `if TYPE_CHECKING:`)."""
    names: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return names


@pytest.mark.parametrize(
    "module",
    sorted(p for stage in LOWER_STAGES for p in (PACKAGE / stage).glob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_lower_stages_import_no_backend(module: Path) -> None:
    wrong = sorted(name for name in _imports(module) if name.startswith(HIGHER))
    assert wrong == []


def test_the_probe_sees_run_time_imports_only() -> None:
    assert "subsidy_engine.backends.python.compiler" in _imports(
        PACKAGE / "backends" / "python" / "items.py"
    )
    cases = _imports(PACKAGE / "cases.py")
    assert "subsidy_engine.rulebook.loader" in cases
    assert "subsidy_engine.engine" not in cases
