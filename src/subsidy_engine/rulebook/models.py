"""The rulebook's file kinds, as pydantic models.

A rulebook is a folder::

    rulebook.yaml        Manifest: the document, its measures, which file is the source text
    source.txt           the policy text, verbatim; every quote must be a substring of it
    profile.yaml         ProfileSpec: the facts an enterprise profile may carry
    parameters.yaml      ParametersFile: the policy's figures, dated, with references
    derived.yaml         DerivedFile: facts computed from the profile, shared by rules
    measures/*.yaml      RuleFile: the rules of one measure (or a group of measures)
    tests/*.yaml         CasesFile: profiles with the results the rules must give

The JSON Schemas in `schemas/` are generated from these models; rule files name theirs on
their first line (`# yaml-language-server: $schema=…`) so an editor checks them as one types.
Expressions stay text here; `rulebook.check` parses and type-checks them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Expression = Annotated[
    str | int | float | bool,
    Field(description="An expression of the rule language, e.g. `annual_revenue >= 5000万`."),
]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Unit(StrEnum):
    """What an amount measures."""

    CASH = "cash"
    """Money paid to the enterprise (award, subsidy, refund, interest subsidy); in totals."""
    SAVING = "saving"
    """Money the enterprise no longer pays (a fee or rate cut); not in cash totals."""
    RECOMMENDATION = "recommendation"
    """The figure of an award the enterprise is recommended for; not in cash totals."""
    PRICE_FLOOR_PER_M2 = "price_floor_per_m2"
    """The lowest price per square metre a land transfer may be set at."""
    DEADLINE = "deadline"
    """A date by which the administration must have acted."""
    PERIOD_END = "period_end"
    """The last day of a transition or preference period."""
    RIGHT = "right"
    """A right or treatment without a figure."""
    PRICE_FLOOR_TOTAL = "price_floor_total"
    """The lowest price a whole plot may be transferred at, in yuan (not per m²)."""
    WORKING_DAY_BUDGET = "working_day_budget"
    """The working days the administration may spend on a procedure in all (its cumulative
    approval time): a number of days, not a date by which anything must happen."""

    @property
    def is_money(self) -> bool:
        return self in (
            Unit.CASH,
            Unit.SAVING,
            Unit.RECOMMENDATION,
            Unit.PRICE_FLOOR_PER_M2,
            Unit.PRICE_FLOOR_TOTAL,
        )

    @property
    def is_number(self) -> bool:
        """Its figure is a number: money, or a count of working days."""
        return self.is_money or self is Unit.WORKING_DAY_BUDGET

    @property
    def is_date(self) -> bool:
        return self in (Unit.DEADLINE, Unit.PERIOD_END)


class Payer(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"
    BANK = "bank"


# Manifest -------------------------------------------------------------------------------------


class NotEncodedSpec(_Model):
    quote: str = Field(description="The sentence (or words) not encoded, verbatim.")
    reason: str = Field(description="Why no rule encodes it.")


class MeasureSpec(_Model):
    number: int = Field(ge=1)
    heading: str = Field(description="The measure's heading, verbatim from the source text.")
    government_only: str | None = Field(
        default=None,
        description="Why no enterprise rule applies (the measure binds government bodies only).",
    )
    not_encoded: list[NotEncodedSpec] = Field(
        default_factory=list,
        description="Sentences an enterprise could rely on that no rule encodes, each with why.",
    )


SubjectRole = Literal["application_log"]
"""What a subject kind is for besides its obligations: `application_log`, the kind whose
application log the working-day deadline rules are checked over (at most one kind)."""


class SubjectSpec(_Model):
    facts: str = Field(description="Its facts file (the format of profile.yaml), relative path.")
    title: str
    title_en: str
    role: SubjectRole | None = Field(
        default=None,
        description="application_log: the kind whose application log the deadline rules are "
        "checked over, per department (at most one kind).",
    )


class Manifest(_Model):
    schema_: str | None = Field(
        default=None,
        alias="$schema",
        description="The JSON Schema an editor checks the file against (ignored by the loader).",
    )
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    title_en: str
    issuer: str
    document_number: str | None = None
    document_number_status: Literal["confirmed", "probable", "unknown"] = "unknown"
    published: date
    jurisdiction: str
    source: str = Field(default="source.txt", description="The policy text, relative path.")
    source_url: str | None = None
    calendar: str = Field(default="cn", description="Working-day calendar: a bundled name.")
    notes: str | None = None
    measures: list[MeasureSpec]
    subjects: dict[Identifier, SubjectSpec] = Field(
        default_factory=dict,
        description="Kinds of subject other than the enterprise that obligations bind, by name.",
    )


# Profile --------------------------------------------------------------------------------------


class ValueLabel(_Model):
    zh: str = Field(min_length=1, description="The value as a Chinese reader knows it.")
    en: str | None = Field(default=None, description="The value in English, if not the raw value.")


ValueLabels = dict[str, str | ValueLabel]
"""An enum's values as people read them: value -> Chinese label, or {zh:, en:}."""


