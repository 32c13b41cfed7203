"""The vectorised batch backend gives the scalar backend's answers, row by row, nulls included.

Hypothesis draws tables of profiles for each rulebook — any fact missing, numbers at, just below
and just above every threshold the rules name, empty and long item lists, dates around year ends,
leap days and the rules' own dates — and an `as_of` date around the rules' periods. The whole
table is scored at once; each profile is evaluated with `Engine.evaluate`; every rule's (and
item's) status, amount to the fen, amount status, unit, payer, missing facts and parameters,
unspecified parameters and exclusion must be identical. A profile the pydantic model refuses
must be in the rejects, and only those.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.batch import score
from subsidy_engine.batch.conformance import compared_columns, differences, scored_records
from subsidy_engine.cases import result_record
from subsidy_engine.domains import FieldDomain, field_domain
from subsidy_engine.identifiers import industry_codes
from subsidy_engine.lang import ast
from subsidy_engine.results import Evaluation, Status
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.testing import profiles

ROOT = Path(__file__).parents[2]
RULEBOOKS = {
    "kitchen": ROOT / "tests" / "batch" / "fixtures" / "kitchen",
    "extremes": ROOT / "tests" / "batch" / "fixtures" / "extremes",
    "mini": ROOT / "tests" / "fixtures" / "mini",
    "anchor": ROOT / "benchmarks" / "anchor_rulebook",
    "shuozhou": ROOT / "rules" / "shuozhou-2019",
}


@functools.cache
def _engine(name: str) -> Engine:
    """The rulebook's engine; a rulebook that fails to load fails its test."""
    return Engine(RULEBOOKS[name])


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _special_dates(rulebook: Rulebook) -> list[date]:
    """Dates where rules change: year ends, leap days, the rules' and parameters' own dates."""
    days: set[date] = set()
    for year in (2016, 2018, 2019, 2020, 2021, 2024):
        days |= {date(year, 1, 1), date(year - 1, 12, 31), date(year, 2, 28), date(year, 3, 1)}
    days |= {date(2016, 2, 29), date(2020, 2, 29), date(2024, 2, 29)}
    for rule in rulebook.rules:
        period = rule.spec.in_force
        days |= {d for d in (period.from_, period.until) if d is not None}
        for node in [c.node for c in rule.conditions]:
            days |= {
                n.value
                for n in node.walk()
                if isinstance(n, ast.Literal) and isinstance(n.value, date)
            }
    for parameter in rulebook.parameters.values():
        days |= {start for start, _ in parameter.values}
    near = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    return sorted(d for d in near if date(2010, 1, 1) <= d <= date(2030, 12, 31))


def _with_special_dates(
    rulebook: Rulebook, profile: dict[str, Any], data: st.DataObject, days: list[date]
) -> dict[str, Any]:
    """Some date fields (top level and in items) moved onto the special dates."""
    spec = rulebook.profile.spec
    out = dict(profile)
    for name, field in spec.fields.items():
        if isinstance(field, ScalarFieldSpec) and field.type == "date" and name in out:
            if data.draw(st.booleans()):
                out[name] = data.draw(st.sampled_from(days))
        elif isinstance(field, ListFieldSpec) and field.fields and out.get(name):
            items = []
            for given in out[name]:
                item = dict(given)
                for item_name, item_field in field.fields.items():
                    if item_field.type == "date" and item_name in item and data.draw(st.booleans()):
                        item[item_name] = data.draw(st.sampled_from(days))
                items.append(item)
            out[name] = items
    return out


def _edges(domain: FieldDomain) -> list[Decimal]:
    """Values at the edges of a field's domain: each bound, one step inside it, and large
    values in between (products of these leave the number domain)."""
    assert domain.lower is not None and domain.upper is not None
    step = Decimal(1).scaleb(-domain.scale)
    inside = [domain.lower, domain.lower + step, domain.upper - step, domain.upper, Decimal(0)]
    inside += [Decimal(10) ** k * sign for k in (6, 9, 12, 15, 17) for sign in (1, -1)]
    return sorted({v for v in inside if domain.lower <= v <= domain.upper})


