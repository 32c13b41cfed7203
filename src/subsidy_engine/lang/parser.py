"""Expression text -> surface AST, by recursive descent.

Grammar, loosest binding first::

    expr        := disjunction ["if" disjunction "else" expr]
    disjunction := conjunction ("or" conjunction)*
    conjunction := negation ("and" negation)*
    negation    := "not" negation | comparison
    comparison  := sum ((< | <= | > | >= | == | != | in | not in) sum)*
    sum         := product ((+ | -) product)*
    product     := unary ((* | /) unary)*
    unary       := "-" unary | postfix
    postfix     := atom ("." NAME | "[" expr "]" | "(" [expr ("," expr)*] ")")*
    atom        := NUMBER | STRING | true | false | NAME | "(" expr ")" | "{" expr ("," expr)* "}"

The parser guarantees a well-formed tree with a span on every node; it knows nothing of names or
types (that is the checker's job).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from subsidy_engine.errors import Diagnostic, ExpressionError, Span
from subsidy_engine.lang import ast
from subsidy_engine.lang.depth import MAX_NESTING, MAX_TREE_DEPTH, too_nested, tree_depth
from subsidy_engine.lang.lexer import Token, span_at, tokenize
from subsidy_engine.lang.operators import COMPARISONS


def parse(text: str, origin: Span | None = None) -> ast.Node:
    """Parse one expression; `origin` is where `text` starts in its file, for error spans.

    >>> parse("revenue >= 5000万").ops
    ('>=',)
    """
    return _Parser(text, origin).parse_all()


class _Parser:
    def __init__(self, text: str, origin: Span | None) -> None:
        self.text = text
        self.origin = origin
        self.tokens = tokenize(text, origin)
        self.pos = 0
        # Text offsets of every node made so far; holding the node keeps its id unique.
        self.offsets: dict[int, tuple[ast.Node, int, int]] = {}

    # Helpers ----------------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.tok
        return token.kind == kind and (text is None or token.text == text)

    def accept(self, kind: str, text: str) -> Token | None:
        return self.advance() if self.at(kind, text) else None

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            self.fail(f"expected {what}, found {self.describe(self.tok)}")
        return self.advance()

    def span(self, start: int, end: int) -> Span:
        return span_at(self.text, start, end, self.origin)

    def _start(self, item: ast.Node | Token) -> int:
        return item.offset if isinstance(item, Token) else self.offsets[id(item)][1]

    def _end(self, item: ast.Node | Token) -> int:
        return item.end if isinstance(item, Token) else self.offsets[id(item)][2]

    def describe(self, token: Token) -> str:
        return "the end of the expression" if token.kind == "end" else repr(token.text)

    def fail(self, message: str, token: Token | None = None) -> NoReturn:
        token = token or self.tok
        end = max(token.end, token.offset + 1)
        raise ExpressionError(
            [Diagnostic("syntax", message, self.span(token.offset, min(end, len(self.text) or 1)))]
        )

    def make(
        self, cls: type[ast.Node], first: ast.Node | Token, last: ast.Node | Token, **fields: Any
    ) -> ast.Node:
        """A node whose text runs from the start of `first` to the end of `last`."""
        start, end = self._start(first), self._end(last)
        node = cls(span=self.span(start, end), **fields)
        self.offsets[id(node)] = (node, start, end)
        return node

    # Grammar ----------------------------------------------------------------------------------

    def parse_all(self) -> ast.Node:
        if self.at("end"):
            self.fail("empty expression")
        deep = too_nested(self.tokens)
        if deep is not None:
            self.fail(f"nested more than {MAX_NESTING} levels deep; split it up", deep)
        node = self.expr()
        if not self.at("end"):
            self.fail(f"unexpected {self.describe(self.tok)} after a complete expression")
        if tree_depth(node) > MAX_TREE_DEPTH:
            self.fail(
                f"more than {MAX_TREE_DEPTH} levels deep (a long chain of operators?); "
                "split it into derived facts",
                self.tokens[0],
            )
        return node

    def expr(self) -> ast.Node:
        node = self.disjunction()
        if self.accept("keyword", "if"):
            test = self.disjunction()
            self.expect("keyword", "else", "'else' after the condition of 'if'")
            otherwise = self.expr()
            return self.make(ast.Cond, node, otherwise, test=test, then=node, otherwise=otherwise)
        return node

    def disjunction(self) -> ast.Node:
        return self._logic("or", self.conjunction)

    def conjunction(self) -> ast.Node:
        return self._logic("and", self.negation)

    def _logic(self, op: str, operand: Callable[[], ast.Node]) -> ast.Node:
        first = operand()
        items = [first]
        while self.accept("keyword", op):
            items.append(operand())
        if len(items) == 1:
            return first
        return self.make(ast.Logic, first, items[-1], op=op, operands=tuple(items))

    def negation(self) -> ast.Node:
        token = self.accept("keyword", "not")
        if token is None:
            return self.comparison()
        operand = self.negation()
        return self.make(ast.Not, token, operand, operand=operand)

    def comparison(self) -> ast.Node:
        first = self.sum()
        ops: list[str] = []
        operands = [first]
        while True:
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                ops.append(self.advance().text)
                operands.append(self.sum())
            elif self.at("keyword", "in") or (
                self.at("keyword", "not") and self.tokens[self.pos + 1].text == "in"
            ):
                negated = self.advance().text == "not"
                if negated:
                    self.advance()
                if ops:
                    self.fail("'in' cannot be chained with other comparisons")
                container = self.sum()
                return self.make(
                    ast.Contains,
                    first,
                    container,
                    value=first,
                    container=container,
                    negated=negated,
                )
            else:
                break
        if not ops:
            return first
        return self.make(ast.Compare, first, operands[-1], ops=tuple(ops), operands=tuple(operands))

    def sum(self) -> ast.Node:
        return self._binary(("+", "-"), self.product)

    def product(self) -> ast.Node:
        return self._binary(("*", "/"), self.unary)

    def _binary(self, ops: tuple[str, ...], operand: Callable[[], ast.Node]) -> ast.Node:
        node = operand()
        while self.tok.kind == "op" and self.tok.text in ops:
            op = self.advance().text
            right = operand()
            node = self.make(ast.Arith, node, right, op=op, left=node, right=right)
        return node

    def unary(self) -> ast.Node:
        token = self.accept("op", "-")
        if token is None:
            return self.postfix()
        operand = self.unary()
        value = operand.value if isinstance(operand, ast.Literal) else None
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return self.make(ast.Literal, token, operand, value=-value)
        return self.make(ast.Neg, token, operand, operand=operand)

    def postfix(self) -> ast.Node:
        node = self.atom()
        while True:
            if self.accept("op", "."):
                name = self.tok
                if name.kind != "name":
                    self.fail(f"expected a field name after '.', found {self.describe(name)}")
                self.advance()
                node = self.make(ast.Attribute, node, name, obj=node, name=name.text)
            elif self.accept("op", "["):
                key = self.expr()
                close = self.expect("op", "]", "']'")
                node = self.make(ast.Subscript, node, close, obj=node, key=key)
            elif self.at("op", "("):
                if not isinstance(node, ast.Name):
                    self.fail("only a function name can be called")
                self.advance()
                args: list[ast.Node] = []
                if not self.at("op", ")"):
                    args.append(self.expr())
                    while self.accept("op", ","):
                        args.append(self.expr())
                close = self.expect("op", ")", "',' or ')' in the argument list")
                node = self.make(ast.Call, node, close, func=node.id, args=tuple(args))
            else:
                return node

    def atom(self) -> ast.Node:
        token = self.tok
        if token.kind in ("number", "string"):
            self.advance()
            return self.make(ast.Literal, token, token, value=token.value)
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.advance()
            return self.make(ast.Literal, token, token, value=token.text == "true")
        if token.kind == "name":
            self.advance()
            return self.make(ast.Name, token, token, id=token.text)
        if self.accept("op", "("):
            inner = self.expr()
            close = self.expect("op", ")", "')'")
            self.offsets[id(inner)] = (inner, token.offset, close.end)
            return inner
        if self.accept("op", "{"):
            items = [self.expr()]
            while self.accept("op", ","):
                items.append(self.expr())
            close = self.expect("op", "}", "',' or '}' in the set")
            return self.make(ast.SetLiteral, token, close, items=tuple(items))
        self.fail(f"expected a value, found {self.describe(token)}")
