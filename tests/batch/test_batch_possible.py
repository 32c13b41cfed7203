"""`score`'s optional `possible_values` column shows what `evaluate`'s trace shows of the
derived facts known in part: for each result, every `one of {...}` entry of its conditions'
trace, as `name: one of {...}`, sorted. A differential test on generated profiles (size facts
missing, industry codes coarsened) for the bundled rulebook and a fixture whose tier reads four
graded facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.batch import score
from subsidy_engine.batch.columns import chosen_columns
from subsidy_engine.identifiers import industry_codes

ROOT = Path(__file__).parents[2]
SHUOZHOU = Engine(ROOT / "rules" / "shuozhou-2019")
COMBINATIONS = Engine(ROOT / "tests" / "fixtures" / "combinations")
AS_OF = date(2019, 12, 31)
COLUMNS = "row,rule_id,item,status,possible_values"


def _traced(engine: Engine, profile: dict[str, Any]) -> dict[tuple[str, int | None], list[str]]:
    """Per result: the `one of` entries of its conditions' trace, for derived facts."""
    out = {}
    for result in engine.evaluate(profile, AS_OF):
        entries = {
            f"{name}: {value}"
            for trace in result.conditions
            for name, value in trace.values.items()
            if name in engine.rulebook.derived
            and isinstance(value, str)
            and value.startswith("one of {")
        }
        out[(result.rule_id, result.item.index if result.item else None)] = sorted(entries)
    return out


def _check(engine: Engine, rows: list[dict[str, Any]]) -> int:
    scored = score(engine, rows, AS_OF, statuses="all", columns=COLUMNS).results
    got = {
        (r["row"], r["rule_id"], r["item"]): r["possible_values"]
        for r in scored.iter_rows(named=True)
    }
    expected = {
        (number, rule_id, item): entries
        for number, row in enumerate(rows)
        for (rule_id, item), entries in _traced(engine, row).items()
    }
    assert got == expected
    return sum(1 for entries in got.values() if entries)


CLASSES = [c for c in industry_codes() if len(c) == 5]
STAFF = st.sampled_from([0, 15, 19, 20, 199, 200, 299, 300, 999, 1000])
MONEY = st.sampled_from([0, 5000_0000, 1_0000_0000, 3_0000_0000, 4_0000_0000, 20_0000_0000])


@st.composite
def _shuozhou_profiles(draw: st.DrawFn) -> dict[str, Any]:
    full = draw(st.sampled_from([*CLASSES, "F5161", "K7010", "C3071", "H6110"]))
    profile: dict[str, Any] = {
        "ownership": "private",
        "industry_code": draw(st.sampled_from([full[:1], full[:3], full[:4], full])),
    }
    for name, values in (("employees", STAFF), ("operating_revenue", MONEY)):
        if draw(st.booleans()):
            profile[name] = draw(values)
    if draw(st.booleans()):
        profile["total_assets"] = draw(MONEY)
    return profile


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_shuozhou_profiles(), min_size=1, max_size=6))
def test_possible_values_are_the_trace_on_the_bundled_rulebook(rows: list[dict[str, Any]]) -> None:
    _check(SHUOZHOU, rows)


grades = st.fixed_dictionaries(
    {n: st.sampled_from([0, 10, None]) for n in ("p1", "p2", "q1", "q2", "r1", "r2", "s1", "s2")}
).map(lambda drawn: {k: v for k, v in drawn.items() if v is not None})


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(grades, min_size=1, max_size=8))
def test_possible_values_are_the_trace_on_a_fact_of_four_grades(rows: list[dict[str, Any]]) -> None:
    _check(COMBINATIONS, rows)


def test_a_size_class_known_in_part_is_shown() -> None:
    developer = {"ownership": "private", "industry_code": "K7010", "operating_revenue": "3亿"}
    known = {**developer, "total_assets": "2亿"}
    assert _check(SHUOZHOU, [developer, known]) > 0
    results = score(SHUOZHOU, [developer, known], AS_OF, statuses="all", columns=COLUMNS).results
    shown = results.filter(results["rule_id"] == "m37.procurement_small_micro_set_aside")
    assert shown["possible_values"].to_list() == [
        ["sme_size_class: one of {medium, micro, small}"],
        [],
    ]


def test_the_column_is_written_only_when_asked_for() -> None:
    assert "possible_values" not in chosen_columns(None, "credit_code")
    assert "possible_values" in chosen_columns(COLUMNS, "credit_code")
