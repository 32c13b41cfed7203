"""What a vectorised value lacks when it is unknown: bit masks over a rulebook's leaves.

The scalar backend carries `Unknown(facts, params)` — two sets of names. Here every name that can
end up in such a set is a *leaf* with a bit number, and an expression's missing set is a few
UInt64 columns (word `w` holds bits `64w .. 64w + 63`). Union is bitwise or, so the propagation
rules of the scalar backend cost one integer operation per row.

Most leaves have a fixed name (`employees`, `sales_threshold`, `exhibitions[*].booths`). Some
are *faults*, neither fact nor parameter: an arithmetic fault of one expression (`overflow: a * b`,
`division_by_zero: a / b`), as the scalar backend's `Unknown.faults` names it. A few are
*dynamic*: the name depends on the row — a field of the current list item
(`exhibitions[2].booths`) or a missing parameter-table entry (`land_min_price[16]`). Their name is
an expression, evaluated in the frame where the rule is finished (`dynamic_names`).

Invariant kept by every compiled expression: its mask is zero wherever its value is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce

import polars as pl

WORD = 64
ZERO = pl.lit(0, dtype=pl.UInt64)


@dataclass(frozen=True, slots=True)
class Leaf:
    bit: int
    is_fact: bool
    name: str | None
    """The name, for a fixed-name leaf."""
    dynamic: pl.Expr | None = None
    """The name as a String expression, for a dynamic leaf."""
    is_fault: bool = False
    """An arithmetic fault (neither a fact nor a parameter)."""


class Leaves:
    """The bit numbers of a compiled rulebook's leaves (allocated as they are met)."""

    def __init__(self) -> None:
        self._by_key: dict[object, Leaf] = {}
        self.all: list[Leaf] = []

    def static(self, name: str, *, fact: bool) -> int:
        return self._get(("static", fact, name), fact, name, None)

    def dynamic(self, key: object, name: pl.Expr, *, fact: bool) -> int:
        return self._get(("dynamic", key), fact, None, name)

    def fault(self, name: str) -> int:
        """The leaf of an arithmetic fault (`lang.numbers.fault`)."""
        return self._get(("fault", name), False, name, None, fault=True)

    def _get(
        self,
        key: object,
        fact: bool,
        name: str | None,
        dynamic: pl.Expr | None,
        *,
        fault: bool = False,
    ) -> int:
        leaf = self._by_key.get(key)
        if leaf is None:
            leaf = Leaf(len(self.all), fact, name, dynamic, fault)
            self._by_key[key] = leaf
            self.all.append(leaf)
        return leaf.bit

    @property
    def words(self) -> int:
        return max(1, -(-len(self.all) // WORD))

    def decode(self, words: Sequence[int]) -> tuple[list[str], list[str], list[str]]:
        """The fixed names (facts, params, faults) of the bits set in `words`, each list
        sorted."""
        facts: list[str] = []
        params: list[str] = []
        faults: list[str] = []
        for w, word in enumerate(words):
            rest = word
            while rest:
                low = rest & -rest
                leaf = self.all[w * WORD + low.bit_length() - 1]
                if leaf.name is not None:
                    kind = faults if leaf.is_fault else facts if leaf.is_fact else params
                    kind.append(leaf.name)
                rest ^= low
        return sorted(set(facts)), sorted(set(params)), sorted(set(faults))

    def fact_bits(self, bits: Iterable[int]) -> frozenset[int]:
        return frozenset(b for b in bits if self.all[b].is_fact)

    def fault_bits(self, bits: Iterable[int]) -> frozenset[int]:
        return frozenset(b for b in bits if self.all[b].is_fault)

    def dynamic_bits(self, bits: Iterable[int]) -> frozenset[int]:
        return frozenset(b for b in bits if self.all[b].dynamic is not None)


def _bit_literal(bit: int) -> pl.Expr:
    return pl.lit(1 << (bit % WORD), dtype=pl.UInt64)


@dataclass(frozen=True, slots=True)
class Missing:
    """A missing set: one UInt64 expression per word it may touch, and the bits it may hold."""

    words: Mapping[int, pl.Expr]
    bits: frozenset[int]

    @staticmethod
    def none() -> Missing:
        return _NONE

    @staticmethod
    def of(bits: Iterable[int], when: pl.Expr | None = None) -> Missing:
        """The leaves `bits`, where `when` holds (always when None)."""
        chosen = frozenset(bits)
        words: dict[int, int] = {}
        for bit in chosen:
            words[bit // WORD] = words.get(bit // WORD, 0) | (1 << (bit % WORD))
        exprs = {w: pl.lit(v, dtype=pl.UInt64) for w, v in words.items()}
        found = Missing(exprs, chosen)
        return found if when is None else found.gate(when)

    @property
    def empty(self) -> bool:
        return not self.bits

    def gate(self, when: pl.Expr) -> Missing:
        """These leaves where `when` is true, none elsewhere (null counts as false)."""
        if self.empty:
            return self
        return Missing(
            {w: pl.when(when).then(e).otherwise(ZERO) for w, e in self.words.items()}, self.bits
        )

    def only(self, bits: frozenset[int]) -> Missing:
        """The same set restricted to `bits`."""
        keep = self.bits & bits
        if keep == self.bits:
            return self
        masks: dict[int, int] = {}
        for bit in keep:
            masks[bit // WORD] = masks.get(bit // WORD, 0) | (1 << (bit % WORD))
        return Missing(
            {w: self.words[w] & pl.lit(m, dtype=pl.UInt64) for w, m in masks.items()}, keep
        )

    def has_any(self, bits: frozenset[int]) -> pl.Expr:
        """Whether any of `bits` is set (a Boolean expression, never null)."""
        chosen = self.only(bits)
        if chosen.empty:
            return pl.lit(False)
        return pl.any_horizontal([e != 0 for e in chosen.words.values()])

    def is_set(self, bit: int) -> pl.Expr:
        word = self.words.get(bit // WORD)
        if word is None or bit not in self.bits:
            return pl.lit(False)
        return (word & _bit_literal(bit)) != 0


_NONE = Missing({}, frozenset())


def union(*sets: Missing) -> Missing:
    present = [s for s in sets if not s.empty]
    if not present:
        return _NONE
    if len(present) == 1:
        return present[0]
    words: dict[int, list[pl.Expr]] = {}
    for s in present:
        for w, e in s.words.items():
            words.setdefault(w, []).append(e)
    merged = {w: reduce(lambda a, b: a | b, es) for w, es in words.items()}
    return Missing(merged, frozenset().union(*(s.bits for s in present)))


def pick(when: pl.Expr, then: Missing, otherwise: Missing) -> Missing:
    """`then` where `when` is true, `otherwise` elsewhere (null counts as false)."""
    if then.empty and otherwise.empty:
        return _NONE
    if then.empty:
        return otherwise.gate(~when.fill_null(False))
    if otherwise.empty:
        return then.gate(when)
    words = {
        w: pl.when(when).then(then.words.get(w, ZERO)).otherwise(otherwise.words.get(w, ZERO))
        for w in {*then.words, *otherwise.words}
    }
    return Missing(words, then.bits | otherwise.bits)


def dynamic_names(missing: Missing, leaves: Leaves, *, fact: bool) -> pl.Expr | None:
    """The names of the dynamic leaves set in `missing` (facts or params), as list[str];
    None when it can hold none. Evaluate it in the frame where the leaves' names are defined."""
    candidates = [
        leaves.all[b]
        for b in sorted(leaves.dynamic_bits(missing.bits))
        if leaves.all[b].is_fact == fact
    ]
    if not candidates:
        return None
    parts = [pl.when(missing.is_set(leaf.bit)).then(leaf.dynamic) for leaf in candidates]
    return pl.concat_list(parts).list.drop_nulls()
