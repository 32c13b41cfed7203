"""Tokens of the rule language.

Numbers may carry a Chinese magnitude or a percent sign, read exactly: `5000万` is 50,000,000,
`1.5亿` is 150,000,000, `20%` is 0.20. `≥ ≤ ≠` are accepted for `>= <= !=`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal

from subsidy_engine.errors import Diagnostic, ExpressionError, Span
from subsidy_engine.lang.numbers import literal_problem

KEYWORDS = frozenset({"and", "or", "not", "in", "if", "else", "true", "false"})
_EXACT = Context(prec=80)
_LONGEST_NUMBER = 40
"""Longer number literals are refused unread (a 5,000-digit one cannot be in the domain)."""
MAGNITUDES = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "%": Decimal("0.01")}
_ALIASES = {"≥": ">=", "≤": "<=", "≠": "!="}

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<number>\d+(?:\.\d+)?(?:[万亿%])?)
  | (?P<string>'[^'\n]*'|"[^"\n]*")
  | (?P<name>[^\W\d]\w*)
  | (?P<op><=|>=|==|!=|[<>+\-*/()\[\]{},.]|[≥≤≠])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    value: object
    offset: int
    end: int


def parse_number(text: str) -> int | Decimal:
    """The exact value of a number literal, with its optional 万, 亿 or % suffix.

    >>> parse_number("5000万"), parse_number("1.5亿"), parse_number("20%"), parse_number("3")
    (50000000, 150000000, Decimal('0.20'), 3)
    """
    suffix = text[-1] if text[-1] in MAGNITUDES else ""
    digits = text[: len(text) - len(suffix)]
    value = Decimal(digits)
    if suffix:
        value = _EXACT.multiply(value, MAGNITUDES[suffix])
    if suffix != "%" and value == value.to_integral_value():
        return int(value)
    return value


def tokenize(text: str, origin: Span | None = None) -> list[Token]:
    """Split `text` into tokens, ending with an `end` token; raise ExpressionError on junk."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(
                [
                    Diagnostic(
                        "syntax",
                        f"unexpected character {text[pos]!r}",
                        span_at(text, pos, pos + 1, origin),
                    )
                ]
            )
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "number":
            value = parse_number(raw) if len(raw) <= _LONGEST_NUMBER else None
            problem = literal_problem(value) if value is not None else "is too long"
            if problem:
                shown = raw if len(raw) <= 24 else raw[:20] + "…"
                span = span_at(text, pos, match.end(), origin)
                message = f"the number {shown} {problem}"
                raise ExpressionError([Diagnostic("number-domain", message, span)])
            tokens.append(Token("number", raw, value, pos, match.end()))
        elif kind == "string":
            tokens.append(Token("string", raw, raw[1:-1], pos, match.end()))
        elif kind == "name":
            tokens.append(
                Token("keyword" if raw in KEYWORDS else "name", raw, raw, pos, match.end())
            )
        elif kind == "op":
            op = _ALIASES.get(raw, raw)
            tokens.append(Token("op", op, op, pos, match.end()))
        pos = match.end()
    tokens.append(Token("end", "", None, len(text), len(text)))
    return tokens


def span_at(text: str, start: int, end: int, origin: Span | None) -> Span:
    """The span of `text[start:end]`, placed in its file when `origin` says where `text` starts."""
    line = text.count("\n", 0, start) + 1
    line_start = text.rfind("\n", 0, start) + 1
    column = start - line_start + 1
    end_line = text.count("\n", 0, end) + 1
    end_column = end - (text.rfind("\n", 0, end) + 1) + 1
    relative = Span(None, line, column, end_line, end_column)
    if origin is None:
        return relative
    shifted = relative.shifted(origin.line, origin.column)
    return Span(origin.file, shifted.line, shifted.column, shifted.end_line, shifted.end_column)
