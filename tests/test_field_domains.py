"""Every validator holds a field to the same domain: `Engine.validate` (what `evaluate` runs)
and batch validation (the rows `Engine.score` rejects) accept and refuse the same values at the
declared bounds, falsy ones (0) included, and the generators draw inside the domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_engine import Engine, ProfileError
from subsidy_engine.domains import FieldDomain, field_domain
from subsidy_engine.rulebook.models import ScalarFieldSpec
from subsidy_engine.synthetic.kinds import declared_bounds
from subsidy_engine.testing import profiles

BOUNDS = Path(__file__).parent / "fixtures" / "bounds"
ENGINE = Engine(BOUNDS)
AS_OF = date(2019, 12, 31)
SPECS = ENGINE.rulebook.profile.spec.fields
NUMERIC = ("int", "year", "money", "ratio", "decimal")
SCALARS = {
    name: spec
    for name, spec in SPECS.items()
    if isinstance(spec, ScalarFieldSpec) and spec.type in NUMERIC
}


def _near_bounds(domain: FieldDomain) -> st.SearchStrategy[Decimal]:
    step = Decimal(1).scaleb(-domain.scale)
    edges = [b for b in (domain.lower, domain.upper) if b is not None]
    near = [edge + k * delta for edge in edges for k in (-1, 0, 1) for delta in (step, 1)]
    return st.sampled_from(sorted(set(near)))


def _validate_accepts(profile: dict[str, Any]) -> bool:
    try:
        ENGINE.validate(profile)
    except ProfileError:
        return False
    return True


def _score_accepts(table: pl.DataFrame) -> bool:
    scored = ENGINE.score(table, as_of=AS_OF)
    assert scored.rows_read == 1
    return scored.rows_rejected == 0


def _python(kind: str, value: Decimal) -> int | Decimal:
    return int(value) if kind in ("int", "year") and value == int(value) else value


def test_the_fixture_declares_falsy_bounds() -> None:
    declared = [(s.min, s.max) for s in SCALARS.values()]
    assert any(Decimal(0) in pair for pair in declared)
    assert field_domain("year", SCALARS["founded"]).lower == 0
    assert field_domain("year", SCALARS["last_audit"]).upper == 0


@pytest.mark.parametrize("name", sorted(SCALARS))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_validate_and_score_agree_at_the_declared_bounds(name: str, data: st.DataObject) -> None:
    spec = SCALARS[name]
    domain = field_domain(spec.type, spec)
    number = data.draw(_near_bounds(domain))
    expected = (domain.lower is None or number >= domain.lower) and (
        domain.upper is None or number <= domain.upper
    )
    value = _python(spec.type, number)
    assert _validate_accepts({name: value}) is expected, (name, value)
    assert _score_accepts(pl.DataFrame({name: [value]})) is expected, (name, value)
    # the same number written as a cell of a CSV file
    cell = pl.DataFrame({name: [str(number)]}, schema={name: pl.String})
    assert _score_accepts(cell) is expected, (name, str(number))


@pytest.mark.parametrize("floor", [-3, -2, -1, 0, 1])
def test_a_list_items_falsy_bound_is_the_same_in_both(floor: int) -> None:
    item = {"name": "expo", "booths": 1, "floor": floor}
    expected = -2 <= floor <= 0
    assert _validate_accepts({"exhibitions": [item]}) is expected
    assert _score_accepts(pl.DataFrame({"exhibitions": [[item]]})) is expected


def test_a_year_declared_from_0_accepts_1500_in_both() -> None:
    assert _validate_accepts({"founded": 1500})
    assert _score_accepts(pl.DataFrame({"founded": [1500]}))


@settings(max_examples=40, deadline=None)
@given(profile=profiles(ENGINE.rulebook))
def test_the_strategies_draw_inside_the_domain(profile: dict[str, Any]) -> None:
    # the strategies do not know the items' own checks (an exhibition's dates in order)
    for item in profile.get("exhibitions", []):
        item.pop("end", None)
    ENGINE.validate(profile)


@pytest.mark.parametrize("name", sorted(SCALARS))
def test_the_generator_reads_the_same_domain(name: str) -> None:
    spec = SCALARS[name]
    domain = field_domain(spec.type, spec)
    assert declared_bounds(spec.type, spec) == (domain.lower, domain.upper)
