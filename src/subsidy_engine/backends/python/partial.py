"""Derived facts worked out over what is known in part (see `lang.partial`).

A finite-valued derived fact with split inputs (enumerated derived facts it reads, an industry
code it tests against several prefixes) is compiled as it is, and once for each combination of
their values. While every input is known exactly the plain closure runs; when one is known only
in part and the fact is left undecided, the fact is the join of its pinned versions over every
combination still possible, so that it is decided exactly when they all give the same value.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from subsidy_engine.backends.python.compiler import Fn, Frame, ScalarCompiler, Unknown, join
from subsidy_engine.lang import ast
from subsidy_engine.lang.partial import SplitInput, domain, scenarios

Choices = Callable[[Any], tuple[tuple[Any, ...], Unknown | None]]
"""An input's value -> the values it may take, and what it lacks when that is several."""


def compile_derived(compiler: ScalarCompiler, node: ast.Node) -> Fn:
    """The closure computing one derived fact."""
    plain = compiler.compile(node)
    split = scenarios(node, compiler.code_fields)
    every = domain(node.ty)
    if split is None or every is None:
        return plain
    inputs, cases = split
    readers = [compiler.compile(s.node) for s in inputs]
    choosers = [_chooser(s) for s in inputs]
    pinned = {combo: compiler.compile(pinned_node) for combo, pinned_node in cases}
    whole = frozenset(every)

    def get(frame: Frame) -> Any:
        value = plain(frame)
        if value.__class__ is not Unknown:
            return value
        options = []
        lacking: Unknown | None = None
        for read, choose in zip(readers, choosers, strict=True):
            values, lacks = choose(read(frame))
            options.append(values)
            if lacks is not None:
                lacking = lacks if lacking is None else lacking.merge(lacks)
        if lacking is None:
            return value
        outcomes = [pinned[combo](frame) for combo in itertools.product(*options)]
        # what the inputs lack comes first: it names facts, it gives no value
        return join([lacking, *outcomes], whole)

    return get


def _chooser(split: SplitInput) -> Choices:
    if split.is_code:
        coarse = Unknown(ast.static_facts(split.node))

        def code(value: Any) -> tuple[tuple[Any, ...], Unknown | None]:
            if value.__class__ is Unknown:
                return split.values, Unknown(value.facts, value.params, faults=value.faults)
            choices = split.choices(value)
            return choices, (coarse if len(choices) > 1 else None)

        return code

    def enum(value: Any) -> tuple[tuple[Any, ...], Unknown | None]:
        if value.__class__ is not Unknown:
            return (value,), None
        possible = split.values if value.values is None else tuple(value.values)
        return possible, Unknown(value.facts, value.params, faults=value.faults)

    return enum
