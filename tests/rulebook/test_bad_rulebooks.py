"""Each class of bad rulebook is refused with a message naming file, line and rule.

Every case in fixtures/bad_rulebooks/ patches the `mini` fixture rulebook (one replacement,
or a deleted file) and states, in `expected`, the message the loader must render.
"""

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from subsidy_engine import RulebookError, load_rulebook

FIXTURES = Path(__file__).parents[1] / "fixtures"
CASES = sorted((FIXTURES / "bad_rulebooks").glob("*.yaml"))


def _patch(text: str, patch: dict[str, Any], name: str) -> str:
    assert patch["replace"] in text, f"{name}: the text to replace is not in the fixture"
    return text.replace(patch["replace"], patch["with"], 1)


def broken_rulebook(case: dict[str, Any], name: str, tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    target = root / case["file"]
    if case.get("delete"):
        target.unlink()
        return root
    text = target.read_text(encoding="utf-8")
    for patch in (case, case.get("also")):
        if patch:
            text = _patch(text, patch, name)
    target.write_text(text, encoding=case.get("encoding", "utf-8"))
    return root


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_rulebook_is_refused_with_its_message(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    root = broken_rulebook(case, path.stem, tmp_path)
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    rendered = caught.value.render().replace(f"{root}/", "")
    codes = {d.code for d in caught.value.diagnostics}
    assert path.stem.split("-")[0] in {c.split("-")[0] for c in codes}, rendered
    assert rendered == case["expected"].rstrip("\n"), rendered


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    rules = root / "measures" / "m1.yaml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("annual_sales >=", "annual_sale >=").replace("exhibition.booths > 0", "x")
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(root)
    assert [d.code for d in caught.value.diagnostics] == ["unknown-name", "unknown-name"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_rule_diagnostic_names_its_measure(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    with pytest.raises(RulebookError) as caught:
        load_rulebook(broken_rulebook(case, path.stem, tmp_path))
    for diagnostic in caught.value.diagnostics:
        if diagnostic.rule_id is not None:
            assert diagnostic.measure is not None, diagnostic
            assert diagnostic.measure.split()[0] == diagnostic.rule_id.split(".")[0].lstrip("m")
