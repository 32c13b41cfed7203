"""The anchor workload's data and reference results (shared/bench/ANCHOR-WORKLOAD.md).

Profiles are generated column-wise with numpy, seed 42, exactly as the anchor benchmark does,
so figures here compare with its published table. `reference` is the hand-inlined Python loop
that defines the right answers.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

RULEBOOK = Path(__file__).parent / "anchor_rulebook"
INDUSTRIES = ["ceramics", "coal", "food", "equipment", "logistics"]
PRICE = [840, 720, 600, 480, 384, 336, 288, 252, 204, 168, 144, 120, 96, 84, 60]
FIELDS = [
    "eid",
    "industry",
    "annual_sales",
    "employees",
    "first_above_scale_year",
    "consecutive_above_scale_years",
    "fly_ash_ratio",
    "fly_ash_tons",
    "military_contract_amount",
    "unemployment_insurance_paid",
    "layoffs_rate",
    "land_grade",
    "land_area_m2",
]
Row = tuple[int, str, float]


def columns(n: int, seed: int = 42) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    c: dict[str, Any] = {"eid": np.arange(n, dtype=np.int64)}
    c["industry"] = np.array(INDUSTRIES, dtype=object)[rng.integers(0, 5, n)]
    c["annual_sales"] = rng.integers(0, 200_000_001, n)
    c["employees"] = rng.integers(0, 3001, n)
    c["first_above_scale_year"] = rng.integers(2010, 2024, n)
    c["fasy_null"] = rng.random(n) < 0.3
    c["consecutive_above_scale_years"] = rng.integers(0, 7, n)
    c["fly_ash_ratio"] = np.round(rng.random(n) * 0.5, 4)
    c["fly_ash_tons"] = rng.integers(0, 300_001, n)
    c["military_contract_amount"] = rng.integers(0, 30_000_001, n)
    c["unemployment_insurance_paid"] = rng.integers(0, 2_000_001, n)
    c["layoffs_rate"] = np.round(rng.random(n) * 0.1, 4)
    c["land_grade"] = rng.integers(1, 16, n)
    c["land_area_m2"] = np.round(rng.uniform(500, 100_000, n), 2)
    return c


def dicts(c: dict[str, Any]) -> list[dict[str, Any]]:
    cols = [c[f].tolist() for f in FIELDS]
    i = FIELDS.index("first_above_scale_year")
    cols[i] = [None if m else y for y, m in zip(cols[i], c["fasy_null"].tolist(), strict=True)]
    return [dict(zip(FIELDS, row, strict=True)) for row in zip(*cols, strict=True)]


def reference(profiles: list[dict[str, Any]]) -> list[Row]:
    """The plain-Python loop, hand-inlined: no trace, no citation, floats."""
    out: list[Row] = []
    ap = out.append
    for p in profiles:
        eid = p["eid"]
        ind = p["industry"]
        cer = ind == "ceramics"
        if cer and p["annual_sales"] >= 50_000_000:
            ap((eid, "R1", 0.0))
            if p["employees"] >= 500:
                ap((eid, "R2", 0.0))
        y = p["first_above_scale_year"]
        if y is not None and y >= 2018:
            k = p["consecutive_above_scale_years"]
            if k >= 2:
                ap((eid, "R3", 200000.0))
            if k >= 3:
                ap((eid, "R4", 60000.0))
        if cer and p["fly_ash_ratio"] >= 0.2 and p["fly_ash_tons"] >= 100_000:
            ap((eid, "R5", 0.0))
        if p["military_contract_amount"] >= 10_000_000:
            ap((eid, "R6", 0.0))
        if p["layoffs_rate"] <= 0.055:
            ap((eid, "R7", 0.5 * p["unemployment_insurance_paid"]))
        if cer or ind == "equipment":
            ap((eid, "R8", 0.7 * PRICE[p["land_grade"] - 1] * p["land_area_m2"]))
    return out


def canon(rows: list[tuple[Any, str, Any]]) -> set[tuple[int, str, Decimal]]:
    """Rows as a comparable set: amounts to the fen; rule ids `r.r1` and `R1` alike."""
    return {
        (int(eid), rule.split(".")[-1].upper(), round(Decimal(str(amount)), 2))
        for eid, rule, amount in rows
    }
