"""Drawing list fields: item counts, item fields, and repairs so every item passes its checks."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.backends.python.compiler import Fn, Frame, is_unknown
from subsidy_engine.lang import ast
from subsidy_engine.lang.operators import COMPARE, ORDERINGS
from subsidy_engine.synthetic.arrow import to_arrow
from subsidy_engine.synthetic.columns import Array, Bools, Column, Scope, ones, pick, rows_meeting
from subsidy_engine.synthetic.draw import draw
from subsidy_engine.synthetic.kinds import internal
from subsidy_engine.synthetic.plan import FieldPlan, ListPlan

_DEFAULT_COUNT = {0: 0.5, 1: 0.3, 2: 0.15, 3: 0.05}


def draw_list(plan: ListPlan, scope: Scope) -> Any:
    rng = scope.rng(plan.rng_key)
    gen, n = plan.gen, scope.n
    count = gen.count or _DEFAULT_COUNT
    sizes = np.array(list(count), dtype=np.int64)
    counts = sizes[pick(np.array([count[s] for s in count], dtype=np.float64), rng.random(n))]
    valid = ones(n)
    if plan.missing and not scope.complete:
        valid &= rng.random(n) >= plan.missing
    if gen.only_if is not None:
        holds = rows_meeting(gen.only_if, scope)
        counts = np.where(holds, counts, 0)
        if gen.otherwise is None and not scope.complete:
            valid &= holds
    counts = np.where(valid, counts, 0)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    items = np.arange(total, dtype=np.int64) - np.repeat(offsets[:-1], counts)
    inner = Scope(
        total, np.repeat(scope.rows, counts), items, scope.seed, scope.block, scope.complete
    )
    value_type = plan.arrow_type.value_type
    if plan.records:
        for field_plan in plan.fields:
            inner.cols[field_plan.name] = draw(field_plan, inner)
        for check, compiled in plan.checks:
            _repair(check, compiled, inner)
        arrays = [to_arrow(inner.cols[f.name]) for f in plan.fields]
        names = [f.name for f in plan.fields]
        order = [value_type.field(i).name for i in range(value_type.num_fields)]
        by_name = dict(zip(names, arrays, strict=True))
        values = pa.StructArray.from_arrays([by_name[o] for o in order], names=order)
    else:
        item = draw(plan.fields[0], inner)
        item.valid = ones(total)  # a list of plain values holds no nulls
        if gen.consecutive and item.values is not None and total:
            item.values = _consecutive(item.values, offsets, counts, items, plan.fields[0])
        values = to_arrow(item)
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32)), values, type=plan.arrow_type, mask=pa.array(~valid)
    )


def _consecutive(
    values: Array, offsets: Array, counts: Array, items: Array, plan: FieldPlan
) -> Array:
    """Each list's first value, then the next ones, kept within the item's upper bound."""
    starts = values[np.minimum(offsets[:-1], len(values) - 1)]
    high = plan.high
    upper = plan.gen.uniform[1] if plan.gen.uniform is not None else None
    if upper is not None:
        high = internal(plan.kind, plan.scale, upper)
    if high is not None:
        starts = np.minimum(starts, high - counts + 1)
    if plan.low is not None:
        starts = np.maximum(starts, plan.low)
    return np.repeat(starts, counts) + items


def _repair(check: ast.Node, compiled: Fn, scope: Scope) -> None:
    """Make every item meet a check: swap the two values of a broken ``a >= b`` (the common
    shape), else blank the fields the check reads where it fails (a blank check passes)."""
    if (
        isinstance(check, ast.Compare)
        and len(check.ops) == 1
        and check.ops[0] in ORDERINGS
        and all(isinstance(o, ast.FieldRef) for o in check.operands)
    ):
        left, right = (scope.cols[o.name] for o in check.operands)  # type: ignore[attr-defined]
        if left.values is not None and right.values is not None and left.kind == right.kind:
            both = left.valid & right.valid
            op = check.ops[0]
            a, b = left.values, right.values
            broken = both & ~_compare(op, a, b)
            left.values, right.values = np.where(broken, b, a), np.where(broken, a, b)
            still = both & ~_compare(op, left.values, right.values)  # equal under < or >
            right.valid = right.valid & ~still
            return
    _blank_failures(check, compiled, scope)


def _compare(op: str, a: Array, b: Array) -> Bools:
    return np.asarray(COMPARE[op](a, b))


def _blank_failures(check: ast.Node, compiled: Fn, scope: Scope) -> None:
    names = sorted({n.name for n in check.walk() if isinstance(n, ast.FieldRef)})
    columns = {name: _python_values(scope.cols[name]) for name in names}
    for row in range(scope.n):
        item = {name: columns[name][row] for name in names}
        value = compiled(Frame(item, {}, date.min))
        if not is_unknown(value) and value is False:
            for name in names:
                scope.cols[name].valid[row] = False


def _python_values(col: Column) -> list[Any]:
    arrow = to_arrow(col)
    return list(arrow.to_pylist())
