"""Conditions as disjunctions of conjunctions of atoms: what rule engines without expressions
(durable-rules, most Rete engines) can match.

An `Atom` compares one profile field with a constant, another field or an arithmetic
expression of fields and constants (``layoffs < employees * 0.05``), or tests that a field is
present. A `Dnf` is a set of terms, each a set of atoms that must all hold; the empty term is
true, the empty set of terms false. Terms are kept simplified: the bounds an atom puts on a field
are merged (``x >= 5 and x > 7`` is ``x > 7``), contradictory terms are dropped, and a term
implied by a shorter one is absorbed.

>>> a = Dnf.atom(Atom("x", ">=", Const(5)))
>>> b = Dnf.atom(Atom("x", "<", Const(3)))
>>> a.and_(b).is_false
True
>>> len(a.or_(b).and_(Dnf.atom(Atom("x", ">", Const(7)))).terms)
1
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from subsidy_engine.errors import SubsidyEngineError
from subsidy_engine.lang.operators import NEGATED, ORDERINGS

MAX_TERMS = 4096
"""The most terms a condition may expand to; larger ones are reported as too complex."""


class TooComplexError(SubsidyEngineError):
    """A condition expands to more than MAX_TERMS terms."""


@dataclass(frozen=True, slots=True)
class Const:
    """A constant: bool, int, Decimal or str (dates are day numbers by now)."""

    value: bool | int | Decimal | str


@dataclass(frozen=True, slots=True)
class FieldValue:
    """The value of another field of the same profile."""

    name: str


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + - * /
    left: Operand
    right: Operand


Operand = Const | FieldValue | Arith


@dataclass(frozen=True, slots=True, order=False)
class Atom:
    """`field op rhs`, or with op ``exists`` a test that the field is present."""

    field: str
    op: str
    rhs: Operand | None = None

    def fields(self) -> set[str]:
        return {self.field} | _operand_fields(self.rhs)

    def sort_key(self) -> tuple[str, str, str]:
        return (self.field, self.op, repr(self.rhs))


def _operand_fields(operand: Operand | None) -> set[str]:
    if isinstance(operand, FieldValue):
        return {operand.name}
    if isinstance(operand, Arith):
        return _operand_fields(operand.left) | _operand_fields(operand.right)
    return set()


Term = frozenset[Atom]


@dataclass(frozen=True, slots=True)
class Dnf:
    """A disjunction of terms (conjunctions of atoms), simplified."""

    terms: frozenset[Term]

    @staticmethod
    def true() -> Dnf:
        return Dnf(frozenset({frozenset()}))

    @staticmethod
    def false() -> Dnf:
        return Dnf(frozenset())

    @staticmethod
    def atom(atom: Atom) -> Dnf:
        term = simplify(frozenset({atom}))
        return Dnf.false() if term is None else Dnf(frozenset({term}))

    @staticmethod
    def of(value: bool) -> Dnf:
        return Dnf.true() if value else Dnf.false()

    @property
    def is_false(self) -> bool:
        return not self.terms

    @property
    def is_true(self) -> bool:
        return frozenset() in self.terms

    def or_(self, other: Dnf) -> Dnf:
        return Dnf(absorb(self.terms | other.terms))

    def and_(self, other: Dnf) -> Dnf:
        if self.is_false or other.is_false:
            return Dnf.false()
        if self.is_true:
            return other
        if other.is_true:
            return self
        out: set[Term] = set()
        for left in self.terms:
            for right in other.terms:
                term = simplify(left | right)
                if term is not None:
                    out.add(term)
                    if len(out) > MAX_TERMS:
                        raise TooComplexError(f"more than {MAX_TERMS} alternatives")
        return Dnf(absorb(frozenset(out)))

    @staticmethod
    def all_of(parts: Iterable[Dnf]) -> Dnf:
        out = Dnf.true()
        for part in parts:
            out = out.and_(part)
            if out.is_false:
                break
        return out

    @staticmethod
    def any_of(parts: Iterable[Dnf]) -> Dnf:
        out = Dnf.false()
        for part in parts:
            out = out.or_(part)
        return out

    def fields(self) -> set[str]:
        return {name for term in self.terms for atom in term for name in atom.fields()}

    def sorted_terms(self) -> list[list[Atom]]:
        terms = [sorted(term, key=Atom.sort_key) for term in self.terms]
        return sorted(terms, key=lambda atoms: [a.sort_key() for a in atoms])


def absorb(terms: frozenset[Term]) -> frozenset[Term]:
    """Drop every term that is a strict superset of another (it adds no case)."""
    if len(terms) < 2:
        return terms
    ordered = sorted(terms, key=len)
    kept: list[Term] = []
    for term in ordered:
        if not any(other < term for other in kept):
            kept.append(term)
    return frozenset(kept)


@dataclass(slots=True)
class _Bounds:
    """What the constant atoms of one term say about one field."""

    low: Any = None
    low_strict: bool = False
    high: Any = None
    high_strict: bool = False
    equal: Any = None
    has_equal: bool = False
    unequal: set[Any] | None = None

    def add(self, op: str, value: Any) -> bool:
        """Merge `field op value`; False when the term has become impossible."""
        if op == "==":
            if self.has_equal and self.equal != value:
                return False
            self.equal, self.has_equal = value, True
        elif op == "!=":
            self.unequal = (self.unequal or set()) | {value}
        elif op in (">", ">="):
            strict = op == ">"
            if self.low is None or value > self.low or (value == self.low and strict):
                self.low, self.low_strict = value, strict
        else:
            strict = op == "<"
            if self.high is None or value < self.high or (value == self.high and strict):
                self.high, self.high_strict = value, strict
        return self.possible()

    def admits(self, value: Any) -> bool:
        """Whether `value` lies within the lower and upper bounds."""
        above = self.low is None or value > self.low or (value == self.low and not self.low_strict)
        below = (
            self.high is None or value < self.high or (value == self.high and not self.high_strict)
        )
        return above and below

    def possible(self) -> bool:
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                return False
            if self.low == self.high and (self.low_strict or self.high_strict):
                return False
        if self.has_equal:
            return self.admits(self.equal) and self.equal not in (self.unequal or ())
        return True

    def atoms(self, name: str) -> list[Atom]:
        if self.has_equal:
            return [Atom(name, "==", Const(self.equal))]
        out = []
        if self.low is not None:
            out.append(Atom(name, ">" if self.low_strict else ">=", Const(self.low)))
        if self.high is not None:
            out.append(Atom(name, "<" if self.high_strict else "<=", Const(self.high)))
        out += [
            Atom(name, "!=", Const(v))
            for v in sorted(self.unequal or (), key=repr)
            if self.admits(v)
        ]
        return out


def simplify(term: Term) -> Term | None:
    """`term` with the constant bounds on each field merged; None when it cannot hold."""
    bounds: dict[str, _Bounds] = {}
    rest: set[Atom] = set()
    for atom in term:
        rhs = atom.rhs
        if isinstance(rhs, Const) and atom.op in NEGATED:
            ordered = atom.op in ORDERINGS
            if ordered and isinstance(rhs.value, bool):
                rest.add(atom)
                continue
            if not bounds.setdefault(atom.field, _Bounds()).add(atom.op, rhs.value):
                return None
        else:
            rest.add(atom)
    out = set(rest)
    for name, bound in bounds.items():
        out.update(bound.atoms(name))
    exists = {
        a for a in out if a.op == "exists" and any(b.field == a.field and b is not a for b in out)
    }
    return frozenset(out - exists)
