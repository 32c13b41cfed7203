"""The parser: every construct of the grammar, its spans, and its syntax errors."""

from decimal import Decimal

import pytest

from subsidy_engine.errors import ExpressionError, Span
from subsidy_engine.lang import ast
from subsidy_engine.lang.parser import parse
from subsidy_engine.lang.unparse import unparse


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("a >= 5000万", "a >= 50000000"),
        ("a >= 1.5亿", "a >= 150000000"),
        ("share >= 20%", "share >= 0.20"),
        ("1 <= x < 3", "1 <= x < 3"),
        ("a and b or c", "a and b or c"),
        ("a and (b or c)", "a and (b or c)"),
        ("not a and b", "not a and b"),
        ("not (a and b)", "not (a and b)"),
        ("a - (b - c)", "a - (b - c)"),
        ("a - b - c", "a - b - c"),
        ("a * (b + c)", "a * (b + c)"),
        ("-x + 3", "-x + 3"),
        ("-3", "-3"),
        ("x in {'a', 'b'}", "x in {'a', 'b'}"),
        ("x not in {1, 2}", "x not in {1, 2}"),
        ("p.grade", "p.grade"),
        ("price[p.grade] * 0.7", "price[p.grade] * 0.7"),
        ("add_working_days(d, 3)", "add_working_days(d, 3)"),
        ("1 if a else 2 if b else 3", "1 if a else 2 if b else 3"),
        ("a ≥ 1 and b ≤ 2 and c ≠ 3", "a >= 1 and b <= 2 and c != 3"),
        ("true or false", "true or false"),
        ('x == "双引号"', "x == '双引号'"),
    ],
)
def test_round_trips_through_unparse(text: str, printed: str) -> None:
    assert unparse(parse(text)) == printed
    assert unparse(parse(printed)) == printed


def test_money_literals_are_exact() -> None:
    node = parse("5000万")
    assert isinstance(node, ast.Literal) and node.value == 50_000_000
    percent = parse("20%")
    assert isinstance(percent, ast.Literal) and percent.value == Decimal("0.20")
    fraction = parse("0.05万")
    assert isinstance(fraction, ast.Literal) and fraction.value == 500


def test_chained_comparison_keeps_every_operator() -> None:
    node = parse("a <= x < b")
    assert isinstance(node, ast.Compare)
    assert node.ops == ("<=", "<")
    assert len(node.operands) == 3


def test_spans_point_at_the_text_placed_in_its_file() -> None:
    origin = Span("rules.yaml", 12, 18)
    node = parse("revenue >= 5000万", origin)
    assert isinstance(node, ast.Compare)
    right = node.operands[1]
    assert right.span == Span("rules.yaml", 12, 29, 12, 34)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("a >=", 5, "expected a value"),
        ("a b", 3, "unexpected 'b'"),
        ("", 1, "empty expression"),
        ("(a", 3, "expected ')'"),
        ("f(x", 4, "expected ',' or ')'"),
        ("a # b", 3, "unexpected character '#'"),
        ("x in {1} in y", 10, "unexpected 'in'"),
        ("a.3", 3, "expected a field name"),
        ("a.b(c)", 4, "only a function name can be called"),
        ("x if y", 7, "expected 'else'"),
    ],
)
def test_syntax_errors_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "syntax"
    assert diagnostic.span is not None and diagnostic.span.column == column
    assert message in diagnostic.message
