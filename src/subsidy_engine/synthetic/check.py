"""Checking that a configuration fits the rulebook's profile, each problem at its key."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.errors import Diagnostic, RulebookError, did_you_mean
from subsidy_engine.identifiers import CREDIT_CODE_ALPHABET, industry_code_problem
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec, ScalarKind
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.yaml_source import YamlDocument
from subsidy_engine.synthetic.config import (
    DISTRIBUTIONS,
    FORMAT_FIELD,
    Condition,
    FieldGen,
    ListGen,
    Range,
    SyntheticConfig,
)
from subsidy_engine.synthetic.kinds import (
    NUMERIC,
    ORDERED,
    REST_KINDS,
    STRINGS,
    declared_bounds,
    parse_amount,
)
from subsidy_engine.synthetic.order import dependency_order, depends_on

PathItem = Any
"""A key or index in a YAML path (keys may be numbers, dates, booleans)."""


@dataclass(frozen=True, slots=True)
class _Target:
    """A field a configuration entry describes: its kind, declaration and entry."""

    kind: ScalarKind
    spec: ScalarFieldSpec | None
    gen: FieldGen


class Checker:
    """Checks that a configuration fits the profile; every problem names its key."""

    def __init__(self, rulebook: Rulebook, document: YamlDocument | None) -> None:
        self.profile = rulebook.profile.spec
        self.document = document
        self.problems: list[Diagnostic] = []

    def report(self, path: Sequence[PathItem], message: str, hint: str | None = None) -> None:
        if self.document is not None:
            self.problems.append(
                self.document.diagnostic("bad-synthetic", message, path, hint=hint)
            )
        else:
            where = ".".join(str(p) for p in path)
            self.problems.append(Diagnostic("bad-synthetic", message, yaml_path=where, hint=hint))

    def check(self, config: SyntheticConfig) -> None:
        fields = self.profile.fields
        scalars = {n: s for n, s in fields.items() if isinstance(s, ScalarFieldSpec)}
        top = {n: _Target(s.type, s, config.fields.get(n, FieldGen())) for n, s in scalars.items()}
        for name in config.fields:
            spec = fields.get(name)
            if isinstance(spec, ListFieldSpec):
                self.report(["fields", name], f"'{name}' is a list: describe it under 'lists'")
            elif spec is None:
                self.unknown(["fields", name], name, scalars)
            else:
                self.entry(["fields", name], name, top, key=name == self.profile.key)
        self.order(["fields"], top)
        for name, list_gen in config.lists.items():
            spec = fields.get(name)
            if not isinstance(spec, ListFieldSpec):
                lists = [n for n, s in fields.items() if isinstance(s, ListFieldSpec)]
                self.unknown(["lists", name], name, lists, what="list field")
                continue
            self.list_entry(["lists", name], spec, list_gen, top)
        if self.problems:
            raise RulebookError(self.problems)

    def unknown(
        self, path: list[PathItem], name: str, known: Mapping[str, Any] | list[str], what: str = ""
    ) -> None:
        guess = did_you_mean(name, list(known))
        hint = f"did you mean '{guess}'?" if guess else None
        self.report(path, f"unknown {what or 'field'} '{name}'", hint)

    def list_entry(
        self, path: list[PathItem], spec: ListFieldSpec, gen: ListGen, top: Mapping[str, _Target]
    ) -> None:
        if gen.only_if is not None:
            self.condition([*path, "only_if"], gen.only_if, top)
        if gen.otherwise not in (None, []):
            self.report([*path, "otherwise"], "a list's 'otherwise' can only be [] (empty)")
        if spec.fields is not None:
            if gen.item is not None or gen.consecutive:
                self.report(path, "a list of records takes 'fields', not 'item' or 'consecutive'")
            items = {
                n: _Target(s.type, s, gen.fields.get(n, FieldGen())) for n, s in spec.fields.items()
            }
            for name in gen.fields:
                if name not in spec.fields:
                    self.unknown([*path, "fields", name], name, spec.fields, "item field")
                else:
                    self.entry([*path, "fields", name], name, items)
            self.order([*path, "fields"], items)
            return
        assert spec.item is not None
        if gen.fields:
            self.report([*path, "fields"], "a list of plain values takes 'item', not 'fields'")
        if gen.consecutive and spec.item not in ("int", "year"):
            self.report([*path, "consecutive"], "only a list of integers or years is consecutive")
        item = {"item": _Target(spec.item, None, gen.item or FieldGen())}
        if gen.item is not None:
            self.entry([*path, "item"], "item", item)

    def entry(
        self, path: list[PathItem], name: str, scope: Mapping[str, _Target], key: bool = False
    ) -> None:
        target = scope[name]
        kind, spec, gen = target.kind, target.spec, target.gen
        chosen = [k for k in DISTRIBUTIONS if getattr(gen, k) is not None]
        if len(chosen) > 1:
            self.report(path, f"choose one distribution, not {' and '.join(chosen)}")
            return
        dist = chosen[0] if chosen else None
        if key and dist is not None and not (kind == "text" and dist == "format"):
            self.report(path, f"'{name}' is the profile's key: it is drawn unique, leave it out")
        allowed = _ALLOWED.get(dist or "", ORDERED + STRINGS + ("bool",))
        if kind not in allowed:
            self.report([*path, dist or ""], f"'{dist}' does not fit a field of type {kind}")
            return
        self.distribution(path, name, target, scope)
        self.modifiers(path, name, target, dist, scope)
        for bound in ("min", "max", "otherwise", "constant"):
            value = getattr(gen, bound)
            if value is not None:
                problem = _value_problem(kind, spec, value, bound in ("min", "max"))
                if problem:
                    self.report([*path, bound], problem)

    def distribution(
        self, path: list[PathItem], name: str, target: _Target, scope: Mapping[str, _Target]
    ) -> None:
        kind, spec, gen = target.kind, target.spec, target.gen
        if gen.weights is not None:
            for value in gen.weights:
                problem = _value_problem(kind, spec, value)
                if problem:
                    self.report([*path, "weights", value], problem)
            if sum(gen.weights.values()) + (gen.rest or 0) <= 0:
                self.report([*path, "weights"], "the weights add up to zero")
        if gen.rest is not None and (gen.weights is None or kind not in REST_KINDS):
            self.report([*path, "rest"], "'rest' needs 'weights' on an enum, bool or code field")
        if gen.uniform is not None:
            low, high = gen.uniform
            for index, edge in enumerate(gen.uniform):
                problem = _value_problem(kind, spec, edge, bound=True)
                if problem:
                    self.report([*path, "uniform", index], problem)
            if type(low) is type(high) and low > high:  # type: ignore[operator]
                self.report([*path, "uniform"], "the lower bound is above the upper bound")
        if gen.like is not None:
            other = scope.get(gen.like)
            if other is None or gen.like == name:
                self.unknown([*path, "like"], gen.like, [n for n in scope if n != name])
            elif _family(other.kind) != _family(kind):
                self.report([*path, "like"], f"'{gen.like}' ({other.kind}) is not like a {kind}")
        if gen.format is not None:
            rest = FORMAT_FIELD.sub("", gen.format)
            if "{" in rest or "}" in rest:
                self.report([*path, "format"], "a format may only hold {row}, {item}, {row:07d}")
        if gen.prefixes is not None:
            for prefix in gen.prefixes:
                if len(prefix) != 2 or any(ch not in CREDIT_CODE_ALPHABET for ch in prefix):
                    self.report([*path, "prefixes", prefix], "a prefix is 2 credit-code characters")
        if gen.divisions is not None:
            for code in gen.divisions:
                if not re.fullmatch(r"\d{6}", code):
                    self.report([*path, "divisions", code], "a division code has 6 digits")
        if gen.divisions_by is not None and gen.divisions_by.field not in scope:
            self.unknown([*path, "divisions_by", "field"], gen.divisions_by.field, scope)
        if (gen.prefixes or gen.divisions or gen.divisions_by) and kind != "credit_code":
            self.report(path, "'prefixes' and 'divisions' describe credit codes only")

    def modifiers(
        self,
        path: list[PathItem],
        name: str,
        target: _Target,
        dist: str | None,
        scope: Mapping[str, _Target],
    ) -> None:
        kind, gen = target.kind, target.gen
        if gen.given is not None or gen.factors is not None:
            if gen.weights is None or gen.given is None or gen.factors is None:
                self.report(path, "'given' and 'factors' go together, with 'weights'")
            elif gen.given not in scope or gen.given == name:
                self.unknown([*path, "given"], gen.given, scope)
            else:
                for value, factors in gen.factors.items():
                    given = scope[gen.given]
                    problem = _value_problem(given.kind, given.spec, value)
                    if problem:
                        self.report([*path, "factors", value], problem)
                    for option in factors:
                        if option not in gen.weights:
                            self.report([*path, "factors", value, option], "not among 'weights'")
        if gen.correlate is not None:
            other = scope.get(gen.correlate.with_)
            if dist != "lognormal":
                self.report([*path, "correlate"], "'correlate' needs 'lognormal'")
            elif other is None or other.gen.lognormal is None or gen.correlate.with_ == name:
                self.report([*path, "correlate", "with"], "name another field drawn lognormal")
        if gen.factor is not None and (dist != "like" or kind not in NUMERIC):
            self.report([*path, "factor"], "'factor' scales a number drawn 'like' another")
        if gen.shift is not None and (dist != "like" or kind not in ("int", "year", "date")):
            self.report([*path, "shift"], "'shift' moves a date or an integer drawn 'like' another")
        if gen.zero is not None and kind not in NUMERIC:
            self.report([*path, "zero"], "'zero' fits a number only")
        if gen.only_if is not None:
            self.condition([*path, "only_if"], gen.only_if, scope)

    def condition(
        self, path: list[PathItem], condition: Condition, scope: Mapping[str, _Target]
    ) -> None:
        if isinstance(condition, str):
            target = scope.get(condition)
            if target is None:
                self.unknown(path, condition, scope)
            elif target.kind != "bool":
                self.report(path, f"'{condition}' is not a true/false field")
            return
        for name, test in condition.items():
            target = scope.get(name)
            if target is None:
                self.unknown([*path, name], name, scope)
            elif isinstance(test, Range) and target.kind not in ORDERED:
                self.report([*path, name], f"'{name}' ({target.kind}) has no order")

    def order(self, path: list[PathItem], scope: Mapping[str, _Target]) -> None:
        try:
            dependency_order({n: depends_on(t.gen) for n, t in scope.items()})
        except ValueError as error:
            self.report(path, str(error))


_ALLOWED: dict[str, tuple[str, ...]] = {
    "weights": (*ORDERED, "bool", "enum", "text", "industry_code"),
    "p": ("bool",),
    "uniform": ORDERED,
    "lognormal": ("int", "decimal", "money", "ratio"),
    "constant": (*ORDERED, "bool", "enum", "text", "industry_code"),
    "format": ("text",),
}


def _family(kind: ScalarKind) -> str:
    return "number" if kind in NUMERIC else kind


def _value_problem(
    kind: ScalarKind, spec: ScalarFieldSpec | None, value: object, bound: bool = False
) -> str | None:
    """Why `value` cannot be a value (or, with `bound`, a bound) of a field; None if it can."""
    if kind == "bool":
        return None if isinstance(value, bool) else f"{value!r} is not true or false"
    if kind == "date":
        return None if isinstance(value, date) else f"{value!r} is not a date (YYYY-MM-DD)"
    if kind in NUMERIC:
        number = parse_amount(value)
        if not isinstance(number, Decimal) or isinstance(value, bool):
            return f"{value!r} is not a number"
        if kind in ("int", "year") and number != number.to_integral_value():
            return f"{value!r} is not a whole number"
        low, high = declared_bounds(kind, spec)
        if not bound and (
            (low is not None and number < low) or (high is not None and number > high)
        ):
            return f"{value!r} is outside the field's bounds [{low}, {high}]"
        return None
    if not isinstance(value, str):
        return f"{value!r} is not a text"
    if kind == "enum" and spec is not None and spec.values and value not in spec.values:
        guess = did_you_mean(value, spec.values)
        return f"{value!r} is not one of the field's values" + (
            f" (did you mean {guess!r}?)" if guess else ""
        )
    if kind == "industry_code":
        return industry_code_problem(value)
    return None
