"""The domain of each profile field: the bounds and decimal places its values may take.

A field's domain is worked out here once, from its declaration in `profile.yaml` and the
defaults of its kind, and read by everything that accepts or makes a value: the pydantic model
(`profile`), batch validation (`batch.coerce`), the synthetic generator and the hypothesis
strategies (`testing`). A declared bound always wins over the default, a falsy one (`min: 0`)
included.

>>> field_domain("year", None)
FieldDomain(kind='year', lower=Decimal('1900'), upper=Decimal('2200'), scale=0)
>>> field_domain("money", None).upper
Decimal('1000000000000000')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from subsidy_engine.rulebook.models import ScalarFieldSpec, ScalarKind

MONEY_MAX = Decimal(10) ** 15
"""Largest amount accepted (1000万亿 yuan)."""
NUMBER_LIMIT = Decimal(10) ** 18
"""No profile number is larger in magnitude: an integer fits 64 bits, and a decimal of scale 12
fits 38 digits. A declared bound beyond it is narrowed to it."""
MAX_SCALE = 12
"""Most decimal places a figure may carry (a field's `scale`, a parameter's value)."""
DEFAULT_RATIO_SCALE = 6
DEFAULT_SCALES: dict[ScalarKind, int] = {"money": 2, "ratio": DEFAULT_RATIO_SCALE, "decimal": 4}
"""Decimal places of a decimal kind when the field declares no `scale`."""
DECIMAL_KINDS: tuple[ScalarKind, ...] = ("decimal", "money", "ratio")
WHOLE_KINDS: tuple[ScalarKind, ...] = ("int", "year")

_DEFAULT_BOUNDS: dict[ScalarKind, tuple[Decimal, Decimal]] = {
    "money": (Decimal(0), MONEY_MAX),
    "ratio": (Decimal(0), Decimal(1)),
    "year": (Decimal(1900), Decimal(2200)),
    "int": (-NUMBER_LIMIT, NUMBER_LIMIT),
    "decimal": (-NUMBER_LIMIT, NUMBER_LIMIT),
}


@dataclass(frozen=True, slots=True)
class FieldDomain:
    """The values a scalar field accepts: inclusive bounds (None: unbounded) and, for a number,
    its decimal places (0 for whole numbers and for the kinds that are not numbers)."""

    kind: ScalarKind
    lower: Decimal | None
    upper: Decimal | None
    scale: int

    @property
    def numeric(self) -> bool:
        return self.kind in WHOLE_KINDS or self.kind in DECIMAL_KINDS

    def problem(self, value: Decimal) -> str | None:
        """Why a number lies outside the bounds, in the words both validators use, or None."""
        if self.lower is not None and value < self.lower:
            return f"must be >= {self.lower}"
        if self.upper is not None and value > self.upper:
            return f"must be <= {self.upper}"
        return None


def scale_of_kind(kind: ScalarKind, scale: int | None) -> int:
    """Decimal places of a value of `kind` declared with `scale` (None: the kind's default)."""
    if scale is not None:
        return scale
    return DEFAULT_SCALES.get(kind, 0)


def field_domain(kind: ScalarKind, spec: ScalarFieldSpec | None) -> FieldDomain:
    """The domain of a field of `kind` declared by `spec` (None for the items of a list of plain
    values, which take the kind's defaults)."""
    default_lower, default_upper = _DEFAULT_BOUNDS.get(kind, (None, None))
    lower = spec.min if spec is not None and spec.min is not None else default_lower
    upper = spec.max if spec is not None and spec.max is not None else default_upper
    if kind in WHOLE_KINDS or kind in DECIMAL_KINDS:
        lower = -NUMBER_LIMIT if lower is None else max(lower, -NUMBER_LIMIT)
        upper = NUMBER_LIMIT if upper is None else min(upper, NUMBER_LIMIT)
    scale = scale_of_kind(kind, spec.scale if spec is not None else None)
    return FieldDomain(kind, lower, upper, scale if kind in DECIMAL_KINDS else 0)
