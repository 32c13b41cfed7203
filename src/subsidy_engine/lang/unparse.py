"""Typed or surface AST -> expression text, for traces and explanations.

>>> from subsidy_engine.lang.parser import parse
>>> unparse(parse("a >= 5000万 and not (b or c)"))
'a >= 50000000 and not (b or c)'
"""

from __future__ import annotations

from datetime import date

from subsidy_engine.lang import ast

_PRECEDENCE = {
    ast.Cond: 1,
    ast.Logic: 2,
    ast.Not: 4,
    ast.Compare: 5,
    ast.InSet: 5,
    ast.Contains: 5,
}
_ARITH_PRECEDENCE = {"+": 6, "-": 6, "*": 7, "/": 7}


def _precedence(node: ast.Node) -> int:
    if isinstance(node, ast.Logic):
        return 2 if node.op == "or" else 3
    if isinstance(node, ast.Arith):
        return _ARITH_PRECEDENCE[node.op]
    if isinstance(node, ast.Neg):
        return 8
    return _PRECEDENCE.get(type(node), 9)


def _wrap(node: ast.Node, parent: int, strict: bool = False) -> str:
    text = unparse(node)
    mine = _precedence(node)
    return f"({text})" if mine < parent or (strict and mine == parent) else text


def literal_text(value: ast.LiteralValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, date):
        return f"date('{value.isoformat()}')"
    return str(value)


def unparse(node: ast.Node) -> str:
    """Readable text for `node`, parenthesised only where precedence needs it."""
    p = _precedence(node)
    match node:
        case ast.Literal(value=value):
            return literal_text(value)
        case ast.Name(id=name) | ast.FieldRef(name=name) | ast.DerivedRef(name=name):
            return name
        case ast.ParamRef(name=name):
            return name
        case ast.ItemFieldRef(var=var, name=name):
            return f"{var}.{name}"
        case ast.AsOf():
            return "as_of"
        case ast.Attribute(obj=obj, name=name):
            return f"{unparse(obj)}.{name}"
        case ast.Subscript(obj=obj, key=key) | ast.Lookup(table=obj, key=key):
            return f"{unparse(obj)}[{unparse(key)}]"
        case ast.SetLiteral(items=items):
            return "{" + ", ".join(unparse(i) for i in items) + "}"
        case ast.Neg(operand=operand):
            return "-" + _wrap(operand, p)
        case ast.Not(operand=operand):
            return "not " + _wrap(operand, p)
        case ast.Arith(op=op, left=left, right=right):
            return f"{_wrap(left, p)} {op} {_wrap(right, p, strict=True)}"
        case ast.Compare(ops=ops, operands=operands):
            parts = [_wrap(operands[0], p, strict=True)]
            for op, operand in zip(ops, operands[1:], strict=True):
                parts += [op, _wrap(operand, p, strict=True)]
            return " ".join(parts)
        case ast.Logic(op=op, operands=operands):
            return f" {op} ".join(_wrap(o, p) for o in operands)
        case ast.InSet(value=value, options=options, negated=negated):
            members = "{" + ", ".join(unparse(o) for o in options) + "}"
            return f"{_wrap(value, p, True)} {'not in' if negated else 'in'} {members}"
        case ast.Contains(value=value, container=container, negated=negated):
            keyword = "not in" if negated else "in"
            return f"{_wrap(value, p, True)} {keyword} {_wrap(container, p, True)}"
        case ast.Cond(test=test, then=then, otherwise=otherwise):
            return f"{_wrap(then, 2)} if {_wrap(test, 2)} else {_wrap(otherwise, 1)}"
        case ast.Call(func=func, args=args):
            return f"{func}({', '.join(unparse(a) for a in args)})"
    raise NotImplementedError(f"cannot print {type(node).__name__}")
