"""Plans: each field of the profile resolved to what is drawn, and in which order."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.backends.python.compiler import Fn, ScalarCompiler
from subsidy_engine.errors import Diagnostic, RulebookError
from subsidy_engine.lang import ast
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec, ScalarKind
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.synthetic.arrow import arrow_list_type, arrow_schema
from subsidy_engine.synthetic.config import FieldGen, ListGen, SyntheticConfig
from subsidy_engine.synthetic.kinds import (
    EPOCH,
    INT64_SAFE,
    NUMERIC,
    declared_bounds,
    internal,
    scale_of,
)
from subsidy_engine.synthetic.order import dependency_order, depends_on

_DATE_LIMITS = ((date.min - EPOCH).days, (date.max - EPOCH).days)


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str
    rng_key: str
    kind: ScalarKind
    scale: int
    low: int | None
    """Lowest internal value (units of 10**-scale, days for dates), inclusive."""
    high: int | None
    values: tuple[str, ...]
    gen: FieldGen
    missing: float
    key: bool = False


@dataclass(frozen=True, slots=True)
class ListPlan:
    name: str
    rng_key: str
    gen: ListGen
    missing: float
    fields: tuple[FieldPlan, ...]
    """Item fields in drawing order (lists of records), or the one item plan (plain lists)."""
    records: bool
    checks: tuple[tuple[ast.Node, Fn], ...]
    """The list's item checks, with their compiled (scalar) form."""
    arrow_type: Any


@dataclass(frozen=True, slots=True)
class Plan:
    fields: tuple[FieldPlan, ...]
    lists: tuple[ListPlan, ...]
    columns: tuple[str, ...]
    schema: Any


def _field_plan(
    name: str,
    rng_key: str,
    kind: ScalarKind,
    spec: ScalarFieldSpec | None,
    gen: FieldGen,
    missing: float,
    key: bool = False,
) -> FieldPlan:
    scale = scale_of(kind, spec)
    low: int | None = None
    high: int | None = None
    if kind in NUMERIC:
        declared = declared_bounds(kind, spec)
        limit = INT64_SAFE // 10**scale
        lows = [v for v in (declared[0], gen.min) if v is not None]
        highs = [v for v in (declared[1], gen.max) if v is not None]
        low_value = max((Decimal(v) for v in lows), default=Decimal(-limit))  # type: ignore[arg-type]
        high_value = min((Decimal(v) for v in highs), default=Decimal(limit))  # type: ignore[arg-type]
        low = math.ceil(max(low_value, Decimal(-limit)) * 10**scale)
        high = math.floor(min(high_value, Decimal(limit)) * 10**scale)
    elif kind == "date":
        low = _DATE_LIMITS[0] if not isinstance(gen.min, date) else internal(kind, 0, gen.min)
        high = _DATE_LIMITS[1] if not isinstance(gen.max, date) else internal(kind, 0, gen.max)
    values = tuple(spec.values) if spec is not None and spec.values else ()
    own = gen.missing if gen.missing is not None else missing
    return FieldPlan(name, rng_key, kind, scale, low, high, values, gen, 0.0 if key else own, key)


def _scope_plans(
    prefix: str,
    specs: Mapping[str, ScalarFieldSpec],
    gens: Mapping[str, FieldGen],
    missing: float,
    key: str | None = None,
) -> tuple[FieldPlan, ...]:
    plans = {
        name: _field_plan(
            name,
            f"{prefix}.{name}",
            spec.type,
            spec,
            gens.get(name, FieldGen()),
            missing,
            key=name == key,
        )
        for name, spec in specs.items()
    }
    order = dependency_order({n: depends_on(p.gen) for n, p in plans.items()})
    return tuple(plans[n] for n in order)


def make_plan(rulebook: Rulebook, config: SyntheticConfig) -> Plan:
    profile = rulebook.profile.spec
    scalars = {n: s for n, s in profile.fields.items() if isinstance(s, ScalarFieldSpec)}
    if profile.key is not None and scalars[profile.key].type not in ("int", "text", "credit_code"):
        raise RulebookError(
            [
                Diagnostic(
                    "bad-synthetic", f"cannot draw unique keys of type {scalars[profile.key].type}"
                )
            ]
        )
    fields = _scope_plans("fields", scalars, config.fields, config.missing, profile.key)
    compiler = ScalarCompiler({}, rulebook.calendar)
    checks: dict[str, list[tuple[ast.Node, Fn]]] = {}
    for check in rulebook.item_checks:
        checks.setdefault(check.list_field, []).append((check.node, compiler.compile(check.node)))
    lists = []
    for name, spec in profile.fields.items():
        if not isinstance(spec, ListFieldSpec):
            continue
        gen = config.lists.get(name, ListGen())
        own = gen.missing if gen.missing is not None else config.missing
        prefix = f"lists.{name}"
        if spec.fields is not None:
            items = _scope_plans(f"{prefix}.fields", spec.fields, gen.fields, config.missing)
            records = True
        else:
            assert spec.item is not None
            items = (
                _field_plan("item", f"{prefix}.item", spec.item, None, gen.item or FieldGen(), 0.0),
            )
            records = False
        lists.append(
            ListPlan(
                name,
                prefix,
                gen,
                own,
                items,
                records,
                tuple(checks.get(name, [])),
                arrow_list_type(spec),
            )
        )
    schema = arrow_schema(rulebook)
    return Plan(fields, tuple(lists), tuple(profile.fields), schema)
