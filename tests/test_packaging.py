"""Packaging: one version, typed, licensed; extras named when missing; rulebooks discovered."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import subsidy_engine
from subsidy_engine import Engine, InputError
from subsidy_engine.__about__ import __version__
from subsidy_engine.errors import MissingDependencyError, SubsidyEngineError
from subsidy_engine.optional import require
from subsidy_engine.rulebooks import GROUP, installed_rulebooks, rulebook_path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "src" / "subsidy_engine"
MINI = ROOT / "tests" / "fixtures" / "mini"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once_and_recorded_in_provenance() -> None:
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/subsidy_engine/__about__.py"
    assert subsidy_engine.__version__ == __version__
    engine = Engine(MINI)
    evaluated = engine.evaluate({"employees": 3}, date(2019, 6, 1)).provenance
    scored = engine.score(pl.DataFrame({"employees": [3]}), date(2019, 6, 1)).provenance
    assert evaluated.engine_version == scored.engine_version == __version__


def test_the_package_is_typed_and_licensed_as_declared() -> None:
    assert (PACKAGE / "py.typed").is_file()
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert "Typing :: Typed" in PYPROJECT["project"]["classifiers"]


def test_features_are_extras_and_tools_are_groups() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"batch", "spark", "charts", "export", "testing"} <= set(extras)
    assert "dev" not in extras
    assert {"test", "lint", "dev"} <= set(PYPROJECT["dependency-groups"])


def test_a_missing_optional_dependency_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)  # as if it were not installed
    with pytest.raises(MissingDependencyError, match=r'pip install "subsidy-engine\[batch\]"'):
        require("polars", extra="batch")
    with pytest.raises(MissingDependencyError, match=r"subsidy-engine\[batch\]") as caught:
        Engine(MINI).score([{"employees": 3}], date(2019, 6, 1))
    assert isinstance(caught.value, SubsidyEngineError) and isinstance(caught.value, ImportError)
    for module in ("matplotlib", "matplotlib.pyplot"):  # either may be imported already
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingDependencyError, match=r"subsidy-engine\[charts\]"):
        require("matplotlib.pyplot", extra="charts")


def test_a_broken_optional_module_is_not_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "half_installed.py").write_text("import its_own_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="its_own_dependency") as caught:
        require("half_installed", extra="batch")
    assert not isinstance(caught.value, MissingDependencyError)


def test_the_bundled_rulebook_is_the_one_installed() -> None:
    assert list(installed_rulebooks()) == ["shuozhou-2019"]
    assert (rulebook_path() / "rulebook.yaml").is_file()
    entry = PYPROJECT["project"]["entry-points"][GROUP]
    assert entry == {"shuozhou-2019": "subsidy_engine.rulebooks:bundled_shuozhou_2019"}
    assert Engine().rulebook.id == "shuozhou-2019"


def _install_rulebook_package(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rulebook distribution as pip would leave it: a module and its dist-info folder."""
    (site / "testcity_rules.py").write_text(
        f"from pathlib import Path\n\ndef folder():\n    return Path({str(MINI)!r})\n",
        encoding="utf-8",
    )
    info = site / "testcity_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: testcity-rules\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[{GROUP}]\ntestcity-2020 = testcity_rules:folder\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))


def test_a_separately_installed_rulebook_is_found_and_engine_asks_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_rulebook_package(tmp_path, monkeypatch)
    assert list(installed_rulebooks()) == ["shuozhou-2019", "testcity-2020"]
    with pytest.raises(InputError, match="several rulebooks are installed") as caught:
        Engine()
    assert "shuozhou-2019" in str(caught.value) and "testcity-2020" in str(caught.value)
    assert Engine("testcity-2020").rulebook.id == "mini"
    assert Engine("shuozhou-2019").rulebook.id == "shuozhou-2019"
    with pytest.raises(InputError, match="no installed rulebook 'nowhere'"):
        rulebook_path("nowhere")


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "subsidy_engine", "fields", "--rulebook", "nowhere"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(subsidy_engine.__file__).parents[1])},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("subsidy-engine: ") and "Traceback" not in done.stderr
