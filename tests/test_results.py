"""Result objects: sequences worked out when first read."""

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from subsidy_engine import Engine, Evaluation
from subsidy_engine.results import ConditionTraces, LazyTuple, PayerTotals

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2019, 6, 1)


def test_a_pending_sequence_is_worked_out_once_and_reads_like_a_tuple() -> None:
    calls: list[tuple[dict[str, str], tuple[Any, ...]]] = []

    def add(keys: dict[str, str], results: tuple[Any, ...]) -> tuple[Any, ...]:
        calls.append((keys, results))
        return tuple(range(results[0], results[1]))

    lazy: LazyTuple[Any] = PayerTotals.pending(add, {}, (2, 5))
    assert calls == []
    assert (len(lazy), lazy[0], lazy[-1], list(lazy), lazy[1:]) == (3, 2, 4, [2, 3, 4], (3, 4))
    assert lazy == (2, 3, 4) and lazy == [2, 3, 4] and lazy == LazyTuple([2, 3, 4])
    assert lazy not in ((2, 3), "234")
    assert calls == [({}, (2, 5))]
    assert repr(lazy) == "PayerTotals([2, 3, 4])"


def test_pending_traces_know_their_outcomes_before_being_written_out() -> None:
    def never(outcomes: object, frame: object) -> tuple[()]:
        raise AssertionError("written out")

    traces = ConditionTraces.pending(never, [True, None, False], None)
    assert traces.outcomes == (True, None, False)
    assert len(traces) == 3


def test_totals_by_payer_in_payer_order_survive_a_json_round_trip() -> None:
    profile = yaml.safe_load((EXAMPLES / "huairen-ceramics-large.yaml").read_text("utf-8"))
    evaluation = Engine().evaluate(profile, as_of=AS_OF)
    payers = [total.payer for total in evaluation.totals]
    assert payers == sorted(payers) and len(payers) == 2
    again = Evaluation.from_json(evaluation.to_json())
    assert again.totals == evaluation.totals


def test_results_are_built_in_the_field_order_the_builder_states() -> None:
    """Evaluation builds results positionally; a reordered field would be a silent swap."""
    from dataclasses import fields

    from subsidy_engine.backends.python.build import AMOUNT_FIELDS, RESULT_FIELDS
    from subsidy_engine.results import Amount, RuleResult

    assert tuple(f.name for f in fields(RuleResult)) == RESULT_FIELDS
    assert tuple(f.name for f in fields(Amount)) == AMOUNT_FIELDS


def test_only_the_builder_names_the_result_constructors_in_the_backend() -> None:
    import ast
    from pathlib import Path

    backend = Path(__file__).parents[1] / "src" / "subsidy_engine" / "backends" / "python"
    for module in backend.glob("*.py"):
        if module.name == "build.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        called = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not called & {"RuleResult", "Amount"}, module.name
