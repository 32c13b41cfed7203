"""Unified social credit codes (GB 32100-2015), valid and unique to the row."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.identifiers import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    ORGANISATION_CODE_WEIGHTS,
)
from subsidy_engine.synthetic.columns import Array, Column, Scope, equals, ones, pick
from subsidy_engine.synthetic.config import FieldGen
from subsidy_engine.synthetic.plan import FieldPlan

_ALPHABET = np.frombuffer(CREDIT_CODE_ALPHABET.encode("ascii"), dtype=np.uint8)
_BASE36 = np.array([int(ch, 36) for ch in CREDIT_CODE_ALPHABET], dtype=np.int64)
_BODY_SPACE = 31**6
"""Distinct serial parts: codes are unique for up to 887,503,681 rows."""
_BODY_STEP = 566_017_723
"""Multiplier of the serial bijection: coprime with 31**6, large so serials look scattered."""
_ORG_WEIGHTS = np.array(ORGANISATION_CODE_WEIGHTS, dtype=np.int64)
_WEIGHTS = np.array(CREDIT_CODE_WEIGHTS, dtype=np.int64)


def credit_codes(plan: FieldPlan, scope: Scope, rng: np.random.Generator) -> Column:
    """Valid codes: authority and type, a division, ``MA`` and a serial unique to the row
    (a bijection of the row number, shifted by the seed), and both check characters."""
    gen, n = plan.gen, scope.n
    value = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
    chars = np.zeros((n, 17), dtype=np.int64)
    prefixes = gen.prefixes or {"91": 1.0}
    options = list(prefixes)
    chosen = pick(np.array([prefixes[p] for p in options]), rng.random(n))
    heads = np.array([[value[p[0]], value[p[1]]] for p in options], dtype=np.int64)
    chars[:, 0:2] = heads[chosen]
    chars[:, 2:8] = _divisions(gen, scope, rng)
    chars[:, 8] = value["M"]
    chars[:, 9] = value["A"]
    serial = (scope.rows * _BODY_STEP + zlib.crc32(f"credit{scope.seed}".encode())) % _BODY_SPACE
    for position in range(15, 9, -1):
        chars[:, position] = serial % 31
        serial = serial // 31
    organisation = 11 - (_BASE36[chars[:, 8:16]] * _ORG_WEIGHTS).sum(axis=1) % 11
    chars[:, 16] = np.where(organisation == 10, value["X"], organisation % 11)
    check = (-(chars * _WEIGHTS).sum(axis=1)) % 31
    text = np.concatenate([_ALPHABET[chars], _ALPHABET[check][:, None]], axis=1)
    codes = pa.array(np.ascontiguousarray(text).view("S18").ravel()).cast(pa.string())
    return Column("credit_code", 0, ones(n), strings=codes)


def _divisions(gen: FieldGen, scope: Scope, rng: np.random.Generator) -> Array:
    """Positions 3-8 of each row's credit code, as digits."""
    n = scope.n
    out = rng.integers(0, 10, size=(n, 6), dtype=np.int64)
    out[:, 0] = rng.integers(1, 7, size=n)
    if gen.divisions:
        options = list(gen.divisions)
        codes = np.array([[int(d) for d in code] for code in options], dtype=np.int64)
        out = codes[pick(np.array([gen.divisions[o] for o in options]), rng.random(n))]
    by = gen.divisions_by
    if by is not None:
        source = scope.cols[by.field]
        for key, code in [*by.map.items()]:
            rows = equals(source, _typed_key(source, key))
            out[rows] = [int(d) for d in code]
        if by.default is not None:
            mapped = np.zeros(n, dtype=np.bool_)
            for key in by.map:
                mapped |= equals(source, _typed_key(source, key))
            out[~mapped] = [int(d) for d in by.default]
    return out


def _typed_key(col: Column, key: str) -> Any:
    """A mapping key (always text in YAML maps of codes) as a value of `col`."""
    if col.kind == "bool":
        return key.lower() == "true"
    if col.kind in ("int", "year"):
        return int(key)
    return key
