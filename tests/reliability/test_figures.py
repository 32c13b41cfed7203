"""Figures are checked where they enter: a parameter's values in `parameters.yaml` and in a
reform refuse NaN, infinities, negative money (unless the parameter declares it may be
negative), values outside the declared bounds and periods that end before they start, each with
the file, line and key; a reform is known by its content, and may be a dict of the engine's own
types."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from subsidy_engine import Engine
from subsidy_engine.errors import RulebookError
from subsidy_engine.results import Evaluation

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
AS_OF = date(2019, 12, 31)
EXHIBITOR = {"exhibitions": [{"name": "expo", "booths": 10}]}


def _mini(tmp_path: Path, parameters: str) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    text = (root / "parameters.yaml").read_text(encoding="utf-8")
    (root / "parameters.yaml").write_text(text + parameters, encoding="utf-8")
    return root


def _load_error(root: Path) -> str:
    with pytest.raises(RulebookError) as caught:
        Engine(root)
    return caught.value.render()


@pytest.mark.parametrize("figure", [".nan", ".inf", "-.inf"])
def test_a_non_finite_parameter_is_refused_at_its_line(tmp_path: Path, figure: str) -> None:
    root = _mini(tmp_path, f"    values:\n      2019-01-01: {{value: {figure}}}\n")
    message = _load_error(root)
    assert "parameters.yaml:17" in message and "not a finite number" in message


def test_a_negative_money_parameter_is_refused_unless_declared(tmp_path: Path) -> None:
    root = _mini(tmp_path, "    values:\n      2019-01-01: {value: -3000}\n")
    message = _load_error(root)
    assert "parameters.yaml:17" in message and "declare a negative `min`" in message
    allowed = _mini(
        tmp_path / "b", "    min: -5000\n    values:\n      2019-01-01: {value: -3000}\n"
    )
    assert Engine(allowed).rulebook.parameters["booth_subsidy"].value_at(AS_OF) == -3000


def test_a_parameter_outside_its_declared_bounds_is_refused(tmp_path: Path) -> None:
    root = _mini(tmp_path, "    max: 1000\n    values:\n      2019-01-01: {value: 3000}\n")
    message = _load_error(root)
    assert "parameters.yaml:18" in message and "above the parameter's maximum 1000" in message


def test_a_figure_with_too_many_decimal_places_is_refused(tmp_path: Path) -> None:
    root = _mini(tmp_path, "    values:\n      2019-01-01: {value: '0.0000000000001'}\n")
    assert "more than 12 decimal places" in _load_error(root)


def _reform(tmp_path: Path, changes: str) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(f"id: r\ntitle: t\nparameters:\n  booth_subsidy:\n{changes}", "utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("{value: .nan}", "not a finite number"),
        ("{value: -3000}", "below the parameter's minimum 0"),
        ("{value: abc}", "not an amount"),
        ("{value: 1000000000000000000000000000000}", "beyond the number domain"),
    ],
)
def test_a_bad_reform_figure_is_refused_at_the_reforms_line(
    tmp_path: Path, change: str, words: str
) -> None:
    path = _reform(tmp_path, f"    - {change}\n")
    engine = Engine(MINI)
    with pytest.raises(RulebookError) as caught:
        engine.with_reform(path)
    message = caught.value.render()
    assert f"{path}:5" in message and words in message


def test_a_reform_period_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    path = _reform(tmp_path, "    - {from: 2020-01-01, until: 2019-01-01, value: 3000}\n")
    with pytest.raises(RulebookError) as caught:
        Engine(MINI).with_reform(path)
    message = caught.value.render()
    assert f"{path}:5" in message and "[bad-period]" in message
    assert "ends on 2019-01-01, before it starts on 2020-01-01" in message


def test_a_rule_period_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    root = _mini(tmp_path, "")
    rules = root / "measures" / "m1.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(
        text.replace(
            "{from: 2019-05-01, until: 2020-04-30}", "{from: 2020-05-01, until: 2019-04-30}"
        ),
        encoding="utf-8",
    )
    message = _load_error(root)
    assert "m1.yaml" in message and "before it starts" in message


def _booth_amount(evaluation: Evaluation) -> Any:
    amounts = [r.amount.value for r in evaluation.results if r.rule_id == "m1.booth_subsidy"]
    return amounts[0] if amounts else None


def test_an_edited_reform_file_is_applied_afresh(tmp_path: Path) -> None:
    engine = Engine(MINI)
    path = _reform(tmp_path, "    - {value: 3000}\n")
    assert _booth_amount(engine.evaluate(EXHIBITOR, AS_OF, reform=path)) == Decimal(30000)
    _reform(tmp_path, "    - {value: 5000}\n")
    assert _booth_amount(engine.evaluate(EXHIBITOR, AS_OF, reform=path)) == Decimal(50000)
    assert _booth_amount(engine.evaluate(EXHIBITOR, AS_OF, reform=str(path))) == Decimal(50000)


@pytest.mark.parametrize(
    ("subsidy", "booths", "amount"),
    [(Decimal("3000.50"), 10, Decimal("30005.00")), (Decimal("1500.125"), 2, Decimal("3000.25"))],
)
def test_a_reform_dict_may_hold_decimals_and_dates(
    subsidy: Decimal, booths: int, amount: Decimal
) -> None:
    reform = {
        "id": "r",
        "title": "t",
        "parameters": {
            "booth_subsidy": [{"from": date(2019, 1, 1), "value": subsidy}],
            "sales_threshold": [{"value": Decimal("40000000")}],
        },
    }
    exhibitor = {"exhibitions": [{"name": "expo", "booths": booths}]}
    evaluation = Engine(MINI).evaluate(exhibitor, AS_OF, reform=reform)
    assert _booth_amount(evaluation) == amount
