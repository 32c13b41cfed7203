"""Texts drawn from a format such as ``朔州市{row:07d}有限公司``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

from subsidy_engine.synthetic.columns import Scope
from subsidy_engine.synthetic.config import FORMAT_FIELD
from subsidy_engine.synthetic.plan import FieldPlan


def formatted(plan: FieldPlan, scope: Scope) -> Any:
    """Texts from a format such as ``朔州市{row:07d}有限公司`` (default ``name-{row}``)."""
    template = plan.gen.format
    if template is None:
        template = f"{plan.name}-{{row}}" + ("-{item}" if scope.items is not None else "")
    parts: list[Any] = []
    position = 0
    for match in FORMAT_FIELD.finditer(template):
        if match.start() > position:
            parts.append(template[position : match.start()])
        numbers = scope.rows if match.group(1) == "row" else scope.items
        if numbers is None:
            numbers = np.zeros(scope.n, dtype=np.int64)
        text = pc.cast(pa.array(numbers), pa.string())
        if match.group(2):
            text = pc.utf8_lpad(text, width=int(match.group(2)), padding="0")
        parts.append(text)
        position = match.end()
    if position < len(template):
        parts.append(template[position:])
    if not any(isinstance(p, pa.Array) for p in parts):
        return pa.array([template] * scope.n, pa.string())
    return pc.binary_join_element_wise(*parts, "")
