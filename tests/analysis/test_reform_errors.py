"""A reform's bad value is reported in the reform's terms: at its own file's line and key, or at
the dict's key path, never at the rulebook's parameters.yaml or with an internal date."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from subsidy_engine import DiagnosticsError, Engine, RulebookError

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
ENGINE = Engine(MINI)
Cli = Callable[..., tuple[int, str, str]]
"""The `cli` fixture: (*args, stdin="") -> (exit code, out, err)."""
TmpFile = Callable[..., Path]
"""The `tmp_file` fixture: (name, text) -> the path of the file written."""
LoadError = Callable[..., tuple[Path, DiagnosticsError]]
"""The `load_error` fixture: (name, text, load, error) -> the file's path, the error raised."""
BAD_FILE = """\
id: bad
title: A bad figure
parameters:
  booth_subsidy:
    - {value: 3000}
    - {from: 2020-01-01, value: fifty}
  ceramics_codes:
    - {value: C307}
"""


def test_a_bad_value_in_a_reform_file_is_placed_in_that_file(load_error: LoadError) -> None:
    _, error = load_error("bad-reform.yaml", BAD_FILE, ENGINE.with_reform, RulebookError)
    first, second = error.diagnostics
    assert (first.code, first.span.line, first.span.column) == ("bad-parameter", 6, 33)
    assert first.span.file.endswith("bad-reform.yaml")
    assert first.yaml_path == "parameters.booth_subsidy[1].value"
    assert "'fifty' is not an amount" in first.message
    assert (second.span.line, second.yaml_path) == (8, "parameters.ceramics_codes[0].value")
    assert "list" in (second.hint or "")
    rendered = error.render()
    assert "parameters.yaml" not in rendered and "1900" not in rendered


def test_a_bad_value_in_a_reform_dict_names_its_key_path() -> None:
    reform = {
        "id": "mine",
        "title": "Mine",
        "parameters": {"sales_threshold": [{"from": date(2020, 1, 1), "value": "three"}]},
    }
    with pytest.raises(RulebookError) as caught:
        ENGINE.evaluate({"employees": 3}, as_of=date(2020, 6, 1), reform=reform)
    (problem,) = caught.value.diagnostics
    assert problem.span.file == "reform:mine"
    assert problem.yaml_path == "parameters.sales_threshold[0].value"
    assert "1900" not in caught.value.render()


def test_the_command_line_shows_the_reform_line(cli: Cli, tmp_file: TmpFile) -> None:
    reform = tmp_file("bad-reform.yaml", BAD_FILE)
    profile = tmp_file("firm.yaml", "employees: 3\n")
    code, _, err = cli("what-if", str(profile), "--reform", str(reform), "--rulebook", str(MINI))
    assert code == 1
    assert "bad-reform.yaml:6:33: [bad-parameter]" in err and "value: fifty" in err


def test_a_period_that_ends_before_it_starts_is_refused_at_its_end() -> None:
    reform = {
        "id": "backwards",
        "title": "Backwards",
        "parameters": {
            "booth_subsidy": [
                {"from": date(2020, 1, 1), "until": date(2020, 1, 1), "value": 1},
                {"from": date(2020, 1, 2), "until": date(2020, 1, 1), "value": 1},
            ]
        },
    }
    with pytest.raises(RulebookError) as caught:
        ENGINE.with_reform(reform)
    (problem,) = caught.value.diagnostics
    assert (problem.code, problem.yaml_path) == ("bad-period", "parameters.booth_subsidy[1].until")
    assert "ends on 2020-01-01, before it starts on 2020-01-02" in problem.message
