"""The configuration of a synthetic registry: the models of ``synthetic.yaml``.

The engine knows nothing of any city: an optional ``synthetic.yaml`` beside
the rulebook's ``profile.yaml`` describes a realistic registry. A field without an entry gets a
generic draw by its type and bounds, and every field except the profile's key is missing with a
probability (``missing``, 5% unless set). The key is unique by construction. The format::

    missing: 0.05                  # default chance that a field is missing (null)
    fields:                        # scalar fields of the profile
      county: {weights: {朔城区: 0.30, 平鲁区: 0.12}}        # categorical; weights normalised
      industry_code:
        weights: {B0610: 0.16, C3074: 0.03}
        rest: 0.10                 # spread evenly over every other allowed value
        given: county              # multiply weights where county has a value:
        factors: {怀仁市: {C3074: 4}}
      employees: {lognormal: {median: 18, sigma: 1.4}, max: 50000}
      operating_revenue:
        lognormal: {median: 600万, sigma: 1.8}
        correlate: {with: employees, rho: 0.7}     # of the underlying normal draws
      annual_sales: {like: operating_revenue, factor: [0.9, 1.0]}
      layoffs: {zero: 0.85, lognormal: {median: 3, sigma: 1}}  # zero with probability 0.85
      ownership: {weights: {private: 0.86, state_owned: 0.05}, missing: 0}
      in_park: {p: 0.35}           # booleans: probability of true
      neeq_listing_year: {uniform: [2013, 2020], only_if: neeq_listed}
      fly_ash_share: {uniform: [0.05, 0.4], only_if: {industry_code: [C307]}, otherwise: 0}
      name: {format: "朔州市{row:07d}有限公司"}       # texts: {row} is the row number
      credit_code:
        prefixes: {"91": 0.97, "93": 0.03}          # registration authority and type
        divisions_by: {field: county, map: {朔城区: "140602"}, default: "140600"}
    lists:
      projects:
        count: {0: 0.82, 1: 0.14, 2: 0.04}          # number of items
        fields:                    # the item's fields, same grammar (references stay in the item)
          signing_date: {uniform: [2015-01-01, 2020-06-30]}
          completion_date: {like: signing_date, shift: [60, 1200], missing: 0.3}
      above_scale_years:
        count: {0: 0.9, 2: 0.05, 3: 0.05}
        item: {uniform: [2015, 2020]}
        consecutive: true          # a run of consecutive values from the first
        only_if: {industry_code: [B, C, D]}
        otherwise: []              # an empty list where the condition fails (else missing)

An entry takes at most one distribution (`weights`, `p`, `uniform`, `lognormal`, `like`,
`constant`, or for texts `format`) and any modifiers: `missing`, `min`/`max` (clip), `zero`,
`only_if`/`otherwise`, `given`/`factors` (with `weights`), `correlate` (with `lognormal`),
`factor` (numbers) or `shift` (dates in days, integers) with `like`. Amounts accept 万, 亿 and %.
`only_if` is a boolean field's name, or ``{field: [values or code prefixes]}`` or
``{field: {min: …, max: …}}``; conditions and references read the referenced field's drawn
value even where that field is then blanked as missing. Mistakes are reported with the file,
line and key.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from subsidy_engine.synthetic.kinds import parse_amount

DEFAULT_MISSING = 0.05


def _text_keys(value: object) -> object:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


Probability = Annotated[float, Field(ge=0, le=1)]
Weight = Annotated[float, Field(ge=0)]
Number = Annotated[Decimal, BeforeValidator(parse_amount)]
Bound = Annotated[Decimal | date, BeforeValidator(parse_amount)]
Key = bool | int | str | date
"""A value as YAML writes it: a weight's key, a constant, an `otherwise`."""
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Lognormal(_Model):
    """A log-normal draw: half the values fall below `median`; `sigma` is the spread of the log."""

    median: Annotated[Number, Field(gt=0)]
    sigma: Annotated[float, Field(ge=0, le=10)]


class Correlate(_Model):
    """Correlate a log-normal draw with another field's log-normal draw."""

    with_: Identifier = Field(alias="with")
    rho: Annotated[float, Field(ge=-1, le=1)]


class Range(_Model):
    min: Bound | None = None
    max: Bound | None = None


class DivisionsBy(_Model):
    """Credit-code divisions (positions 3-8) read from another field's value."""

    field: Identifier
    map: Annotated[
        dict[str, Annotated[str, Field(pattern=r"^\d{6}$")]], BeforeValidator(_text_keys)
    ]
    default: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None


Condition = Identifier | dict[Identifier, list[Key] | Range]


class FieldGen(_Model):
    """How one field (or one item field) is drawn; see the module docstring."""

    missing: Probability | None = None
    weights: dict[Key, Weight] | None = None
    rest: Probability | None = None
    p: Probability | None = None
    uniform: tuple[Bound, Bound] | None = None
    lognormal: Lognormal | None = None
    like: Identifier | None = None
    constant: Key | None = None
    format: str | None = Field(
        default=None, description="A text: literal text around {row} (or {row:07d}) and {item}."
    )
    given: Identifier | None = None
    factors: dict[Key, dict[Key, Weight]] | None = None
    correlate: Correlate | None = None
    factor: tuple[float, float] | None = None
    shift: tuple[int, int] | None = None
    zero: Probability | None = None
    min: Bound | None = None
    max: Bound | None = None
    only_if: Condition | None = None
    otherwise: Key | None = None
    prefixes: Annotated[dict[str, Weight], BeforeValidator(_text_keys)] | None = None
    divisions: Annotated[dict[str, Weight], BeforeValidator(_text_keys)] | None = None
    divisions_by: DivisionsBy | None = None

    def distribution(self) -> str | None:
        chosen = [k for k in DISTRIBUTIONS if getattr(self, k) is not None]
        return chosen[0] if chosen else None


DISTRIBUTIONS = ("weights", "p", "uniform", "lognormal", "like", "constant", "format")


class ListGen(_Model):
    """How a list field is drawn: how many items, and each item's fields (or its value)."""

    missing: Probability | None = None
    count: dict[Annotated[int, Field(ge=0, le=10_000)], Weight] | None = None
    item: FieldGen | None = Field(default=None, description="A list of values: how one is drawn.")
    consecutive: bool = Field(
        default=False, description="A list of integers or years: consecutive from the first."
    )
    fields: dict[Identifier, FieldGen] = Field(default_factory=dict)
    only_if: Condition | None = None
    otherwise: list[Any] | None = Field(
        default=None, description="[] for an empty list where `only_if` fails (else missing)."
    )


class SyntheticConfig(_Model):
    """The content of a rulebook's ``synthetic.yaml``."""

    schema_: str | None = Field(default=None, alias="$schema")
    missing: Probability = DEFAULT_MISSING
    fields: dict[Identifier, FieldGen] = Field(default_factory=dict)
    lists: dict[Identifier, ListGen] = Field(default_factory=dict)


FORMAT_FIELD = re.compile(r"\{(row|item)(?::0(\d{1,2})d)?\}")