ScalarKind = Literal[
    "bool",
    "int",
    "year",
    "decimal",
    "money",
    "ratio",
    "date",
    "text",
    "enum",
    "credit_code",
    "industry_code",
]


class ScalarFieldSpec(_Model):
    type: ScalarKind = Field(description="The kind of value the field holds.")
    title: str | None = Field(
        default=None, description="The field as people know it, in Chinese (a form's label)."
    )
    aliases: list[str] = Field(
        default_factory=list, description="Other registry column names that hold this field."
    )
    description: str | None = Field(
        default=None, description="What the fact is, for whom and when, in English."
    )
    unit: str | None = Field(
        default=None, description="The unit of a number, e.g. yuan, persons, tonnes."
    )
    values: list[str] | None = Field(default=None, description="The allowed values of an enum.")
    labels: ValueLabels | None = Field(
        default=None,
        description="For an enum: how each value is shown to people (value -> Chinese label, "
        "or {zh:, en:}); a value without one is shown as itself.",
    )
    scale: int | None = Field(
        default=None, ge=0, le=12, description="Decimal places a decimal may carry."
    )
    min: Decimal | None = Field(default=None, description="Smallest value allowed, inclusive.")
    max: Decimal | None = Field(default=None, description="Largest value allowed, inclusive.")
    self_declared: bool = Field(
        default=False,
        description="Declared by the enterprise itself: no register holds this fact.",
    )
    historical: bool = Field(
        default=False,
        description="A fact of the enterprise's past (a year it entered a register, a date "
        "already past, a recognition already received): gaps never propose changing it.",
    )
    example: Any = Field(default=None, description="A typical value, shown in documentation.")

    @model_validator(mode="after")
    def _enum_has_values(self) -> ScalarFieldSpec:
        if (self.type == "enum") != (self.values is not None):
            raise ValueError("'values' is required for an enum and only allowed for one")
        if self.labels is not None and self.type != "enum":
            raise ValueError("'labels' is only allowed for an enum")
        return self


class CheckSpec(_Model):
    expr: Expression
    message: str = Field(description="Why an item failing the check is refused.")


class ListFieldSpec(_Model):
    type: Literal["list"] = Field(description="A list: of plain values (`item`) or records.")
    title: str | None = Field(
        default=None, description="The list as people know it, in Chinese (a form's label)."
    )
    aliases: list[str] = Field(
        default_factory=list, description="Other registry column names that hold this field."
    )
    description: str | None = Field(
        default=None, description="What the list holds and which items belong in it, in English."
    )
    item: ScalarKind | None = Field(default=None, description="A list of plain values: their type.")
    fields: dict[Identifier, ScalarFieldSpec] | None = Field(
        default=None, description="A list of records: the fields of one item."
    )
    label: Identifier | None = Field(
        default=None, description="The item field that names an item in results."
    )
    checks: list[CheckSpec] = Field(
        default_factory=list, description="Conditions every item must meet, e.g. date order."
    )
    historical: bool = Field(
        default=False,
        description="Its values or items record the enterprise's past (the years it was in "
        "a register, the awards it received): gaps never propose changing it.",
    )
    example: Any = Field(default=None, description="A typical value, shown in documentation.")

    @model_validator(mode="after")
    def _item_or_fields(self) -> ListFieldSpec:
        if (self.item is None) == (self.fields is None):
            raise ValueError("a list needs exactly one of 'item' (plain values) or 'fields'")
        return self


class ProfileSpec(_Model):
    schema_: str | None = Field(
        default=None,
        alias="$schema",
        description="The JSON Schema an editor checks the file against (ignored by the loader).",
    )
    title: str = Field(
        default="EnterpriseProfile", description="The name of the profile model and schema."
    )
    key: Identifier | None = Field(default=None, description="The field identifying a profile.")
    fields: dict[Identifier, ScalarFieldSpec | ListFieldSpec] = Field(
        description="Every fact a profile may carry, by name; all optional (missing: unknown)."
    )


# Parameters and derived facts -----------------------------------------------------------------


