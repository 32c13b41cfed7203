"""Drawing one field of a block: the distribution, then zeros, bounds, conditions, gaps."""

from __future__ import annotations

import numpy as np

from subsidy_engine.synthetic.categorical import categorical
from subsidy_engine.synthetic.codes import credit_codes
from subsidy_engine.synthetic.columns import Column, Scope, ones, rows_meeting, set_where
from subsidy_engine.synthetic.kinds import ORDERED, REST_KINDS
from subsidy_engine.synthetic.numeric import draw_like, numeric
from subsidy_engine.synthetic.plan import FieldPlan
from subsidy_engine.synthetic.texts import formatted


def draw(plan: FieldPlan, scope: Scope) -> Column:
    rng = scope.rng(plan.rng_key)
    gen, n, kind = plan.gen, scope.n, plan.kind
    dist = gen.distribution()
    col: Column
    if plan.key:
        col = draw_key(plan, scope, rng)
    elif kind == "credit_code":
        col = credit_codes(plan, scope, rng)
    elif dist in ("weights", "constant") or (dist is None and kind in REST_KINDS):
        col = categorical(plan, scope, rng)
    elif dist == "p":
        col = Column(kind, 0, ones(n), values=rng.random(n) < (gen.p or 0.0))
    elif dist == "like":
        col = draw_like(plan, scope, rng)
    elif dist == "format" or kind == "text":
        col = Column(kind, 0, ones(n), strings=formatted(plan, scope))
    else:
        col = numeric(plan, scope, rng)
    _modify(plan, scope, col, rng)
    return col


def draw_key(plan: FieldPlan, scope: Scope, rng: np.random.Generator) -> Column:
    if plan.kind == "int":
        start = plan.low if plan.low is not None and plan.low > 0 else 0
        return Column("int", 0, ones(scope.n), values=scope.rows + start)
    if plan.kind == "text":
        return Column("text", 0, ones(scope.n), strings=formatted(plan, scope))
    return credit_codes(plan, scope, rng)


def _modify(plan: FieldPlan, scope: Scope, col: Column, rng: np.random.Generator) -> None:
    """Zeros, bounds, conditions and missing values, in that order."""
    gen, n = plan.gen, scope.n
    if col.values is not None and plan.kind in ORDERED:
        if gen.zero:
            col.values = np.where(rng.random(n) < gen.zero, 0, col.values)
        col.values = np.clip(col.values, plan.low, plan.high)
    if gen.only_if is not None:
        holds = rows_meeting(gen.only_if, scope)
        if gen.otherwise is not None:
            set_where(col, ~holds, gen.otherwise)
        elif not scope.complete:
            col.valid &= holds
    if plan.missing and not scope.complete:
        col.valid &= rng.random(n) >= plan.missing
