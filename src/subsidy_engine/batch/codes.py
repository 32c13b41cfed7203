"""The two national identifiers, checked on whole columns (see `subsidy_engine.identifiers`).

`credit_code_valid` is true exactly when `identifiers.credit_code_problem` finds nothing: 18
characters of the credit-code alphabet, digits in positions 3-8, the GB 11714 check character
in position 17 and the GB 32100 one in position 18. It runs on the codes' bytes with numpy (a
few milliseconds per million codes), with the constants of `identifiers`.
`industry_code_valid` is membership in the packaged GB/T 4754-2017 list;
`checked_industry_code` normalises and checks each distinct code once (a code already in the
list's form is not normalised). The explanation of a bad code comes from the scalar functions,
for the rejected rows only.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import polars as pl

from subsidy_engine.identifiers import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    ORGANISATION_CODE_WEIGHTS,
    industry_codes,
)

_LENGTH = 18
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def credit_code_valid(code: pl.Expr) -> pl.Expr:
    """Whether a (stripped, upper-cased) credit code is valid; null where the code is null."""
    return code.map_batches(valid_credit_codes, return_dtype=pl.Boolean, is_elementwise=True)


@cache
def _tables() -> tuple[Any, Any, Any, Any]:
    credit = np.full(256, -1, dtype=np.int16)
    for value, ch in enumerate(CREDIT_CODE_ALPHABET):
        credit[ord(ch)] = value
    base36 = np.zeros(256, dtype=np.int16)
    for value, ch in enumerate(_BASE36):
        base36[ord(ch)] = value
    digit = np.zeros(256, dtype=bool)
    digit[ord("0") : ord("9") + 1] = True
    expected17 = np.array([ord(str(c % 10)) for c in range(12)], dtype=np.uint8)
    expected17[10], expected17[11] = ord("X"), ord("0")  # 11 - sum % 11 is 1..11
    return credit, base36, digit, expected17


def valid_credit_codes(codes: pl.Series) -> pl.Series:
    """`credit_code_valid` on a String Series, computed on the UTF-8 bytes with numpy."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    n = codes.len()
    result = np.zeros(n, dtype=bool)
    if n and codes.null_count() < n:
        array = codes.cast(pl.String).to_arrow(compat_level=pl.CompatLevel.oldest())
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        buffers = array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64)[array.offset : array.offset + n + 1]
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else None
        shaped = np.diff(offsets) == _LENGTH
        if data is not None and shaped.all():  # contiguous: a zero-copy (n, 18) view
            result[:] = _check(data[offsets[0] : offsets[-1]].reshape(n, _LENGTH))
        elif data is not None and shaped.any():
            starts = offsets[:-1][shaped]
            result[shaped] = _check(data[starts[:, None] + np.arange(_LENGTH)])
    out = pl.Series(codes.name, result, dtype=pl.Boolean)
    if codes.null_count():
        out = pl.select(pl.when(codes.is_not_null()).then(out)).to_series().alias(codes.name)
    return out


def _check(chars: Any) -> Any:
    """Whether each row of an (n, 18) byte matrix is a valid credit code."""
    credit, base36, digit, expected17 = _tables()
    values = credit[chars]
    ok = (values >= 0).all(axis=1) & digit[chars[:, 2:8]].all(axis=1)
    # float32 sums of small integers are exact (at most 30 * 30 * 17) and use BLAS
    weights = np.array(CREDIT_CODE_WEIGHTS, dtype=np.float32)
    total = (values[:, :17].astype(np.float32) @ weights).astype(np.int32)
    ok &= values[:, 17] == (-total) % 31
    organisation = np.array(ORGANISATION_CODE_WEIGHTS, dtype=np.float32)
    body = (base36[chars[:, 8:16]].astype(np.float32) @ organisation).astype(np.int32)
    ok &= chars[:, 16] == expected17[11 - body % 11]
    return ok


def normalise_industry_code(code: pl.Expr) -> pl.Expr:
    """As `identifiers.normalise_industry_code`: NFKC, white space removed, upper case."""
    return code.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_uppercase()


def industry_code_valid(code: pl.Expr) -> pl.Expr:
    return code.is_in(pl.Series(industry_codes(), dtype=pl.String).implode())


INDUSTRY = pl.Struct({"code": pl.String(), "ok": pl.Boolean()})


def checked_industry_code(text: pl.Expr) -> pl.Expr:
    """Struct {code: normalised and stripped, ok: whether it is a GB/T 4754-2017 code}, worked
    out once per distinct value (a registry holds a few thousand codes at most)."""
    return text.map_batches(_checked_industry_codes, return_dtype=INDUSTRY, is_elementwise=True)


def _checked_industry_codes(raw: pl.Series) -> pl.Series:
    frame = raw.cast(pl.String).alias("raw").to_frame()
    # a code written as the list writes it is its own normal form: only the others (few) are
    # normalised, once per distinct value
    canonical = industry_code_valid(pl.col("raw"))
    others = frame.filter(~canonical).unique()
    others = others.with_columns(
        normalise_industry_code(pl.col("raw")).str.strip_chars().alias("code")
    ).with_columns(industry_code_valid(pl.col("code")).alias("ok"))

    def looked_up(column: str) -> pl.Expr:
        return pl.col("raw").replace_strict(others["raw"], others[column], default=None)

    code = pl.when(canonical).then(pl.col("raw")).otherwise(looked_up("code"))
    ok = canonical | looked_up("ok")
    return frame.select(pl.struct(code.alias("code"), ok.alias("ok")).alias(raw.name)).to_series()
