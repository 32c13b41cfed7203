"""Partial knowledge in the vectorised backend, with `backends.python`'s meaning (`lang.partial`).

A finite-valued `Vec` (an enumeration or a truth value) may carry `possible`: a UInt64 bit set
over its type's values (bit i for the i-th value; False then True for a truth value), on every
row: a single bit where the value is known, the values still possible where it is not. A value
is known exactly where one bit is set.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any

import polars as pl

from subsidy_engine.backends.polars.missing import Missing, union
from subsidy_engine.backends.polars.vec import Vec
from subsidy_engine.identifiers import industry_codes
from subsidy_engine.lang import ast
from subsidy_engine.lang.partial import (
    SplitInput,
    coarse_codes_in,
    covering_prefixes,
    domain,
    scenarios,
    undecided_prefixes,
)
from subsidy_engine.lang.types import BOOL, Type

if TYPE_CHECKING:
    from subsidy_engine.backends.polars.compiler import VectorCompiler

_BITS = pl.UInt64
_ZERO = pl.lit(0, dtype=_BITS)


def _bit(index: int) -> pl.Expr:
    return pl.lit(1 << index, dtype=_BITS)


def _all(values: tuple[Any, ...]) -> pl.Expr:
    return pl.lit((1 << len(values)) - 1, dtype=_BITS)


def bits_of(vec: Vec, values: tuple[Any, ...] | None = None) -> pl.Expr:
    """The bit set of a finite-valued `Vec` (over `values`, by default its type's): its own,
    or worked out from its value."""
    if vec.possible is not None:
        return vec.possible
    values = values or domain(vec.ty)
    assert values is not None
    if vec.is_const:
        return _bit(values.index(vec.const)) if vec.const in values else _ZERO
    if values == (False, True):
        return (
            pl.when(vec.value).then(_bit(1)).when(~vec.value).then(_bit(0)).otherwise(_all(values))
        )
    known = vec.value.replace_strict(
        list(values), [1 << i for i in range(len(values))], default=None, return_dtype=_BITS
    )
    return known.fill_null(_all(values))


def _single(bits: pl.Expr) -> pl.Expr:
    return (bits & (bits - 1)) == 0


def from_bits(bits: pl.Expr, ty: Type) -> pl.Expr:
    """The value a bit set leaves (null unless exactly one bit is set)."""
    values = domain(ty)
    assert values is not None
    dtype = pl.Boolean if values == (False, True) else pl.String
    return bits.replace_strict(
        [1 << i for i in range(len(values))], list(values), default=None, return_dtype=dtype
    )


def finite(bits: pl.Expr, missing: Missing, ty: Type) -> Vec:
    """The `Vec` of a finite value given its bit set and what it lacks where undecided."""
    value = from_bits(bits, ty)
    return Vec(value, missing.gate(value.is_null()), ty, possible=bits)


def cond(test: Vec, then: Vec, otherwise: Vec, ty: Type, *, apart: bool = False) -> Vec:
    """`then if test else otherwise`, finite-valued: an unknown test leaves both branches'
    values possible, and decides nothing only when they differ. Each operand is read once, so
    a chain of cases stays linear in size. Where the branches can never give the same value
    (`apart`), it is unknown exactly where the test or the branch taken is, which is where
    what they lack is set: that needs no test of its own values, which would work out every
    nested case's values once more for each level of a chain."""
    may_be_true = test.value.fill_null(True)
    may_be_false = (~test.value).fill_null(True)
    bits = pl.when(may_be_true).then(bits_of(then)).otherwise(_ZERO) | pl.when(may_be_false).then(
        bits_of(otherwise)
    ).otherwise(_ZERO)
    missing = union(
        test.missing, then.missing.gate(may_be_true), otherwise.missing.gate(may_be_false)
    )
    if apart:
        return Vec(from_bits(bits, ty), missing, ty, possible=bits)
    return finite(bits, missing, ty)


def in_options(subject: Vec, options: list[Any], negated: bool) -> Vec:
    """`subject in options` (or `not in`), decided when the values it may take allow."""
    values = domain(subject.ty)
    assert values is not None
    chosen = reduce(operator.or_, [1 << values.index(o) for o in options if o in values], 0)
    return _decide(bits_of(subject), pl.lit(chosen, dtype=_BITS), subject.missing, negated)


def equal(left: Vec, right: Vec, negated: bool) -> Vec:
    """`left == right` (or `!=`) for finite values: true when both are the same known value,
    false when no value is possible for both."""
    values = domain(left.ty) or domain(right.ty)
    a, b = bits_of(left, values), bits_of(right, values)
    same = (a == b) & _single(a)
    apart = (a & b) == 0
    found = pl.when(same).then(True).when(apart).then(False).otherwise(None)
    value = ~found if negated else found
    missing = union(left.missing, right.missing).gate(value.is_null())
    return Vec(value, missing, BOOL)


def _decide(bits: pl.Expr, chosen: pl.Expr, missing: Missing, negated: bool) -> Vec:
    inside = (bits & ~chosen) == 0
    outside = (bits & chosen) == 0
    found = pl.when(inside).then(True).when(outside).then(False).otherwise(None)
    value = ~found if negated else found
    return Vec(value, missing.gate(value.is_null()), BOOL)


def code_starts_with(text: Vec, prefixes: list[str]) -> Vec:
    """`starts_with(code, prefixes)` where a coarse code stands for the classes it covers."""
    verdicts = []
    for prefix in prefixes:
        undecided, covering = undecided_prefixes(prefix), covering_prefixes(prefix)
        known = text.value.str.starts_with(prefix)
        if covering:
            known = known | text.value.is_in(list(covering))
        verdict = pl.when(known).then(True)
        if undecided:
            verdicts.append(
                verdict.when(text.value.is_in(list(undecided))).then(None).otherwise(False)
            )
        else:
            verdicts.append(verdict.otherwise(False))
    found = reduce(operator.or_, verdicts) if verdicts else pl.lit(False)
    value = pl.when(text.value.is_null()).then(None).otherwise(found)
    return Vec(value, Missing.of(text.missing.bits, value.is_null()), BOOL)


def code_in_options(text: Vec, options: tuple[str, ...], negated: bool) -> Vec:
    """`code in options` (or `not in`; `==` and `!=` are the one-option case) where a coarse
    code stands for the classes it covers (`lang.partial.code_in`)."""
    covering, undecided = coarse_codes_in(options)
    equal = text.value.is_in([*options, *covering])
    decided = (
        pl.when(equal).then(True).when(text.value.is_in(list(undecided))).then(None)
        if undecided
        else pl.when(equal).then(True)
    ).otherwise(False)
    value = pl.when(text.value.is_null()).then(None).otherwise(~decided if negated else decided)
    return Vec(value, Missing.of(text.missing.bits, value.is_null()), BOOL)


@dataclass(frozen=True, slots=True)
class Derived:
    """A derived fact as compiled, to be stored: its `Vec`, and what it lacks on the rows where
    its value is unknown, over the same leaves as `vec.missing`. A stored fact's masks are
    worked out on those rows only, where `lacking` says the same as `vec.missing` without
    testing the value, which would work out every case of a finite fact once more."""

    vec: Vec
    lacking: Missing


def split_derived(compiler: VectorCompiler, node: ast.Node) -> Derived:
    """A derived fact, judged for each combination of its split inputs' values that is still
    possible (as `backends.python.partial.compile_derived`)."""
    split = scenarios(node, compiler.code_fields)
    if split is None:
        vec = compiler.compile(node)
        return Derived(vec, vec.missing)
    inputs, cases = split
    ty = node.ty
    assert ty is not None
    outcomes = [compiler.compile(pinned) for _, pinned in cases]
    if len(inputs) == 1 and inputs[0].is_code and all(o.is_const for o in outcomes):
        by_class = {combo[0]: o.const for (combo, _), o in zip(cases, outcomes, strict=True)}
        return _by_code(compiler.compile(inputs[0].node), inputs[0], by_class, ty)
    bits: list[pl.Expr] = []
    lacking: list[Missing] = []
    for each in inputs:
        vec = compiler.compile(each.node)
        if each.is_code:
            mask = _code_choices(vec.value, each)
            coarse = Missing.of(vec.missing.bits, ~_single(mask) & vec.value.is_not_null())
            lacking += [vec.missing, coarse]
        else:
            mask = bits_of(vec)
            lacking.append(vec.missing)
        bits.append(mask)
    joined: list[pl.Expr] = []
    for (combo, _), outcome in zip(cases, outcomes, strict=True):
        possible = reduce(
            operator.and_,
            [
                (b & _bit(each.values.index(v))) != 0
                for b, each, v in zip(bits, inputs, combo, strict=True)
            ],
        )
        joined.append(pl.when(possible).then(bits_of(outcome)).otherwise(_ZERO))
        lacking.append(outcome.missing.gate(possible))
    every = union(*lacking)
    return Derived(finite(reduce(operator.or_, joined), every, ty), every)


def _by_code(code: Vec, split: SplitInput, by_class: dict[str, Any], ty: Type) -> Derived:
    """A derived fact that depends on a code alone (a sector of an industry code): the values
    each code leaves possible, worked out here for every code, so that a row looks its code up
    once rather than once for each class it may stand for."""
    values = domain(ty)
    assert values is not None

    def bits(classes: tuple[str, ...]) -> int:
        return reduce(operator.or_, [1 << values.index(by_class[c]) for c in classes], 0)

    codes = industry_codes()
    found = code.value.replace_strict(
        list(codes), [bits(split.choices(c)) for c in codes], default=None, return_dtype=_BITS
    )
    possible = found.fill_null(pl.lit(bits(split.values), dtype=_BITS))
    # it is unknown where the code is absent, or coarse and spanning classes that differ
    lacking = Missing.of(code.missing.bits)
    return Derived(finite(possible, lacking, ty), lacking)


def _code_choices(code: pl.Expr, split: SplitInput) -> pl.Expr:
    """The representative classes a code column may stand for, as bits over `split.values`."""
    codes = industry_codes()
    masks = [
        reduce(operator.or_, [1 << split.values.index(r) for r in split.choices(c)], 0)
        for c in codes
    ]
    found = code.replace_strict(list(codes), masks, default=None, return_dtype=_BITS)
    return found.fill_null(_all(split.values))
