"""The service's request and response bodies: its JSON contract, documented field by field.

The OpenAPI document (`/openapi.json`) is generated from these models; the profile inside a
request is the rulebook's own profile model, so its fields, titles and bounds are documented
there too.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from subsidy_engine.results import Status

Decimal = str
"""Amounts travel as exact decimal strings of yuan ("7800000.00"), never floats."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class EvaluateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statuses: list[Status] | None = Field(
        default=None,
        description="Keep only results of these statuses (default: every status).",
        max_length=len(Status),
    )
    citations: Literal["full", "ref", "id"] = Field(
        default="full",
        description="`full`: each result repeats its rule and citation. `ref`: each result "
        "has a `rule_id`; `rules`, `measures` and `document` list each once. `id`: each result "
        "has a `rule_id` and nothing more of its rule (`GET /rules` lists them).",
    )
    traces: bool = Field(
        default=True, description="Include each condition's trace (the values it saw)."
    )


Reform = dict[str, Any]


# Responses ------------------------------------------------------------------------------------


class PeriodOut(_Out):
    start: date | None = Field(description="First day in force (none: from the beginning).")
    end: date | None = Field(description="Last day in force (none: open-ended).")


class CitationOut(_Out):
    document: str | None = Field(
        default=None, description="The policy document's title (in `document` when cited by ref)."
    )
    document_number: str | None = Field(
        default=None, description="Its issue number, e.g. 朔发〔2018〕29号."
    )
    measure: int = Field(description="The measure (article) number in the document.")
    heading: str | None = Field(
        default=None, description="The measure's heading (in `measures` when cited by ref)."
    )
    quotes: list[str] = Field(description="Verbatim sentences of the text this rule encodes.")
    lead_departments: list[str] | None = Field(
        default=None,
        description="Departments named in the measure's closing parentheses (in `measures` "
        "when cited by ref).",
    )


class ReadingOut(_Out):
    parameter: str = Field(description="The parameter that chooses among the readings.")
    name: str | None = Field(
        description="The reading used; null when the parameter has no value on `as_of`."
    )
    gloss: str | None = Field(description="What the reading takes the text to mean.")
    alternatives: list[str] = Field(description="The names of the other readings.")
    gloss_zh: str | None = Field(
        default=None, description="The gloss in Chinese; null where none is written."
    )


class RuleInfoOut(_Out):
    id: str = Field(description="The rule's id, `m<measure>.<name>`.")
    title: str = Field(description="The rule's title in Chinese.")
    title_en: str = Field(description="The rule's title in English.")
    kind: str = Field(description="`entitlement` or `exclusion`.")
    citation: CitationOut = Field(description="Where the text says so.")
    in_force: PeriodOut = Field(description="When the rule is in force.")
    interpretation: str | None = Field(
        default=None, description="The reading taken where the text admits more than one."
    )
    interpretation_zh: str | None = Field(
        default=None, description="The same reading in Chinese; null where none is written."
    )
    readings: list[ReadingOut] = Field(
        default_factory=list,
        description="The named readings of the text the rule depends on, as chosen on `as_of`.",
    )


_AMOUNT_STATUS = (
    "determined (see value), unspecified (the text gives no figure), unknown (facts missing) "
    "or none (a right)."
)


class _AmountBase(_Out):
    status: Literal["determined", "unspecified", "unknown", "none"] = Field(
        description=_AMOUNT_STATUS
    )
    payer: list[str] = Field(description="Payer levels: national, provincial, city, county, bank.")
    basis: str | None = Field(
        default=None, description="The words of the text that give the figure."
    )
    label: str | None = Field(default=None, description="What a detail figure is.")
    unspecified_parameters: list[str] = Field(
        description="Parameters without a value that would give the figure."
    )


MoneyUnit = Literal["cash", "saving", "recommendation", "price_floor_per_m2", "price_floor_total"]


class MoneyAmountOut(_AmountBase):
    """A figure in yuan: paid (cash), no longer paid (saving), an award recommended for, or a
    land price floor per m² or for a whole plot."""

    unit: MoneyUnit = Field(description="What the figure measures; only cash counts in totals.")
    value: str | None = Field(
        description="Exact yuan as a decimal string, rounded to the fen; null unless determined.",
        pattern=r"^-?\d+(\.\d+)?$",
    )


