"""Drawn columns, the block they belong to, and the tests conditions make on them."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.rulebook.models import ScalarKind
from subsidy_engine.synthetic.config import Condition, Key, Range
from subsidy_engine.synthetic.kinds import STRINGS, internal

Array = npt.NDArray[Any]
Bools = npt.NDArray[np.bool_]


@dataclass(slots=True)
class Column:
    """One drawn column: values for every row (even those then blanked) and a validity mask."""

    kind: ScalarKind
    scale: int
    valid: Bools
    values: Array | None = None
    """Numbers in units of 10**-scale, dates in days since 1970, booleans (int64 or bool)."""
    idx: Array | None = None
    cats: list[str] | None = None
    """Categorical texts: `cats[idx[i]]` is row i's text."""
    strings: Any = None
    """Texts built directly (codes, names), as an Arrow string array."""
    latent: Array | None = None
    """The standard-normal draws behind a log-normal field (for `correlate`)."""

    def natural(self) -> npt.NDArray[np.float64]:
        assert self.values is not None
        values = self.values.astype(np.float64)
        return values / 10**self.scale if self.scale else values


@dataclass(slots=True)
class Scope:
    n: int
    rows: npt.NDArray[np.int64]
    items: npt.NDArray[np.int64] | None
    seed: int
    block: int
    complete: bool
    cols: dict[str, Column] = field(default_factory=dict)

    def rng(self, key: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.block, zlib.crc32(key.encode())])


def ones(n: int) -> Bools:
    return np.ones(n, dtype=np.bool_)


def pick(probabilities: Array, u: Array) -> npt.NDArray[np.int64]:
    cumulative = np.cumsum(probabilities)
    cumulative /= cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)


def equals(col: Column, value: Any) -> Bools:
    """Rows whose drawn value equals `value` (as YAML writes it)."""
    if col.cats is not None and col.idx is not None:
        return (
            col.idx == col.cats.index(str(value)) if str(value) in col.cats else ~ones(len(col.idx))
        )
    if col.strings is not None:
        return np.asarray(pc.equal(col.strings, str(value)).to_numpy(zero_copy_only=False), bool)
    assert col.values is not None
    return np.asarray(col.values == internal(col.kind, col.scale, value), dtype=np.bool_)


def set_where(col: Column, rows: Bools, value: Any) -> None:
    if col.cats is not None and col.idx is not None:
        if str(value) not in col.cats:
            col.cats = [*col.cats, str(value)]
        col.idx = np.where(rows, col.cats.index(str(value)), col.idx)
    elif col.strings is not None:
        col.strings = pc.if_else(pa.array(rows), pa.scalar(str(value)), col.strings)
    else:
        assert col.values is not None
        col.values = np.where(rows, internal(col.kind, col.scale, value), col.values)


def rows_meeting(condition: Condition, scope: Scope) -> Bools:
    """Rows meeting an `only_if` condition (read from drawn values, blanked or not)."""
    if isinstance(condition, str):
        values = scope.cols[condition].values
        assert values is not None
        return np.asarray(values, dtype=np.bool_)
    out = ones(scope.n)
    for name, test in condition.items():
        col = scope.cols[name]
        if isinstance(test, Range):
            values = col.values
            assert values is not None
            if test.min is not None:
                out &= values >= internal(col.kind, col.scale, test.min)
            if test.max is not None:
                out &= values <= internal(col.kind, col.scale, test.max)
        else:
            out &= _matches(col, test)
    return out


def _matches(col: Column, options: list[Key]) -> Bools:
    """Rows whose value is one of `options` (texts: starts with one, except enumerations)."""
    if col.kind in STRINGS:
        texts = tuple(str(o) for o in options)
        if col.cats is not None and col.idx is not None:
            exact = col.kind == "enum"
            hit = np.array([(c in texts) if exact else c.startswith(texts) for c in col.cats])
            return np.asarray(hit[col.idx], dtype=np.bool_) if len(hit) else ~ones(len(col.idx))
        out = np.zeros(len(col.strings), dtype=np.bool_)
        for text in texts:
            out |= np.asarray(
                pc.starts_with(col.strings, text).to_numpy(zero_copy_only=False), bool
            )
        return out
    out = ~ones(len(col.valid))
    for option in options:
        out |= equals(col, option)
    return out
