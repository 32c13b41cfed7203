"""The type checker: name resolution, operand types, enum values, and its error messages."""

import pytest

from subsidy_engine.errors import ExpressionError
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.checker import Scope, check
from subsidy_engine.lang.parser import parse

PROJECT = t.Record("projects", (("grade", t.INT), ("area", t.Dec(2)), ("signed", t.DATE)))
SCOPE = Scope(
    fields={
        "revenue": t.Dec(2),
        "staff": t.INT,
        "county": t.Enum(("朔城区", "怀仁市")),
        "code": t.STR,
        "founded": t.DATE,
        "dishonest": t.BOOL,
        "years": t.List(t.INT),
        "projects": t.List(PROJECT),
    },
    derived={"is_small": t.BOOL},
    params={"price": t.Table(t.INT, t.Dec(0)), "ratio": t.Dec(1), "codes": t.List(t.STR)},
    items={"project": ("projects", PROJECT)},
)


def typed(text: str) -> ast.Node:
    return check(parse(text), SCOPE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("revenue >= 5000万", t.BOOL),
        ("revenue * ratio", t.Dec(3)),
        ("revenue + staff", t.Dec(2)),
        ("staff * 2", t.INT),
        ("staff / 3", t.Dec(12)),
        ("price[project.grade] * ratio * project.area", t.Dec(3)),
        ("round(revenue * ratio, 2)", t.Dec(2)),
        ("max(staff, 3)", t.INT),
        ("min(years)", t.INT),
        ("add_working_days(founded, 3)", t.DATE),
        ("years_between(founded, as_of)", t.INT),
        ("date('2019-04-30')", t.DATE),
        ("1 if is_small else 2.5", t.Dec(1)),
        ("county in {'朔城区'}", t.BOOL),
        ("2019 in years", t.BOOL),
        ("starts_with(code, codes)", t.BOOL),
        ("known(revenue)", t.BOOL),
        ("consecutive_years(years, min(years))", t.INT),
    ],
)
def test_types(text: str, expected: t.Type) -> None:
    assert typed(text).ty == expected


def test_names_resolve_to_their_kind() -> None:
    node = typed("is_small and revenue > price[project.grade] and founded < as_of")
    kinds = {type(n) for n in node.walk()}
    assert {ast.DerivedRef, ast.FieldRef, ast.Lookup, ast.ItemFieldRef, ast.AsOf} <= kinds
    assert not kinds & {ast.Name, ast.Attribute, ast.Subscript}
    assert all(n.ty is not None for n in node.walk())


def test_date_literal_is_folded() -> None:
    node = typed("date('2020-04-30')")
    assert isinstance(node, ast.Literal) and str(node.value) == "2020-04-30"


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("revenu >= 1", "unknown-name", "did you mean 'revenue'?"),
        ("county == '怀仁'", "unknown-enum-value", "did you mean '怀仁市'?"),
        ("county in {'朔城', '怀仁市'}", "unknown-enum-value", "'朔城'"),
        ("revenue >= 'a lot'", "type-mismatch", "cannot compare decimal(2) with str"),
        ("code < 'x'", "type-mismatch", "needs numbers or dates"),
        ("staff and dishonest", "type-mismatch", "a condition on each side of 'and'"),
        ("not staff", "type-mismatch", "a condition after 'not'"),
        ("revenue + dishonest", "type-mismatch", "a number on each side of '+'"),
        ("project", "type-mismatch", "name one of its fields"),
        ("project.grad", "unknown-name", "did you mean 'grade'?"),
        ("revenue.x", "unknown-name", "can only follow the item variable"),
        ("ratio[1]", "type-mismatch", "only a parameter table can be indexed"),
        ("price['a']", "type-mismatch", "indexed by int"),
        ("maxx(1, 2)", "unknown-function", "did you mean 'max'?"),
        ("add_working_days(staff, 3)", "bad-call", "needs a date and a whole number"),
        ("round(revenue, staff)", "bad-call", "literal number of places"),
        ("date('2019-02-30')", "bad-call", "is not a date"),
        ("{1, 2}", "syntax", "can only follow 'in'"),
        ("'a' in years", "type-mismatch", "cannot look for a str"),
        ("1 if revenue else 2", "type-mismatch", "a condition after 'if'"),
        ("founded if dishonest else 3", "type-mismatch", "the two branches differ"),
    ],
)
def test_errors(text: str, code: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        typed(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == code
    assert fragment in diagnostic.render()


def test_expected_type_is_enforced() -> None:
    with pytest.raises(ExpressionError, match="expected a condition"):
        check(parse("revenue * 2"), SCOPE, t.Bool)