class WorkingDaysAmountOut(_AmountBase):
    """The working days the administration may spend on a procedure in all: a count of PRC
    working days, not a date by which anything must happen."""

    unit: Literal["working_day_budget"] = Field(description="A budget of working days.")
    value: str | None = Field(
        description="The number of working days as a decimal string; null unless determined.",
        pattern=r"^\d+(\.\d+)?$",
    )


class DateAmountOut(_AmountBase):
    """A date: when the administration must have acted, or when a granted period ends."""

    unit: Literal["deadline", "period_end"] = Field(description="Which kind of date.")
    value: date | None = Field(description="The date; null unless determined.")


class RightAmountOut(_AmountBase):
    """A right or treatment without a figure."""

    unit: Literal["right"] = Field(description="A right: no figure.")
    value: None = Field(description="Always null.")


AmountOut = Annotated[
    MoneyAmountOut | WorkingDaysAmountOut | DateAmountOut | RightAmountOut,
    Field(discriminator="unit"),
]
"""An amount: its value's type follows its unit."""


class ConditionOut(_Out):
    name: str = Field(description="The condition's name in the rule.")
    expression: str = Field(description="The condition in the rule language.")
    outcome: bool | None = Field(description="True, false, or null when unknown.")
    values: dict[str, Any] = Field(
        description="The facts and parameters it read, with the values seen (null: missing)."
    )
    arithmetic: list[str] = Field(
        default_factory=list,
        description="For an unknown outcome: the arithmetic faults that left it unknown, each "
        "`overflow: <expression>` or `division_by_zero: <expression>`.",
    )


class ItemOut(_Out):
    list_field: str = Field(description="The profile list the item belongs to, e.g. projects.")
    index: int = Field(description="The item's position in that list, from 0.")
    label: str | None = Field(default=None, description="The item's name, where it has one.")


class ExclusionOut(_Out):
    rule_id: str = Field(description="The exclusion rule that withdraws this result.")
    reason: str = Field(description="Why, in the exclusion rule's words.")
    citation: CitationOut = Field(description="Where the text says so.")
    certain: bool = Field(description="False when the exclusion itself is undetermined.")


class ResultOut(_Out):
    rule: RuleInfoOut | None = Field(
        default=None, description="The rule, with its citation (citations=full)."
    )
    rule_id: str | None = Field(
        default=None,
        description="The rule's id: a key of `rules` with citations=ref; "
        "with citations=id, `GET /rules/{id}` describes it.",
    )
    status: Status = Field(description="The rule's status for this profile on `as_of`.")
    amount: AmountOut = Field(description="The figure, or why there is none.")
    conditions: list[ConditionOut] | None = Field(
        default=None, description="Every condition, in order (absent when traces are off)."
    )
    missing_facts: list[str] = Field(
        description="Profile facts that would decide an undetermined result or unknown amount."
    )
    missing_parameters: list[str] = Field(
        description="Parameters without a value in force that a condition needed."
    )
    item: ItemOut | None = Field(description="For a per-item rule: which item.")
    details: dict[str, AmountOut] | None = Field(description="Further named figures of the rule.")
    excluded_by: ExclusionOut | None = Field(description="The exclusion that withdraws it.")
    arithmetic: list[str] = Field(
        default_factory=list,
        description="Arithmetic faults that left the result or its amount undetermined, each "
        "`overflow: <expression>` or `division_by_zero: <expression>`.",
    )


class PayerTotalOut(_Out):
    payer: str = Field(description="A payer level, or levels joined by '+' when named together.")
    amount: str = Field(description="Eligible cash from this payer, exact yuan (decimal string).")
    counted: int = Field(description="Entitlements whose figure is in `amount`.")
    unspecified: int = Field(
        description="Eligible cash entitlements left out because the figure is unspecified or "
        "unknown."
    )


class ProvenanceOut(_Out):
    rulebook_id: str = Field(description="The rulebook that decided.")
    rulebook_sha256: str = Field(description="Content hash of the rulebook's files.")
    engine_version: str = Field(description="The engine's version.")
    as_of: date = Field(description="The date the profile was evaluated on.")
    reform: str | None = Field(default=None, description="The reform applied, if any.")


