"""Error codes are a closed vocabulary: each documented, each produced by a fixture.

`docs/errors.md` has one entry per code of `errors.ErrorCode`, in the same order. Every code is
produced by a fixture: a broken rulebook in `fixtures/bad_rulebooks/` (run by
`rulebook/test_bad_rulebooks.py`), or a bad input in `fixtures/bad_inputs/` (run here: a
profile, a column mapping, a reform or a synthetic-registry configuration, each checked against
the `mini` rulebook), each with the message it must render.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from subsidy_engine import Engine
from subsidy_engine.analysis.reform import apply_reform
from subsidy_engine.batch.mapping import load_mapping
from subsidy_engine.errors import ERROR_CODES, DiagnosticsError
from subsidy_engine.synthetic.load import load_config

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
INPUTS = sorted((FIXTURES / "bad_inputs").glob("*.yaml"))
MINI = Engine(FIXTURES / "mini")


def _rendered_codes(text: str) -> set[str]:
    """The codes in rendered diagnostics: `[code]` at a line's start or after its location."""
    return set(re.findall(r"(?:^|: )\[([a-z-]+)\] ", text, flags=re.MULTILINE))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _profile(case: dict[str, Any]) -> Any:
    """The fixture's profile, with each list of `repeat` made that many times longer (a
    fixture cannot hold ten thousand items, but a limit must be shown at its bound)."""
    profile = yaml.safe_load(case["file"])
    for field, times in case.get("repeat", {}).items():
        profile[field] = profile[field] * times
    return profile


def _refuse(case: dict[str, Any], tmp_path: Path) -> str:
    file = tmp_path / "input.yaml"
    file.write_text(case["file"], encoding="utf-8")
    with pytest.raises(DiagnosticsError) as caught:
        match case["kind"]:
            case "profile":
                MINI.validate(_profile(case))
            case "mapping":
                load_mapping(file, MINI.rulebook)
            case "reform":
                apply_reform(MINI.rulebook, file)
            case "synthetic":
                load_config(MINI.rulebook, file)
            case kind:
                raise AssertionError(f"unknown fixture kind {kind}")
    return caught.value.render().replace(f"{tmp_path}/", "")


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_bad_input_is_refused_with_its_message(path: Path, tmp_path: Path) -> None:
    case = _load(path)
    rendered = _refuse(case, tmp_path)
    assert path.stem in _rendered_codes(rendered), rendered
    assert rendered == case["expected"].rstrip("\n"), rendered


def test_every_code_is_produced_by_a_fixture() -> None:
    produced: set[str] = set()
    for path in [*INPUTS, *sorted((FIXTURES / "bad_rulebooks").glob("*.yaml"))]:
        produced |= _rendered_codes(_load(path)["expected"])
    assert sorted(set(ERROR_CODES) - produced) == []
    assert sorted(produced - set(ERROR_CODES)) == []


def test_every_code_has_one_entry_in_the_docs_in_order() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    documented = re.findall(r"^## `([a-z-]+)`$", text, flags=re.MULTILINE)
    assert documented == list(ERROR_CODES)
