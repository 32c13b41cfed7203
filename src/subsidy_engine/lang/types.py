"""The types of the rule language.

Numbers are exact: `Int` for counts and years, `Dec(scale)` for money, ratios and areas, where
`scale` is the number of decimal places an expression can carry. Knowing the scale statically
lets every backend compute with the same precision (a vectorised backend needs it to size its
decimal columns); see `arith_scale` for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

DIVISION_SCALE = 12
"""Decimal places kept by `/`, rounded half away from zero, in every backend."""


@dataclass(frozen=True, slots=True)
class Type:
    def __str__(self) -> str:
        return type(self).__name__.lower()


@dataclass(frozen=True, slots=True)
class Bool(Type):
    pass


@dataclass(frozen=True, slots=True)
class Int(Type):
    pass


@dataclass(frozen=True, slots=True)
class Dec(Type):
    scale: int

    def __str__(self) -> str:
        return f"decimal({self.scale})"


@dataclass(frozen=True, slots=True)
class Str(Type):
    pass


@dataclass(frozen=True, slots=True)
class Enum(Type):
    """A string restricted to a known set of values; comparing with another value is an error."""

    values: tuple[str, ...]

    def __str__(self) -> str:
        return "one of {" + ", ".join(self.values) + "}"


@dataclass(frozen=True, slots=True)
class Date(Type):
    pass


@dataclass(frozen=True, slots=True)
class Record(Type):
    name: str
    fields: tuple[tuple[str, Type], ...]

    def field(self, name: str) -> Type | None:
        return dict(self.fields).get(name)

    def __str__(self) -> str:
        return f"record {self.name}"


@dataclass(frozen=True, slots=True)
class List(Type):
    item: Type

    def __str__(self) -> str:
        return f"list of {self.item}"


@dataclass(frozen=True, slots=True)
class Table(Type):
    """A parameter table: `price[grade]` looks a value up by key."""

    key: Type
    value: Type

    def __str__(self) -> str:
        return f"table from {self.key} to {self.value}"


BOOL = Bool()
INT = Int()
STR = Str()
DATE = Date()
DEC0 = Dec(0)


def is_numeric(t: Type) -> bool:
    return isinstance(t, Int | Dec)


def is_text(t: Type) -> bool:
    return isinstance(t, Str | Enum)


def scale_of(t: Type) -> int:
    """Decimal places of a numeric type (an integer has none)."""
    return t.scale if isinstance(t, Dec) else 0


def arith_scale(op: str, left: Type, right: Type) -> Type:
    """Result type of `left op right` for numeric operands.

    `+ -` keep the larger scale, `*` adds scales, `/` keeps DIVISION_SCALE places;
    two integers stay an integer except under `/`.
    """
    if op == "/":
        return Dec(DIVISION_SCALE)
    if isinstance(left, Int) and isinstance(right, Int):
        return INT
    if op == "*":
        return Dec(scale_of(left) + scale_of(right))
    return Dec(max(scale_of(left), scale_of(right)))


def unify_numeric(types: list[Type]) -> Type:
    """The type able to hold any of `types` (all numeric): Int, or Dec with the largest scale."""
    if all(isinstance(t, Int) for t in types):
        return INT
    return Dec(max(scale_of(t) for t in types))


def comparable(a: Type, b: Type) -> bool:
    """Whether `a` and `b` may be compared with == and the ordering operators."""
    if is_numeric(a) and is_numeric(b):
        return True
    if is_text(a) and is_text(b):
        return True
    return type(a) is type(b) and isinstance(a, Bool | Date)
