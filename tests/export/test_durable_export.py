"""The durable-rules export fires exactly the rules `evaluate` finds eligible.

On complete profiles (no fact missing, industry codes at class level) — synthetic registries,
and Hypothesis profiles whose numbers sit at, just below and just above every threshold, laid
over a complete synthetic row —
for every rule the export expresses, durable-rules' firing set must be the set of rules
`Engine.evaluate` marks eligible, and the amount each action records must be the engine's to
the fen. Every rule it cannot express must be reported with the reason.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError, Status
from subsidy_engine.export import DurableExport, run, to_durable
from subsidy_engine.lang.partial import CLASS_LENGTH
from subsidy_engine.synthetic import generate
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[2]
RULEBOOKS = {
    "anchor": (ROOT / "benchmarks" / "anchor_rulebook", date(2024, 6, 1)),
    "shuozhou": (ROOT / "rules" / "shuozhou-2019", date(2019, 6, 1)),
}
EPOCH = date(1970, 1, 1)
Found = dict[tuple[int, str], Any]


@cache
def setup(name: str) -> tuple[Engine, DurableExport, date]:
    path, as_of = RULEBOOKS[name]
    engine = Engine(path)
    return engine, to_durable(engine.rulebook, as_of), as_of


@cache
def complete_rows(name: str, n: int, seed: int) -> list[dict[str, Any]]:
    engine, _, _ = setup(name)
    frame = next(generate(engine.rulebook, n, seed=seed, complete=True))
    rows = frame.to_dicts()
    assert all(value is not None for row in rows for value in row.values())
    return rows


def engine_eligible(name: str, rows: Sequence[Mapping[str, Any]]) -> Found:
    engine, export, as_of = setup(name)
    exported = set(export.exported_ids)
    return {
        (row, result.rule_id): result.amount.value
        for row, profile in enumerate(rows)
        for result in engine.evaluate(profile, as_of).results
        if result.status is Status.ELIGIBLE and result.rule_id in exported
    }


def durable_eligible(name: str, rows: Sequence[Mapping[str, Any]]) -> Found:
    _, export, _ = setup(name)
    return {(row, rule_id): amount for row, rule_id, amount in run(export, rows)}


def assert_same(name: str, rows: Sequence[Mapping[str, Any]]) -> None:
    expected, got = engine_eligible(name, rows), durable_eligible(name, rows)
    assert got.keys() == expected.keys(), (
        f"durable-rules only: {sorted(got.keys() - expected.keys())[:5]}; "
        f"evaluate only: {sorted(expected.keys() - got.keys())[:5]}"
    )
    _, export, _ = setup(name)
    with_amounts = {r.rule_id for r in export.rules if r.amounts}
    for key, amount in got.items():
        want = expected[key]
        if amount is None:
            assert key[1] not in with_amounts or want is None, key
            continue
        if isinstance(want, date):
            want = (want - EPOCH).days
        assert abs(Decimal(str(amount)) - want) <= Decimal("0.01"), (key, amount, want)


@pytest.mark.parametrize(("name", "n"), [("anchor", 3000), ("shuozhou", 1500)])
def test_firing_set_is_the_eligible_set_on_a_synthetic_registry(name: str, n: int) -> None:
    rows = complete_rows(name, n, seed=7)
    assert_same(name, rows)
    assert engine_eligible(name, rows), "the registry makes no rule eligible: a vacuous test"


def thresholds(name: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of Hypothesis profiles completed from synthetic rows and valid for the engine."""
    engine, _, _ = setup(name)
    base = complete_rows(name, 50, seed=11)

    def completed(drawn: dict[str, Any], row: int) -> dict[str, Any] | None:
        # a code coarser than a class is known only in part: outside what the export answers for
        if len(drawn.get("industry_code") or "C3071") < CLASS_LENGTH:
            drawn = {k: v for k, v in drawn.items() if k != "industry_code"}
        profile = {**base[row], **drawn}
        try:
            engine.validate(profile)
        except ProfileError:
            return None
        return profile

    one = st.builds(completed, profiles(engine.rulebook), st.integers(0, len(base) - 1))
    return st.lists(one, min_size=1, max_size=25).map(lambda ps: [p for p in ps if p])


@pytest.mark.parametrize("name", RULEBOOKS)
def test_firing_set_is_the_eligible_set_at_the_thresholds(name: str) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(thresholds(name))
    def check(rows: list[dict[str, Any]]) -> None:
        assume(rows)
        assert_same(name, rows)

    check()


def test_every_rule_is_exported_or_reported_with_its_reason() -> None:
    engine, export, _ = setup("shuozhou")
    exported, reasons = set(export.exported_ids), export.reasons()
    assert not exported & reasons.keys()
    assert exported | reasons.keys() == {rule.id for rule in engine.rulebook.rules}
    assert "per-item rule (for each award in awards)" in reasons["m34.china_quality_award"]
    assert "len() on above_scale_years" in reasons["m36.above_scale_tax_adaptation"]
    assert "known()" in reasons["m36.above_scale_award_2y"]
    assert "m14.inclusive_tax_relief" in exported  # industry-code prefixes become ranges
    assert setup("anchor")[1].reasons() == {}


def test_amounts_chosen_by_a_fact_become_one_rule_per_case() -> None:
    _, export, _ = setup("anchor")
    (land,) = [r for r in export.rules if r.rule_id == "r.r8"]
    parts = land.durable_rules()
    assert parts[0].name == "r.r8" and parts[0].eligibility
    cases = [p for p in parts if p.name.startswith("r.r8.amount")]
    assert not any(p.eligibility for p in cases)
    # one per land grade of the price table, and one for a grade the table lacks (no figure)
    assert [p.amount is None for p in cases] == [False] * 15 + [True]


def test_importing_the_package_and_exporting_do_not_import_durable_rules() -> None:
    code = (
        "import sys; from datetime import date; import subsidy_engine as s; "
        "from subsidy_engine.export import to_durable; "
        f"to_durable(s.Engine({str(RULEBOOKS['anchor'][0])!r}).rulebook, date(2024, 6, 1)); "
        "assert 'durable' not in sys.modules, 'durable imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