class DatedValue(_Model):
    value: Any = Field(description="A number (万/亿 allowed), text, list, or a table {key: value}.")
    reference: str | None = None


class ParameterSpec(_Model):
    description: str
    type: Literal["int", "decimal", "money", "ratio", "text", "date", "bool"]
    list: bool = Field(default=False, description="The value is a list of `type`.")
    table_key: Literal["int", "text"] | None = Field(
        default=None, description="The value is a table from keys of this type to `type`."
    )
    unit: str | None = None
    reference: str | None = None
    values: dict[date, DatedValue] = Field(
        default_factory=dict,
        description="Value from each date on. Empty: the text gives no figure (unspecified).",
    )
    min: Decimal | None = Field(
        default=None,
        description="Smallest value allowed (default for money and ratios: 0; a negative "
        "minimum declares that the figure may be negative).",
    )
    max: Decimal | None = Field(default=None, description="Largest value allowed.")
    readings: dict[Identifier, str] | None = Field(
        default=None,
        description=(
            "A choice of readings where the text admits several: each reading by name with a "
            "one-line gloss. The parameter's value (a text) names the reading in use; a reform "
            "can switch it, and every result of a rule that depends on it names it."
        ),
    )
    readings_zh: dict[Identifier, str] | None = Field(
        default=None,
        description="Each reading's gloss in Chinese, by name (a name of `readings`).",
    )


class ParametersFile(_Model):
    schema_: str | None = Field(
        default=None,
        alias="$schema",
        description="The JSON Schema an editor checks the file against (ignored by the loader).",
    )
    parameters: dict[Identifier, ParameterSpec]


class CaseSpec(_Model):
    when: Expression
    value: Any = Field(default=None, description="A literal result (an enum value, a number…).")
    then: Expression | None = Field(default=None, description="Or an expression.")

    @model_validator(mode="after")
    def _value_or_then(self) -> CaseSpec:
        if (self.value is None) == (self.then is None):
            raise ValueError("a case needs exactly one of 'value' or 'then'")
        return self


class DerivedSpec(_Model):
    title: str | None = Field(
        default=None, description="The fact as people know it, in Chinese (shown in traces)."
    )
    description: str = Field(description="What the fact is, in English.")
    expr: Expression | None = Field(default=None, description="The fact as one expression.")
    cases: list[CaseSpec] | None = Field(
        default=None, description="Or the fact by cases: the first that holds gives the value."
    )
    otherwise: Any = Field(default=None, alias="else", description="Literal when no case holds.")
    values: list[str] | None = Field(
        default=None, description="For cases giving texts: the possible values (an enum)."
    )
    labels: ValueLabels | None = Field(
        default=None,
        description="For a fact whose values are texts: how each value is shown to people "
        "(value -> Chinese label, or {zh:, en:}).",
    )
    interpretation: str | None = Field(
        default=None, description="The reading of the text or standard the fact takes."
    )
    interpretation_zh: str | None = Field(
        default=None, description="The same reading in Chinese; legal terms as the text has them."
    )

    @model_validator(mode="after")
    def _expr_or_cases(self) -> DerivedSpec:
        if (self.expr is None) == (self.cases is None):
            raise ValueError("a derived fact needs exactly one of 'expr' or 'cases'")
        if self.cases is not None and self.otherwise is None:
            raise ValueError("'cases' needs an 'else' value")
        return self


class DerivedFile(_Model):
    schema_: str | None = Field(
        default=None,
        alias="$schema",
        description="The JSON Schema an editor checks the file against (ignored by the loader).",
    )
    derived: dict[Identifier, DerivedSpec] = Field(description="The derived facts, by name.")


# Rules ----------------------------------------------------------------------------------------


class Period(_Model):
    from_: date | None = Field(
        default=None, alias="from", description="The first day in force (none: from the start)."
    )
    until: date | None = Field(default=None, description="The last day in force, inclusive.")
    note: str | None = Field(default=None, description="Where the dates come from in the text.")

    @model_validator(mode="after")
    def _in_order(self) -> Period:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise ValueError(f"the period ends ({self.until}) before it starts ({self.from_})")
        return self

    def contains(self, day: date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day <= self.until
        )


class QuantitySpec(_Model):
    unit: Unit = Field(description="What the figure measures: cash, a saving, a deadline…")
    value: Expression | None = Field(
        default=None, description="The figure; leave out where the text states none."
    )
    payer: list[Payer] = Field(
        default_factory=list,
        description="The levels of government (or banks) that pay or grant it.",
    )
    basis: str | None = Field(default=None, description="The words granting it, verbatim.")
    label: str | None = Field(default=None, description="What the figure is, for a reader.")


