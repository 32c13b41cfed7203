"""How deeply an expression may nest, checked before and after parsing.

Every stage after the lexer (parser, checker, both compilers, the evaluators) walks the tree
recursively, so a deep expression would exhaust Python's stack somewhere far from its text.
The limits are far above what a rule needs (the bundled rulebook nests at most a few levels)
and far below the stack: brackets and prefix operators are counted on the tokens, before the
recursive-descent parser sees them; the parsed tree's depth (a long chain of `+` is as deep as
it is long) is measured without recursion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from subsidy_engine.lang import ast
from subsidy_engine.lang.lexer import Token

MAX_NESTING: Final = 32
"""Brackets open at once, or prefix operators (`not`, `-`) in a row."""
MAX_TREE_DEPTH: Final = 64
"""Levels of the parsed expression, e.g. terms of one sum."""

_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


def too_nested(tokens: Sequence[Token]) -> Token | None:
    """The first token past `MAX_NESTING` brackets or prefix operators, or None."""
    brackets = prefixes = 0
    previous: Token | None = None
    for token in tokens:
        if token.kind == "op" and token.text in _OPEN:
            brackets += 1
        elif token.kind == "op" and token.text in _CLOSE:
            brackets -= 1
        prefix = (token.kind == "keyword" and token.text == "not") or (
            token.kind == "op" and token.text in "-+" and _starts_operand(previous)
        )
        prefixes = prefixes + 1 if prefix else 0
        if brackets > MAX_NESTING or prefixes > MAX_NESTING:
            return token
        previous = token
    return None


def _starts_operand(previous: Token | None) -> bool:
    """Whether a `-` after `previous` is a sign rather than a subtraction."""
    if previous is None:
        return True
    if previous.kind == "op":
        return previous.text not in _CLOSE
    return previous.kind == "keyword" and previous.text not in ("true", "false")


def tree_depth(node: ast.Node) -> int:
    """The number of levels of `node`'s tree."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in current.children())
    return deepest
