"""The comparison tables every consumer shares: negation and mirror agree with `COMPARE`."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from subsidy_engine.lang.operators import COMPARE, COMPARISONS, MIRRORED, NEGATED, ORDERINGS
from subsidy_engine.lang.parser import parse

numbers = st.integers(-3, 3) | st.decimals(-3, 3, places=1)


def test_every_comparison_has_an_entry_in_every_table() -> None:
    assert set(COMPARE) == set(NEGATED) == set(MIRRORED) == set(COMPARISONS)
    assert set(ORDERINGS) < set(COMPARISONS)


@given(numbers, numbers, st.sampled_from(COMPARISONS))
def test_negated_is_not_and_mirrored_swaps_the_sides(
    a: int | Decimal, b: int | Decimal, op: str
) -> None:
    assert COMPARE[NEGATED[op]](a, b) == (not COMPARE[op](a, b))
    assert COMPARE[MIRRORED[op]](b, a) == COMPARE[op](a, b)
    assert NEGATED[NEGATED[op]] == op
    assert MIRRORED[MIRRORED[op]] == op


def test_the_parser_reads_exactly_these_comparisons() -> None:
    for op in COMPARISONS:
        node = parse(f"a {op} b")
        assert getattr(node, "ops", None) == (op,)
