"""Draws of numbers and dates: uniform, log-normal (correlated), or like another field."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from subsidy_engine.synthetic.columns import Array, Column, Scope, ones
from subsidy_engine.synthetic.config import Lognormal
from subsidy_engine.synthetic.kinds import EPOCH, INT64_SAFE, STRINGS, internal
from subsidy_engine.synthetic.plan import FieldPlan

_DATES = (date(2015, 1, 1), date(2020, 12, 31))
_YEARS = (2015, 2020)


def numeric(plan: FieldPlan, scope: Scope, rng: np.random.Generator) -> Column:
    gen, n, kind = plan.gen, scope.n, plan.kind
    latent = None
    if gen.uniform is not None:
        low, high = (internal(kind, plan.scale, v) for v in gen.uniform)
        if kind in ("int", "year", "date"):
            values = rng.integers(low, high + 1, size=n, dtype=np.int64)
        else:
            values = np.rint(rng.uniform(low, high, size=n)).astype(np.int64)
        return Column(kind, plan.scale, ones(n), values=values)
    lognormal = gen.lognormal or _generic_lognormal(plan)
    if lognormal is None:
        low, high = _generic_range(plan)
        if kind in ("int", "year", "date"):
            values = rng.integers(low, high + 1, size=n, dtype=np.int64)
        else:
            values = np.rint(rng.uniform(low, high, size=n)).astype(np.int64)
        return Column(kind, plan.scale, ones(n), values=values)
    latent = rng.standard_normal(n)
    if gen.correlate is not None:
        other = scope.cols[gen.correlate.with_].latent
        assert other is not None
        rho = gen.correlate.rho
        latent = rho * other + math.sqrt(1 - rho * rho) * latent
    natural = float(lognormal.median) * np.exp(lognormal.sigma * latent)
    values = from_natural(natural, plan)
    return Column(kind, plan.scale, ones(n), values=values, latent=latent)


def from_natural(natural: Array, plan: FieldPlan) -> npt.NDArray[np.int64]:
    scaled = natural * 10**plan.scale if plan.scale else natural
    out: npt.NDArray[np.int64] = np.rint(np.clip(scaled, -INT64_SAFE, INT64_SAFE)).astype(np.int64)
    return out


def _generic_lognormal(plan: FieldPlan) -> Lognormal | None:
    """The generic draw of a number without bounds narrow enough for a uniform draw."""
    low, high = plan.low, plan.high
    unit = 10**plan.scale
    if plan.kind in ("year", "ratio", "date"):
        return None
    if low is not None and high is not None and (high - low) / unit <= 100:
        return None
    median = {"money": Decimal(1_000_000), "decimal": Decimal(1000)}.get(plan.kind, Decimal(20))
    return Lognormal(median=median, sigma=1.8 if plan.kind == "money" else 1.2)


def _generic_range(plan: FieldPlan) -> tuple[int, int]:
    if plan.kind == "year":
        low, high = _YEARS
    elif plan.kind == "date":
        low, high = ((d - EPOCH).days for d in _DATES)
    elif plan.low is not None and plan.high is not None:
        low, high = plan.low, plan.high
    else:
        low, high = 0, 10**plan.scale
    low = max(low, plan.low) if plan.low is not None else low
    high = min(high, plan.high) if plan.high is not None else high
    if low > high:
        low, high = plan.low or high, plan.high or low
    return low, max(low, high)


def draw_like(plan: FieldPlan, scope: Scope, rng: np.random.Generator) -> Column:
    gen, n = plan.gen, scope.n
    assert gen.like is not None
    other = scope.cols[gen.like]
    if plan.kind in STRINGS or plan.kind == "bool":
        return Column(
            plan.kind,
            0,
            ones(n),
            values=other.values,
            idx=other.idx,
            cats=other.cats,
            strings=other.strings,
        )
    natural = other.natural()
    if gen.factor is not None:
        natural = natural * rng.uniform(gen.factor[0], gen.factor[1], size=n)
    if gen.shift is not None:
        natural = natural + rng.integers(gen.shift[0], gen.shift[1] + 1, size=n)
    return Column(plan.kind, plan.scale, ones(n), values=from_natural(natural, plan))