def _with_extremes(
    rulebook: Rulebook, profile: dict[str, Any], data: st.DataObject
) -> dict[str, Any]:
    """Some numeric facts (top level and in items) moved to the edges of their domains."""
    out = dict(profile)

    def extreme(kind: str, spec: ScalarFieldSpec) -> Any:
        value = data.draw(st.sampled_from(_edges(field_domain(spec.type, spec))))
        return int(value) if kind in ("int", "year") else value

    for name, field in rulebook.profile.spec.fields.items():
        if isinstance(field, ScalarFieldSpec) and field.type in _NUMERIC and name in out:
            if data.draw(st.booleans()):
                out[name] = extreme(field.type, field)
        elif isinstance(field, ListFieldSpec) and field.fields and out.get(name):
            items = []
            for given in out[name]:
                item = dict(given)
                for item_name, spec in field.fields.items():
                    if spec.type in _NUMERIC and item_name in item and data.draw(st.booleans()):
                        item[item_name] = extreme(spec.type, spec)
                items.append(item)
            out[name] = items
        elif (
            isinstance(field, ListFieldSpec) and field.item in _NUMERIC and data.draw(st.booleans())
        ):
            # totals of values at the edges of their domain, some beyond an integer's 64 bits
            edges = _edges(field_domain(field.item, None))
            drawn = data.draw(st.lists(st.sampled_from(edges), max_size=12))
            out[name] = [int(v) if field.item in ("int", "year") else v for v in drawn]
    return out


_NUMERIC = ("int", "year", "money", "ratio", "decimal")