class MeasureOut(_Out):
    heading: str = Field(description="The measure's heading.")
    lead_departments: list[str] = Field(description="Its lead departments.")


class DocumentOut(_Out):
    title: str = Field(description="The policy document's title.")
    number: str | None = Field(description="Its issue number.")


class EvaluationOut(_Out):
    profile_key: str | None = Field(description="The profile's key (the credit code), if given.")
    provenance: ProvenanceOut = Field(description="What decided, for an audit years later.")
    results: list[ResultOut] = Field(description="One result per rule (or per item).")
    totals: list[PayerTotalOut] = Field(description="Eligible cash by payer level.")
    rules: dict[str, RuleInfoOut] | None = Field(
        default=None, description="citations=ref: each rule once, by id."
    )
    measures: dict[str, MeasureOut] | None = Field(
        default=None, description="citations=ref: each measure once, by number."
    )
    document: DocumentOut | None = Field(
        default=None, description="citations=ref: the policy document."
    )


class GapChangeOut(_Out):
    fact: str = Field(description="A profile field (or `list[i].field`, or a derived fact).")
    requirement: str = Field(description="What it must satisfy, e.g. `>= 50000000`.")
    current: Any = Field(description="Its value now (null: unknown).")
    target: Any = Field(description="The value that would do it, where one value does.")
    settable: bool = Field(description="True when `fact` is a profile field one can just set.")


class GapOut(_Out):
    rule_id: str = Field(description="The rule not yet qualified for.")
    title: str = Field(description="Its title in Chinese.")
    measure: int = Field(description="Its measure number.")
    status: Status = Field(description="Its status now.")
    item: str | None = Field(description="For a per-item rule: which item.")
    reachable: bool = Field(description="False when no change of the enterprise's facts does it.")
    changes: list[GapChangeOut] = Field(description="The smallest change found.")
    missing_facts: list[str] = Field(description="Facts to supply to decide it.")
    distance: float | None = Field(description="How far: 0 is closest (null: out of reach).")
    verified: bool | None = Field(description="Whether re-evaluating the change confirms it.")
    note: str = Field(description="Why it is out of reach, where it is.")


class QuestionOut(_Out):
    fact: str = Field(description="A profile field to ask for.")
    title: str | None = Field(default=None, description="The field's title in Chinese.")
    decides: list[str] = Field(description="The undetermined rules it would help decide.")


class GapsOut(_Out):
    gaps: list[GapOut] = Field(description="Closest first; out of reach last.")
    questions: list[QuestionOut] = Field(
        description="Facts to ask for, the one that decides most undetermined rules first."
    )


class FlippedOut(_Out):
    name: str = Field(description="The condition's name.")
    expression: str = Field(description="The condition.")
    before: bool | None = Field(description="Its outcome before.")
    after: bool | None = Field(description="Its outcome after.")


class ChangeOut(_Out):
    rule_id: str = Field(description="The rule whose result changes.")
    title: str = Field(description="Its title.")
    item: str | None = Field(description="For a per-item rule: which item.")
    kind: str = Field(description="gained, lost or changed.")
    before: str | None = Field(description="Status before.")
    after: str | None = Field(description="Status after.")
    amount_delta: str | None = Field(description="Change of eligible money, exact yuan.")
    flipped: list[FlippedOut] = Field(description="Conditions whose outcome changed.")


class WhatIfOut(_Out):
    changes: list[ChangeOut] = Field(description="Every rule or item whose result changes.")


class ScoreItemOut(_Out):
    index: int = Field(description="The profile's position in the request, from 0.")
    evaluation: EvaluationOut | None = Field(description="Its evaluation, when it was valid.")
    error: ErrorOut | None = Field(description="Why it was refused, when it was not.")


class ScoreOut(_Out):
    items: list[ScoreItemOut] = Field(description="One per profile, in request order.")
    evaluated: int = Field(description="Profiles evaluated.")
    refused: int = Field(description="Profiles refused (see each item's error).")


class ProblemOut(_Out):
    code: str = Field(description="A stable short code, e.g. bad-profile, unknown-rule.")
    field: str | None = Field(description="The field at fault, e.g. employees, projects[0].area.")
    location: str | None = Field(
        description="Where in the request: body, query or path, then the path to the value."
    )
    message: str = Field(description="What is wrong, in the language asked for.")
    hint: str | None = Field(default=None, description="A suggestion, e.g. did you mean ….")