class ExclusionSpec(_Model):
    units: list[Unit] = Field(
        default_factory=list, description="Entitlements with these units are withdrawn."
    )
    rules: list[RuleId] = Field(
        default_factory=list, description="These rules' entitlements are withdrawn too."
    )
    reason: str = Field(description="Why the entitlements are withdrawn, in the text's terms.")

    @model_validator(mode="after")
    def _withdraws_something(self) -> ExclusionSpec:
        if not self.units and not self.rules:
            raise ValueError("an exclusion withdraws entitlements of some 'units' or 'rules'")
        return self

    def withdraws(self, rule_id: str, unit: Unit) -> bool:
        """Whether it withdraws the entitlements of rule `rule_id`, whose unit is `unit`."""
        return unit in self.units or rule_id in self.rules


class RuleSpec(_Model):
    id: RuleId = Field(description="`m<measure>.<name>`, unique in the rulebook.")
    title: str = Field(description="The rule's title in Chinese.")
    title_en: str = Field(description="The rule's title in English.")
    kind: Literal["entitlement", "exclusion"] = Field(
        default="entitlement",
        description="An entitlement grants something; an exclusion withdraws others' grants.",
    )
    quote: str | list[str] = Field(description="The sentence(s) encoded, verbatim.")
    for_each: str | None = Field(
        default=None,
        pattern=r"^\s*[a-z][a-z0-9_]*\s+in\s+[a-z][a-z0-9_]*\s*$",
        description="Per-item rule: `item in list_field`, one result per item.",
    )
    bounded_by: str | None = Field(
        default=None,
        pattern=r"^\s*[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\s*$",
        description=(
            "Per-item rule: the item's date (`item.field`) that must fall within the rule's "
            "force (`in_force`); an item dated outside it is not an entitlement under the rule."
        ),
    )
    unbounded: str | None = Field(
        default=None,
        description="Per-item rule whose items carry dates: why none of them bounds it.",
    )
    when: dict[str, Expression] = Field(
        default_factory=dict, description="Named conditions, all of which must hold."
    )
    amount: QuantitySpec = Field(description="What the rule grants: its unit, figure and payer.")
    details: dict[Identifier, QuantitySpec] = Field(
        default_factory=dict, description="Further figures reported beside the amount, by name."
    )
    in_force: Period = Field(
        default_factory=Period, description="When the rule is in force (default: always)."
    )
    interpretation: str | None = Field(
        default=None, description="The reading of the text the rule takes, in English."
    )
    interpretation_zh: str | None = Field(
        default=None,
        description="The same reading in Chinese, for officials and enterprises; legal terms "
        "as the source text words them.",
    )
    lead_departments: list[str] | None = Field(
        default=None, description="Departments leading this rule, where not the measure's own."
    )
    excludes: ExclusionSpec | None = Field(
        default=None, description="For an exclusion: what it withdraws and why."
    )

    @field_validator("quote")
    @classmethod
    def _quotes_not_empty(cls, value: str | list[str]) -> str | list[str]:
        quotes = [value] if isinstance(value, str) else value
        if not quotes or any(not q.strip() for q in quotes):
            raise ValueError("a quote must not be empty")
        return value

    @model_validator(mode="after")
    def _exclusion_shape(self) -> RuleSpec:
        if (self.kind == "exclusion") != (self.excludes is not None):
            raise ValueError("'excludes' is required for an exclusion rule and only for one")
        return self

    @property
    def quotes(self) -> list[str]:
        return [self.quote] if isinstance(self.quote, str) else list(self.quote)


class RuleFile(_Model):
    schema_: str | None = Field(
        default=None,
        alias="$schema",
        description="The JSON Schema an editor checks the file against (ignored by the loader).",
    )
    measure: int = Field(ge=1, description="The number of the measure the rules encode.")
    lead_departments: list[str] = Field(
        description="The departments in the measure's closing parentheses."
    )
    rules: list[RuleSpec] = Field(description="The rules of the measure.")


# Obligations ----------------------------------------------------------------------------------