def _merged(rulebook: Rulebook, draws: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """One profile from several draws: the first draw's facts, gaps filled from the others
    (items too, position by position), so that most facts are known."""
    out: dict[str, Any] = {}
    for draw in reversed(draws):
        out.update(draw)
    for name, field in rulebook.profile.spec.fields.items():
        if not isinstance(field, ListFieldSpec) or not field.fields or not out.get(name):
            continue
        others = [d[name] for d in draws if d.get(name)]
        items = []
        for index, item in enumerate(out[name]):
            filled: dict[str, Any] = {}
            for other in reversed(others):
                if index < len(other):
                    filled.update(other[index])
            items.append({**filled, **item})
        out[name] = items
    return out


def _profiles(rulebook: Rulebook, max_items: int) -> st.SearchStrategy[dict[str, Any]]:
    sparse = profiles(rulebook, max_items=max_items)
    full = st.tuples(sparse, sparse, sparse, sparse).map(lambda draws: _merged(rulebook, draws))
    return st.one_of(sparse, full)


def _table(rulebook: Rulebook, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {name: dtype_of(t) for name, t in rulebook.profile.types.items()}
    return pl.DataFrame(rows, schema=schema)


def _scalar(engine: Engine, profile: dict[str, Any], as_of: date) -> Evaluation | None:
    try:
        model = engine.validate(profile)
    except ProfileError:
        return None
    return engine.evaluate(model, as_of)


def check_same(engine: Engine, rows: list[dict[str, Any]], as_of: date) -> None:
    """Score `rows` in one table and evaluate each alone; everything must agree."""
    rulebook = engine.rulebook
    columns = compared_columns(rulebook.profile.key)
    table = _table(rulebook, rows)
    scored = score(engine, table, as_of, statuses="all", summary=True, columns=columns)
    assert scored.rows_read == len(rows) == scored.rows_scored + scored.rows_rejected
    rejected = set(scored.rejects["row"].to_list())
    by_row = scored_records(scored.results)
    for record in scored.results.iter_rows(named=True):
        status = Status(str(record["status"]))
        paid, potential = record["amount"] is not None, record["potential_amount"] is not None
        assert not paid or status is Status.ELIGIBLE, record
        assert not potential or status is Status.UNDETERMINED, record
    totals = {}
    if scored.summary is not None:
        totals = {r["row"]: r for r in scored.summary.iter_rows(named=True)}
    for index, profile in enumerate(rows):
        evaluation = _scalar(engine, profile, as_of)
        if evaluation is None:
            assert index in rejected, f"row {index} should be rejected: {profile}"
            continue
        assert index not in rejected, (scored.rejects.filter(pl.col("row") == index), profile)
        want = {(r.rule_id, r.item.index if r.item else None): result_record(r) for r in evaluation}
        assert differences(want, by_row.get(index, {})) == [], (profile, as_of)
        for total in evaluation.totals:
            row = totals[index]
            assert row[f"amount_{total.payer}"] == total.amount, (profile, total)
            assert row[f"counted_{total.payer}"] == total.counted
            assert row[f"unspecified_{total.payer}"] == total.unspecified


@pytest.mark.parametrize("name", sorted(RULEBOOKS))
def test_score_equals_evaluate(name: str) -> None:
    engine = _engine(name)
    rulebook = engine.rulebook
    days = _special_dates(rulebook)
    as_of_dates = st.one_of(
        st.sampled_from(days),
        st.dates(date(2019, 1, 1), date(2021, 12, 31)),
        st.dates(date(2017, 1, 1), date(2027, 12, 31)),
    )
    many = st.integers(0, 1).flatmap(
        lambda long: st.lists(_profiles(rulebook, 12 if long else 3), max_size=12)
    )

    @SETTINGS
    @given(many, as_of_dates, st.data())
    def check(rows: list[dict[str, Any]], as_of: date, data: st.DataObject) -> None:
        rows = [_with_special_dates(rulebook, r, data, days) for r in rows]
        if data.draw(st.booleans()):
            rows = [_with_extremes(rulebook, r, data) for r in rows]
        check_same(engine, rows, as_of)

    check()


# Partial knowledge: coarse industry codes, size facts missing ----------------------------------


def _partial_knowledge_cases() -> list[Any]:
    from subsidy_engine.rulebook.loader import load_cases

    cases = load_cases(RULEBOOKS["shuozhou"])["tests/partial_knowledge.yaml"].cases
    return [pytest.param(case, id=case.name) for case in cases]


@pytest.mark.parametrize("case", _partial_knowledge_cases())
def test_partial_knowledge_cases_score_as_they_evaluate(case: Any) -> None:
    shuozhou = _engine("shuozhou")
    profile = shuozhou.validate(case.profile).model_dump(exclude_none=True)
    check_same(shuozhou, [profile], case.as_of)


def _coarse_codes(rulebook: Rulebook) -> list[str]:
    """Codes coarser than a class, around the code prefixes the rules name."""
    named = {
        n.value
        for node in [f.node for f in rulebook.derived.values()]
        + [c.node for r in rulebook.rules for c in r.conditions]
        for n in node.walk()
        if isinstance(n, ast.Literal) and isinstance(n.value, str) and n.value[:1].isupper()
    }
    return sorted({p[:n] for p in named for n in (1, 3, 4) if n < len(p)} | {"C307", "C30"})


def test_score_equals_evaluate_on_partial_size_facts() -> None:
    shuozhou = _engine("shuozhou")
    rulebook = shuozhou.rulebook
    hints = sorted(
        {
            int(n.value) + d
            for n in rulebook.derived["sme_size_class"].node.walk()
            if isinstance(n, ast.Literal) and isinstance(n.value, int | Decimal)
            for d in (-1, 0)
        }
    )
    numbers = st.sampled_from([h for h in hints if h >= 0])
    row = st.fixed_dictionaries(
        {"industry_code": st.sampled_from(_coarse_codes(rulebook))},
        optional={
            "employees": numbers,
            "operating_revenue": numbers.map(Decimal),
            "total_assets": numbers.map(Decimal),
            "ownership": st.sampled_from(["private", "state_owned"]),
            "credit_status": st.sampled_from(["normal", "seriously_dishonest"]),
            "annual_sales": numbers.map(Decimal),
            "operates_freight_trucks": st.booleans(),
        },
    )

    @SETTINGS
    @given(st.lists(row, min_size=1, max_size=12))
    def check(rows: list[dict[str, Any]]) -> None:
        check_same(shuozhou, rows, date(2019, 12, 31))

    check()


def test_score_equals_evaluate_for_every_industry_code() -> None:
    """Every code of the standard, coarse or a class, and none: the sector and the industrial
    test are looked up once per code, and a size class decided or not for each sector a code
    spans (revenue known on every other row)."""
    shuozhou = _engine("shuozhou")
    rows: list[dict[str, Any]] = [{"employees": 250}]
    for index, code in enumerate(industry_codes()):
        row: dict[str, Any] = {"industry_code": code, "employees": 250}
        if index % 2:
            row["operating_revenue"] = Decimal(250_000_000)
        rows.append(row)
    check_same(shuozhou, rows, date(2019, 12, 31))
