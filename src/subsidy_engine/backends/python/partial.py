"""Derived facts worked out over what is known in part (see `lang.partial`).

A finite-valued derived fact that reads enumerated derived facts is compiled as it is, and once
for each combination of their values. While those facts are known the plain closure runs; when
one is known only in part and the fact is left undecided, the fact is the join of its pinned
versions over every combination still possible, so that it is decided exactly when every
combination gives the same value.
"""

from __future__ import annotations

import itertools
from typing import Any

from subsidy_engine.backends.python.compiler import Fn, Frame, ScalarCompiler, Unknown, join
from subsidy_engine.lang import ast
from subsidy_engine.lang.partial import domain, scenarios


def compile_derived(compiler: ScalarCompiler, node: ast.Node) -> Fn:
    """The closure computing one derived fact."""
    plain = compiler.compile(node)
    split = scenarios(node)
    every = domain(node.ty)
    if split is None or every is None:
        return plain
    refs, cases = split
    readers = [compiler.compile(ref) for ref in refs]
    domains = [domain(ref.ty) or () for ref in refs]
    pinned = {combo: compiler.compile(pinned_node) for combo, pinned_node in cases}
    whole = frozenset(every)

    def get(frame: Frame) -> Any:
        value = plain(frame)
        if value.__class__ is not Unknown:
            return value
        inputs = [read(frame) for read in readers]
        if all(i.__class__ is not Unknown for i in inputs):
            return value
        choices = [
            (i.values or frozenset(d)) if i.__class__ is Unknown else (i,)
            for i, d in zip(inputs, domains, strict=True)
        ]
        lacking = [i for i in inputs if i.__class__ is Unknown]
        outcomes = [
            pinned[combo](frame) for combo in itertools.product(*(sorted(c) for c in choices))
        ]
        # the inputs' own unknowns come first: they contribute what they lack, not values
        return join([_lacking(lacking), *outcomes], whole)

    return get


def _lacking(unknowns: list[Unknown]) -> Unknown:
    result = Unknown(unknowns[0].facts, unknowns[0].params)
    for other in unknowns[1:]:
        result = result.merge(other)
    return result