class ObligationSpec(_Model):
    id: RuleId = Field(description="`m<measure>.<name>`, unique across rules and obligations.")
    title: str = Field(description="The duty in Chinese, as the text puts it.")
    title_en: str = Field(description="The duty in English.")
    subject: Identifier = Field(description="The kind of subject bound, declared in rulebook.yaml.")
    quote: str | list[str] = Field(description="The sentence(s) encoded, verbatim.")
    direction: Literal["at_least", "at_most"] = Field(
        description="Whether the achieved figure must reach the required one or stay within it."
    )
    unit: Literal["yuan", "share", "count", "working_days"] = Field(
        description="What the required and achieved figures count."
    )
    required: Expression = Field(description="The figure the text requires, over the facts.")
    achieved: Expression = Field(description="The figure achieved, over the subject's facts.")
    in_force: Period = Field(
        default_factory=Period, description="When the duty binds (from/until, inclusive)."
    )
    interpretation: str | None = Field(
        default=None, description="How the text is read where it leaves room (English)."
    )
    interpretation_zh: str | None = Field(
        default=None, description="The same reading in Chinese; legal terms as the text has them."
    )
    lead_departments: list[str] | None = Field(
        default=None, description="The departments responsible, when not the file's own."
    )

    @property
    def quotes(self) -> list[str]:
        return [self.quote] if isinstance(self.quote, str) else list(self.quote)


class ObligationFile(_Model):
    schema_: str | None = Field(default=None, alias="$schema")
    measure: int = Field(ge=1)
    lead_departments: list[str] = Field(
        description="The departments in the measure's closing parentheses."
    )
    obligations: list[ObligationSpec]


# Test cases -----------------------------------------------------------------------------------


class ExpectSpec(_Model):
    status: Literal[
        "eligible",
        "ineligible",
        "undetermined",
        "not_in_force",
        "excluded",
        "ended",
        "met",
        "not_met",
    ]
    amount: Any = Field(default=None, description="Expected figure (万/亿 allowed), or a date.")
    unspecified: bool | None = None
    missing: list[str] | None = Field(default=None, description="Exactly the missing facts.")
    item: int | None = Field(default=None, description="For per-item rules: the item index.")
    readings: list[str] | None = Field(
        default=None, description="Exactly the readings the result names, `parameter=reading`."
    )
    details: dict[str, Any] | None = Field(
        default=None,
        description="Expected detail figures by name (`evaluate` only: `score` has no details).",
    )
    arithmetic: list[str] | None = Field(
        default=None,
        description=(
            "Exactly the arithmetic faults that leave the result undetermined, each "
            "`overflow: <expression>` or `division_by_zero: <expression>`."
        ),
    )
    required: Any = Field(default=None, description="An obligation's required figure.")
    achieved: Any = Field(default=None, description="An obligation's achieved figure.")
    shortfall: Any = Field(default=None, description="An obligation's shortfall.")


class ExpectedCase(_Model):
    name: str
    as_of: date
    readings: dict[Identifier, Identifier] = Field(
        default_factory=dict,
        description="Readings to use instead of the rulebook's own: {reading parameter: name}.",
    )
    parameters: dict[Identifier, Any] = Field(
        default_factory=dict,
        description="Figures to use, on every date, where the text leaves them to be set.",
    )
    profile: dict[str, Any]
    expect: dict[str, ExpectSpec | list[ExpectSpec] | str]
    subject: Identifier | None = Field(
        default=None,
        description="A subject kind: `profile` holds its facts and `expect` its obligations.",
    )

    @model_validator(mode="after")
    def _expects_what_its_results_have(self) -> ExpectedCase:
        """An expectation the results cannot have would never be checked: refused."""
        duty = self.subject is not None
        for rule_id, expected in self.expect.items():
            for spec in expected if isinstance(expected, list) else [expected]:
                status = spec if isinstance(spec, str) else spec.status
                given = set() if isinstance(spec, str) else spec.model_fields_set
                wrong = given & (_RULE_ONLY if duty else _OBLIGATION_ONLY)
                if (status in ("met", "not_met")) != duty and status not in _SHARED_STATUSES:
                    wrong.add(f"status {status}")
                if wrong:
                    whose = "an obligation" if duty else "a rule (no `subject:`)"
                    listed = ", ".join(sorted(wrong))
                    raise ValueError(f"{rule_id}: {whose} has no {listed}")
        return self


_OBLIGATION_ONLY = frozenset({"required", "achieved", "shortfall"})
_RULE_ONLY = frozenset({"amount", "unspecified", "item", "details"})
_SHARED_STATUSES = ("undetermined", "not_in_force")


class CasesFile(_Model):
    schema_: str | None = Field(
        default=None,
        alias="$schema",
        description="The JSON Schema an editor checks the file against (ignored by the loader).",
    )
    cases: list[ExpectedCase]
