"""Hypothesis strategies for a rulebook's profiles, for property tests of rules and backends.

`profiles(rulebook)` draws plain-dict profiles: any field may be missing; numbers lean towards
the thresholds the rulebook's expressions and parameters mention (each exactly, one step below
and one step above at the field's precision), since that is where rules go wrong. Needs the
`hypothesis` package (a test dependency).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from subsidy_engine.domains import FieldDomain, field_domain
from subsidy_engine.identifiers import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
    industry_code_problem,
    industry_codes,
    organisation_code_check_character,
)
from subsidy_engine.lang import ast
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec, ScalarKind
from subsidy_engine.rulebook.rulebook import Rulebook

_DATES = (date(2015, 1, 1), date(2028, 12, 31))
_TYPICAL_AMOUNT = Decimal(10) ** 10


def profiles(rulebook: Rulebook, *, max_items: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """Profiles for `rulebook` as plain dicts (missing fields are left out)."""
    hints = _thresholds(rulebook)
    prefixes = _texts(rulebook)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, spec in rulebook.profile.spec.fields.items():
        if isinstance(spec, ScalarFieldSpec):
            fields[name] = _value(spec.type, spec, hints, prefixes)
        else:
            fields[name] = _list(spec, hints, prefixes, max_items)
    return st.fixed_dictionaries({}, optional=fields)


def _list(
    spec: ListFieldSpec, hints: list[Decimal], prefixes: list[str], max_items: int
) -> st.SearchStrategy[list[Any]]:
    if spec.fields is not None:
        item = st.fixed_dictionaries(
            {}, optional={n: _value(f.type, f, hints, prefixes) for n, f in spec.fields.items()}
        )
        return st.lists(item, max_size=max_items)
    assert spec.item is not None
    return st.lists(_value(spec.item, None, hints, prefixes), max_size=max_items * 2)


def _value(
    kind: ScalarKind, spec: ScalarFieldSpec | None, hints: list[Decimal], prefixes: list[str]
) -> st.SearchStrategy[Any]:
    domain = field_domain(kind, spec)
    low, high = domain.lower, domain.upper
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        lo, hi = (math.ceil(b) for b in _typical(domain, spec, Decimal(0), Decimal(10**7)))
        near = [int(h) + d for h in hints for d in (-1, 0, 1) if h == int(h)]
        return _near(st.integers(lo, hi), [n for n in near if lo <= n <= hi])
    if kind == "year":
        assert low is not None and high is not None
        lo, hi = math.ceil(low), math.floor(high)
        # recent years where the domain allows them, since rules speak of those
        recent = (max(lo, 2010), min(hi, 2030))
        return st.integers(*recent) if recent[0] <= recent[1] else st.integers(lo, hi)
    if kind in ("money", "decimal", "ratio"):
        return _decimal(domain, _typical(domain, spec, Decimal(0), _TYPICAL_AMOUNT), hints)
    if kind == "date":
        return st.dates(*_DATES)
    if kind == "enum":
        assert spec is not None and spec.values is not None
        return st.sampled_from(spec.values)
    if kind == "credit_code":
        return st.builds(
            _credit_code,
            st.text(CREDIT_CODE_ALPHABET, min_size=2, max_size=2),
            st.text("0123456789", min_size=6, max_size=6),
            st.text(CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
        )
    if kind == "industry_code":
        codes = industry_codes()
        related = [c for c in codes if c.startswith(tuple(prefixes))] if prefixes else []
        # and codes coarser than those the rules name, which may or may not fall under them
        related += [c for c in codes if len(c) < 5 and any(p.startswith(c) for p in prefixes)]
        return _near(st.sampled_from(codes), related)
    return st.text(min_size=1, max_size=12).map(str.strip).filter(bool)


def _typical(
    domain: FieldDomain, spec: ScalarFieldSpec | None, low: Decimal, high: Decimal
) -> tuple[Decimal, Decimal]:
    """The range values are drawn from: the declared bounds, or else `low`..`high` within the
    domain (the domain of a plain int reaches 10^18, which registries do not hold)."""
    assert domain.lower is not None and domain.upper is not None
    lower = domain.lower if spec is not None and spec.min is not None else max(low, domain.lower)
    upper = domain.upper if spec is not None and spec.max is not None else min(high, domain.upper)
    return lower, upper


def _decimal(
    domain: FieldDomain, bounds: tuple[Decimal, Decimal], hints: list[Decimal]
) -> st.SearchStrategy[Decimal]:
    step = Decimal(1).scaleb(-domain.scale)
    low, high = bounds
    near = [(h + d * step).quantize(step) for h in hints for d in (-1, 0, 1)]
    base = st.decimals(low, high, places=domain.scale, allow_nan=False, allow_infinity=False)
    return _near(base, [n for n in near if low <= n <= high])


def _near(base: st.SearchStrategy[Any], near: Sequence[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(sorted(set(near))), base) if near else base


def _credit_code(authority: str, division: str, organisation: str) -> str:
    """A valid unified social credit code: both check characters computed."""
    body = authority + division + organisation + organisation_code_check_character(organisation)
    return body + credit_code_check_character(body)


def _thresholds(rulebook: Rulebook) -> list[Decimal]:
    """Every number the rulebook compares against: literals and parameter values."""
    numbers: set[Decimal] = set()
    nodes: list[ast.Node] = [fact.node for fact in rulebook.derived.values()]
    for rule in rulebook.rules:
        nodes += [c.node for c in rule.conditions]
    for node in nodes:
        for sub in node.walk():
            value = sub.value if isinstance(sub, ast.Literal) else None
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                numbers.add(Decimal(value))
    for parameter in rulebook.parameters.values():
        for _, value in parameter.values:
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                numbers.add(Decimal(value))
    return sorted(numbers)


def _texts(rulebook: Rulebook) -> list[str]:
    """Texts the rulebook compares against that are industry codes (prefixes to lean on)."""
    texts: set[str] = set()
    for fact in rulebook.derived.values():
        texts |= {
            n.value
            for n in fact.node.walk()
            if isinstance(n, ast.Literal) and isinstance(n.value, str)
        }
    for parameter in rulebook.parameters.values():
        for _, value in parameter.values:
            items = value if isinstance(value, list) else [value]
            texts |= {v for v in items if isinstance(v, str)}
    return sorted(t for t in texts if t and industry_code_problem(t) is None)
