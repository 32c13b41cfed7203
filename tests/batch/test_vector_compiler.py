"""The vectorised compiler: a visitor for every node kind and function, and the scalar backend's
answer for single expressions on extreme values (dates at the ends of the calendar and of
Python's dates, ties in rounding and division, empty lists, zero divisors, unknown inputs)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_engine.backends.polars.compiler import VectorCompiler
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.backends.polars.missing import Leaves, dynamic_names
from subsidy_engine.backends.python.compiler import Frame, ScalarCompiler, Unknown
from subsidy_engine.errors import Span, SubsidyEngineError, UnsupportedNodeError
from subsidy_engine.lang import ast
from subsidy_engine.lang.checker import Scope, check
from subsidy_engine.lang.functions import FUNCTIONS
from subsidy_engine.lang.parser import parse
from subsidy_engine.lang.types import BOOL, DATE, INT, STR, Dec, List, Table, Type
from subsidy_engine.workdays import WorkingDayCalendar

CALENDAR = WorkingDayCalendar.bundled("cn")
AS_OF = date(2020, 2, 29)
FIELDS: dict[str, Type] = {
    "d": DATE,
    "e": DATE,
    "n": INT,
    "m": INT,
    "x": Dec(3),
    "y": Dec(2),
    "b": BOOL,
    "c": BOOL,
    "t": STR,
    "ys": List(INT),
    "ts": List(STR),
    "xs": List(Dec(2)),
}
PARAMS: dict[str, tuple[Type, Any]] = {
    "tbl": (Table(INT, Dec(1)), {1: Decimal("840.5"), 2: Decimal(720)}),
    "names": (Table(STR, INT), {"a": 1}),
    "unset": (Dec(2), None),
    "prefixes": (List(STR), ["C30", "A"]),
    "no_prefixes": (List(STR), []),
    "years": (List(INT), [2016, 2017, 2019]),
    "rate": (Dec(3), Decimal("0.125")),
}
SCOPE = Scope(fields=FIELDS, params={name: ty for name, (ty, _) in PARAMS.items()})


def _compile(text: str) -> ast.Node:
    return check(parse(text), SCOPE)


def test_every_node_kind_has_a_visitor_in_both_backends() -> None:
    vector = VectorCompiler(params={}, as_of=AS_OF, calendar=CALENDAR, leaves=Leaves())
    scalar = ScalarCompiler({}, CALENDAR)
    assert set(ast.RESOLVED_NODES) <= set(vector.visitors)
    assert set(ast.RESOLVED_NODES) <= set(scalar.visitors)


def test_every_function_has_an_implementation_in_both_backends() -> None:
    vector = VectorCompiler(params={}, as_of=AS_OF, calendar=CALENDAR, leaves=Leaves())
    scalar = ScalarCompiler({}, CALENDAR)
    assert set(FUNCTIONS) <= set(vector.functions)
    # `date('…')` never reaches a backend: the checker folds it into a literal.
    assert set(FUNCTIONS) - {"date"} <= set(scalar.functions)
    assert isinstance(_compile("date('2020-02-29')"), ast.Literal)


def test_an_unknown_node_kind_is_an_error_naming_it_and_the_backend() -> None:
    vector = VectorCompiler(params={}, as_of=AS_OF, calendar=CALENDAR, leaves=Leaves())
    with pytest.raises(UnsupportedNodeError, match="vectorised backend cannot compile Name"):
        vector.compile(ast.Name(span=Span("x", 1, 1), id="x"))
    call = ast.Call(span=Span("x", 1, 1), ty=INT, func="nope", args=())
    with pytest.raises(UnsupportedNodeError, match="vectorised backend has no function nope"):
        vector.compile(call)
    scalar = ScalarCompiler({}, CALENDAR)
    name = ast.Name(span=Span("x", 1, 1), id="x")
    with pytest.raises(UnsupportedNodeError, match="scalar backend cannot compile Name") as caught:
        scalar.compile(name)
    assert (caught.value.node, caught.value.backend) == (name, "scalar")
    assert isinstance(caught.value, SubsidyEngineError)
    with pytest.raises(UnsupportedNodeError, match="scalar backend has no function nope"):
        scalar.compile(call)


def _scalar(node: ast.Node, row: Mapping[str, Any]) -> Any:
    params = {name: value for name, (_, value) in PARAMS.items()}
    params = {k: Unknown(params=frozenset({k})) if v is None else v for k, v in params.items()}
    fn = ScalarCompiler({}, CALENDAR).compile(node)
    return fn(Frame({k: v for k, v in row.items() if v is not None}, params, AS_OF))


def _vector(node: ast.Node, rows: list[dict[str, Any]]) -> list[Any]:
    leaves = Leaves()
    params = {name: value for name, (_, value) in PARAMS.items()}
    vec = VectorCompiler(params=params, as_of=AS_OF, calendar=CALENDAR, leaves=leaves).compile(node)
    facts = dynamic_names(vec.missing, leaves, fact=True)
    named = dynamic_names(vec.missing, leaves, fact=False)
    words = [e.alias(f"w{w}") for w, e in vec.missing.words.items()]
    frame = pl.DataFrame(rows, schema={k: dtype_of(t) for k, t in FIELDS.items()})
    out = frame.select(
        vec.value.alias("value"),
        *words,
        (facts if facts is not None else pl.lit([], dtype=pl.List(pl.String))).alias("f"),
        (named if named is not None else pl.lit([], dtype=pl.List(pl.String))).alias("p"),
    )
    answers = []
    for record in out.iter_rows(named=True):
        if record["value"] is not None:
            answers.append(record["value"])
            continue
        mask = [record.get(f"w{w}", 0) or 0 for w in range(leaves.words)]
        fixed_facts, fixed_params, faults = leaves.decode(mask)
        answers.append(
            Unknown(
                frozenset(fixed_facts) | frozenset(record["f"]),
                frozenset(fixed_params) | frozenset(record["p"]),
                faults=frozenset(faults),
            )
        )
    return answers


def _same(scalar: Any, vector: Any) -> bool:
    if isinstance(scalar, Unknown) or isinstance(vector, Unknown):
        return scalar == vector
    if isinstance(scalar, list):
        return list(vector) == scalar
    return (bool(scalar == vector) and type(scalar) is not bool) or scalar is vector


EXPRESSIONS = [
    "add_years(d, n)",
    "add_months(d, n)",
    "add_days(d, n)",
    "add_working_days(d, n)",
    "years_between(d, e)",
    "months_between(d, e)",
    "days_between(d, e)",
    "year(d) + n",
    "x / y",
    "y / n",
    "n / m",
    "x * y - rate",
    "round(x, 2)",
    "round(x, 0)",
    "round(y / 3, 1)",
    "round(n, 2)",
    "-x + abs(y)",
    "min(xs)",
    "max(ys)",
    "min(x, y, n)",
    "max(d, e)",
    "sum(xs) + len(ts)",
    "consecutive_years(ys, n)",
    "consecutive_years(years, n)",
    "starts_with(t, ts)",
    "starts_with(t, prefixes) or starts_with(t, no_prefixes)",
    "starts_with(t, 'A')",
    "n in ys",
    "t not in ts",
    "x in {1, 2.5, -1.25}",
    "t in {'a', 'b'}",
    "b and c or not b",
    "b or (n > 3 and c)",
    "0 < n <= m < 10",
    "d < e <= as_of",
    "tbl[n] * 2",
    "names[t] + n",
    "tbl[n] if b else unset",
    "known(n / m) and known(unset)",
    "(x if b else n) + (ys[0] if c else 1)" if False else "(x if b else n) + 1",
    "unset * 0 + n",
]

_DATES = st.one_of(
    st.sampled_from(
        [
            date(1, 1, 1),
            date(1, 3, 31),
            date(9999, 12, 31),
            date(9999, 1, 31),
            date(2016, 2, 29),
            date(2020, 2, 29),
            date(2017, 12, 29),
            date(2018, 1, 1),
            date(2026, 12, 30),
            date(2026, 12, 31),
            date(2019, 9, 30),
        ]
    ),
    st.dates(date(2015, 1, 1), date(2028, 12, 31)),
    st.dates(),
)
_INTS = st.one_of(
    st.sampled_from([0, 1, -1, 2, 12, -12, 3, 2016, 2017, 2019, 10**6, -(10**6), 8000]),
    st.integers(-100, 100),
    st.integers(-(10**9), 10**9),
)
_X = st.one_of(
    st.sampled_from([Decimal("0.125"), Decimal("-0.125"), Decimal("0.005"), Decimal("-2.5")]),
    st.decimals(-(10**6), 10**6, places=3, allow_nan=False, allow_infinity=False),
)
_Y = st.one_of(
    st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("-0.08"), Decimal("8.00")]),
    st.decimals(-(10**6), 10**6, places=2, allow_nan=False, allow_infinity=False),
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


ROWS = st.fixed_dictionaries(
    {
        "d": _maybe(_DATES),
        "e": _maybe(_DATES),
        "n": _maybe(_INTS),
        "m": _maybe(_INTS),
        "x": _maybe(_X),
        "y": _maybe(_Y),
        "b": _maybe(st.booleans()),
        "c": _maybe(st.booleans()),
        "t": _maybe(st.sampled_from(["", "a", "b", "C3071", "A01", "x.y", "C3"])),
        "ys": _maybe(st.lists(st.integers(2014, 2022), max_size=6)),
        "ts": _maybe(st.lists(st.sampled_from(["", "a", "C30", "x.", "A0"]), max_size=3)),
        "xs": _maybe(st.lists(_Y, max_size=4)),
    }
)


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_expression_matches_the_scalar_backend(text: str) -> None:
    node = _compile(text)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(ROWS, min_size=1, max_size=20))
    def run(rows: list[dict[str, Any]]) -> None:
        vector = _vector(node, rows)
        for row, got in zip(rows, vector, strict=True):
            want = _scalar(node, row)
            assert _same(want, got), (text, row, want, got)

    run()