class ErrorOut(_Out):
    code: str = Field(description="A stable short code of the whole error.")
    message: str = Field(
        description="What went wrong, in Chinese or English by the request's Accept-Language."
    )
    field: str | None = Field(default=None, description="The first field at fault, if any.")
    location: str | None = Field(default=None, description="Where the first problem is.")
    problems: list[ProblemOut] = Field(description="Every problem found, each placed.")


ScoreItemOut.model_rebuild()


class RuleRowOut(_Out):
    id: str = Field(description="The rule's id.")
    measure: int = Field(description="Its measure number.")
    title: str = Field(description="Its title in Chinese.")
    title_en: str = Field(description="Its title in English.")
    kind: str = Field(description="entitlement or exclusion.")
    unit: str = Field(description="What its figure measures.")
    amount: str = Field(description="Its figure in the rule language, `unspecified` or `—`.")


class ConditionSpecOut(_Out):
    name: str = Field(description="The condition's name.")
    expression: str = Field(description="The condition in the rule language.")


class RuleDetailOut(_Out):
    rule: RuleInfoOut = Field(description="The rule with its citation.")
    conditions: list[ConditionSpecOut] = Field(description="Every condition, all must hold.")
    amount: RuleRowOut = Field(description="Its figure and unit.")
    readings: list[str] = Field(
        description="Readings taken where the text admits several (the rule's and its derived "
        "facts')."
    )
    readings_zh: list[str] = Field(
        description="The same readings in Chinese (English where none is written), each "
        "derived fact's by its Chinese title."
    )
    fields: dict[str, list[str]] = Field(
        description="Profile fields that decide it, each with the derived facts it goes "
        "through (empty: read directly)."
    )


class DatedValueOut(_Out):
    start: date = Field(description="In force from this day.")
    value: Any = Field(description="The value (decimal strings for numbers; null: no figure).")
    reference: str | None = Field(description="Where the value comes from.")


class ParameterOut(_Out):
    name: str = Field(description="The parameter's name.")
    description: str = Field(description="What it is.")
    type: str = Field(description="Its type.")
    unit: str | None = Field(description="Its unit.")
    values: list[DatedValueOut] = Field(description="Its dated values; empty: no figure.")


class CoverageOut(_Out):
    measure: int = Field(description="The measure number.")
    heading: str = Field(description="Its heading.")
    coverage: str = Field(description="Its rules, or why it has none.")


class RuleUseOut(_Out):
    rule_id: str = Field(description="A rule that reads the field.")
    measure: int = Field(description="Its measure.")
    via: list[str] = Field(description="Derived facts in between (empty: read directly).")


class ValueLabelOut(_Out):
    zh: str = Field(description="The value as a Chinese reader knows it.")
    en: str | None = Field(description="The value in English, or null: shown as itself.")


class FieldUseOut(_Out):
    field: str = Field(description="A profile field.")
    title: str | None = Field(description="Its title in Chinese.")
    labels: dict[str, ValueLabelOut] = Field(
        description="For an enum: how each value is shown to people, by value."
    )
    item_labels: dict[str, dict[str, ValueLabelOut]] = Field(
        description="For a list of records: the labels of its items' enum fields, by field."
    )
    rules: list[RuleUseOut] = Field(description="The rules it feeds.")


class HealthOut(_Out):
    status: Literal["ok"] = Field(description="ok when the rulebook is loaded.")
    rulebook_id: str = Field(description="The rulebook served.")
    rulebook_sha256: str = Field(description="Its content hash.")
    engine_version: str = Field(description="The engine's version.")


def contract_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas of what the engine answers: an evaluation (`to_json`, `/evaluate`),
    one rule in detail (`/rules/{id}`) and an error (the service's, and the CLI's under
    `--format json`)."""
    return {
        "evaluation.schema.json": EvaluationOut.model_json_schema(mode="serialization"),
        "rule.schema.json": RuleDetailOut.model_json_schema(mode="serialization"),
        "error.schema.json": ErrorOut.model_json_schema(mode="serialization"),
    }
