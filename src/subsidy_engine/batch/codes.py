"""The two national identifiers, checked on whole columns (see `subsidy_engine.identifiers`).

`credit_code_valid` is true exactly when `identifiers.credit_code_problem` finds nothing: 18
characters of the credit-code alphabet, digits in positions 3-8, the GB 11714 check character
in position 17 and the GB 32100 one in position 18. `industry_code_valid` is membership in the
packaged GB/T 4754-2017 list. The explanation of a bad code comes from the scalar functions,
for the rejected rows only.
"""

from __future__ import annotations

import polars as pl

from subsidy_engine.identifiers import CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS, industry_codes

_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SHAPE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _char(code: pl.Expr, position: int) -> pl.Expr:
    return code.str.slice(position, 1)


def credit_code_valid(code: pl.Expr) -> pl.Expr:
    """Whether a (stripped, upper-cased) credit code is valid; null where the code is null."""
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
            for i, weight in enumerate(_ORGANISATION_WEIGHTS)
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


def normalise_industry_code(code: pl.Expr) -> pl.Expr:
    """As `identifiers.normalise_industry_code`: NFKC, white space removed, upper case."""
    return code.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_uppercase()


def industry_code_valid(code: pl.Expr) -> pl.Expr:
    return code.is_in(pl.Series(industry_codes(), dtype=pl.String).implode())
