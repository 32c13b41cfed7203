"""Draws from a list of values: enumerations, booleans, industry codes, weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from subsidy_engine.identifiers import (
    industry_codes,
)
from subsidy_engine.synthetic.columns import Array, Column, Scope, equals, ones, pick
from subsidy_engine.synthetic.kinds import STRINGS, internal
from subsidy_engine.synthetic.plan import FieldPlan

_CLASS_CODES: tuple[str, ...] = ()


def _class_codes() -> tuple[str, ...]:
    global _CLASS_CODES  # noqa: PLW0603 - read once, on first use
    if not _CLASS_CODES:
        _CLASS_CODES = tuple(code for code in industry_codes() if len(code) == 5)
    return _CLASS_CODES


def _options(plan: FieldPlan) -> tuple[list[Any], Array]:
    """A categorical field's possible values and their probabilities."""
    gen, kind = plan.gen, plan.kind
    if gen.constant is not None:
        return [gen.constant], np.ones(1)
    everything: Sequence[Any] = ()
    if kind == "enum":
        everything = plan.values
    elif kind == "bool":
        everything = (True, False)
    elif kind == "industry_code":
        everything = _class_codes()
    if gen.weights is None:
        return list(everything), np.full(len(everything), 1.0 / len(everything))
    listed = list(gen.weights)
    weights = np.array([gen.weights[k] for k in listed], dtype=np.float64)
    rest = gen.rest or 0.0
    others = [v for v in everything if v not in gen.weights] if rest else []
    total = weights.sum()
    listed_share = (1.0 - rest) if others else 1.0
    probabilities = weights / total * listed_share if total > 0 else weights * 0
    if others:
        probabilities = np.concatenate([probabilities, np.full(len(others), rest / len(others))])
    return listed + others, probabilities


def categorical(plan: FieldPlan, scope: Scope, rng: np.random.Generator) -> Column:
    options, probabilities = _options(plan)
    gen, n = plan.gen, scope.n
    u = rng.random(n)
    idx = pick(probabilities, u)
    if gen.given is not None and gen.factors is not None:
        given = scope.cols[gen.given]
        for value, factors in gen.factors.items():
            rows = equals(given, value)
            adjusted = probabilities * np.array([factors.get(o, 1.0) for o in options])
            if rows.any() and adjusted.sum() > 0:
                idx[rows] = pick(adjusted, u[rows])
    return _categorical_col(plan, options, idx, n)


def _categorical_col(plan: FieldPlan, options: list[Any], idx: Array, n: int) -> Column:
    if plan.kind in STRINGS:
        return Column(plan.kind, 0, ones(n), idx=idx, cats=[str(o) for o in options])
    held = np.array([internal(plan.kind, plan.scale, o) for o in options])
    return Column(plan.kind, plan.scale, ones(n), values=held[idx])
