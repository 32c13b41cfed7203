"""The batch credit-code check (numpy over the codes' bytes) against two oracles: the scalar
`identifiers.credit_code_problem`, and the same rule written independently here in Polars
expressions, on generated codes: valid ones, each with one character changed, and noise."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_engine.batch.codes import valid_credit_codes
from subsidy_engine.identifiers import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    ORGANISATION_CODE_WEIGHTS,
    credit_code_check_character,
    credit_code_problem,
    organisation_code_check_character,
)

_SHAPE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _char(code: pl.Expr, position: int) -> pl.Expr:
    return code.str.slice(position, 1)


def _valid_by_expressions(code: pl.Expr) -> pl.Expr:
    """GB 32100 with its GB 11714 part, as Polars expressions over the characters."""
    shaped = code.str.contains(_SHAPE)
    safe = pl.when(shaped).then(code).otherwise(pl.lit("0" * 18))
    alphabet = list(CREDIT_CODE_ALPHABET)
    total = pl.sum_horizontal(
        [
            _char(safe, i).replace_strict(alphabet, list(range(31)), return_dtype=pl.Int64) * weight
            for i, weight in enumerate(CREDIT_CODE_WEIGHTS)
        ]
    )
    expected18 = ((-total) % 31).replace_strict(list(range(31)), alphabet, return_dtype=pl.String)
    body = pl.sum_horizontal(
        [
            _char(safe, 8 + i).replace_strict(
                list(_BASE36), list(range(36)), default=0, return_dtype=pl.Int64
            )
            * weight
            for i, weight in enumerate(ORGANISATION_CODE_WEIGHTS)
        ]
    )
    check = 11 - body % 11
    expected17 = (
        pl.when(check == 10)
        .then(pl.lit("X"))
        .when(check == 11)
        .then(pl.lit("0"))
        .otherwise(check.cast(pl.String))
    )
    return shaped & (_char(safe, 16) == expected17) & (_char(safe, 17) == expected18)


def _valid_code(head: str, division: str, body: str) -> str:
    first17 = head + division + body + organisation_code_check_character(body)
    return first17 + credit_code_check_character(first17)


_valid = st.builds(
    _valid_code,
    st.text(CREDIT_CODE_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
)


@st.composite
def _one_changed(draw: st.DrawFn) -> str:
    code = draw(_valid)
    position = draw(st.integers(0, 17))
    other = draw(st.sampled_from(CREDIT_CODE_ALPHABET + "IOSVZ"))
    return code[:position] + other + code[position + 1 :]


_codes = st.lists(
    st.one_of(_valid, _one_changed(), st.text("0123456789ABCDXYZ", min_size=17, max_size=19)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(codes=_codes)
def test_the_numpy_check_agrees_with_both_oracles(codes: list[str]) -> None:
    series = pl.Series("code", codes, dtype=pl.String)
    numpy = valid_credit_codes(series).to_list()
    expressions = pl.select(_valid_by_expressions(pl.lit(series))).to_series().to_list()
    scalar = [credit_code_problem(code) is None for code in codes]
    assert numpy == scalar
    assert expressions == scalar


def test_nulls_stay_null_and_a_known_code_passes() -> None:
    series = pl.Series("code", ["91350100M000100Y43", None, "91350100M000100Y44"])
    assert valid_credit_codes(series).to_list() == [True, None, False]
