"""Column mappings: which registry column holds each profile field, and how to read it.

A mapping file names, for each profile field, the registry column that holds it, and where the
registry writes values its own way, how to read them:

    columns:
      credit_code: 统一社会信用代码
      operating_revenue: {column: 营业收入(万元), unit: 万元}
      in_park: {column: 是否在园区, values: {是: true, 否: false}}
      county: {column: 所在县区, strip: [朔州市]}
      first_registered: {column: 成立日期, dates: ['%Y/%m/%d', '%Y%m%d', '%Y年%m月%d日']}
      above_scale_years: {column: 规上年份, list: ';'}
      projects: {column: 项目, list: json, dates: ['%Y/%m/%d']}
    ignore: [序号]

Mapped columns are renamed to their fields and their values transformed (`transform`) before
validation; a column already named like a field, or by its Chinese `title` or a declared alias,
needs no entry (`recognise`). `ignore` lists the registry's other columns, so that they do not
count as unrecognised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from subsidy_engine.errors import Diagnostic, DiagnosticsError, InputError, did_you_mean
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.yaml_source import YamlDocument, load_yaml

Unit = Literal["元", "万元", "亿元", "%"]
MONEY_UNITS = ("元", "万元", "亿元")


def _text(value: Any) -> str:
    """A YAML scalar as the text a registry cell would hold (`true`, not `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FieldMapping(BaseModel):
    """One field's column and how its values are written."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    column: str = Field(description="The registry column that holds the field.")
    unit: Unit | None = Field(
        default=None,
        description="The unit of the column's numbers: 元, 万元 (x10^4), 亿元 (x10^8) for an "
        "amount, % for a ratio.",
    )
    values: dict[str, str] | None = Field(
        default=None,
        description="Registry value -> profile value, e.g. {是: true, 私营: private}. A value "
        "neither listed nor already a profile value rejects its row.",
    )
    strip: list[str] = Field(
        default_factory=list,
        description="Prefixes removed from a value before it is read, e.g. 朔州市.",
    )
    dates: list[str] | None = Field(
        default=None,
        description="Date formats tried in order (strftime), e.g. '%Y/%m/%d', '%Y%m%d', "
        "'%Y年%m月%d日'; a date that fits none rejects its row. For a list of records: the "
        "formats of its items' date fields.",
    )
    list_format: str | None = Field(
        default=None,
        alias="list",
        description="How a flat file writes a list: a separator such as ';', or 'json' for a "
        "JSON array in the cell.",
    )

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {_text(k): _text(v) for k, v in value.items()}
        return value


class ColumnMapping(BaseModel):
    """Which registry column holds each profile field, and how its values are written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str | FieldMapping] = Field(
        description="profile field -> the registry column that holds it, or how to read it"
    )
    ignore: list[str] = Field(
        default_factory=list,
        description="Registry columns that hold no profile field (not counted as unrecognised).",
    )

    def field_mappings(self) -> dict[str, FieldMapping]:
        """Every mapped field as a `FieldMapping` (a bare column name reads values as they are)."""
        return {
            name: spec if isinstance(spec, FieldMapping) else FieldMapping(column=spec)
            for name, spec in self.columns.items()
        }


MappingLike = ColumnMapping | Mapping[str, str]
"""A loaded mapping, or its `columns` as a plain dict."""


def as_mapping(mapping: MappingLike | None) -> ColumnMapping:
    """`mapping` as a ColumnMapping (an empty one for None)."""
    if isinstance(mapping, ColumnMapping):
        return mapping
    return ColumnMapping(columns=dict(mapping or {}))


def load_mapping(path: Path, rulebook: Rulebook) -> ColumnMapping:
    """The mapping file at `path`, checked against the rulebook's profile fields; every problem
    is reported with its line in the file."""
    from subsidy_engine.rulebook.loader import schema_diagnostics

    if not path.is_file():
        raise InputError(f"no mapping file {path}")
    document = load_yaml(path)
    if not isinstance(document.data, Mapping):
        raise InputError(f"{path}: a mapping file is a YAML mapping with a 'columns' key")
    try:
        mapping = ColumnMapping.model_validate(document.data)
    except ValidationError as error:
        raise DiagnosticsError(schema_diagnostics(document, error)) from None
    problems = [
        problem
        for name, spec in mapping.field_mappings().items()
        for problem in _problems(document, name, spec, rulebook)
    ]
    if problems:
        raise DiagnosticsError(problems)
    return mapping


def _problems(
    document: YamlDocument, name: str, spec: FieldMapping, rulebook: Rulebook
) -> list[Diagnostic]:
    fields = rulebook.profile.spec.fields
    if name not in fields:
        guess = did_you_mean(name, fields)
        hint = f"did you mean '{guess}'?" if guess else None
        message = f"{name!r} is not a profile field"
        return [
            document.diagnostic("unknown-field", message, ["columns", name], hint=hint, at_key=True)
        ]
    found = []
    for key, message in field_problems(name, spec, fields[name]):
        found.append(document.diagnostic("bad-mapping", message, ["columns", name, key]))
    return found


def field_problems(
    name: str, spec: FieldMapping, field: ScalarFieldSpec | ListFieldSpec
) -> list[tuple[str, str]]:
    """(key of the mapping entry, why it does not fit the field) for each problem."""
    kind = field.type
    found = []
    if spec.unit is not None:
        fits = kind == "money" if spec.unit in MONEY_UNITS else kind == "ratio"
        if not fits:
            found.append(
                ("unit", f"{name} is a field of type {kind}: unit {spec.unit} does not apply")
            )
    if spec.dates is not None and not _dated(field):
        found.append(
            (
                "dates",
                f"{name} is a field of type {kind}, not a date nor a list of records with dates",
            )
        )
    if spec.list_format is not None and kind != "list":
        found.append(("list", f"{name} is a field of type {kind}, not a list"))
    if spec.values is not None and isinstance(field, ScalarFieldSpec):
        allowed = _allowed(field)
        for given, target in spec.values.items():
            if allowed is not None and target not in allowed:
                listed = ", ".join(allowed)
                found.append(("values", f"{given}: {target!r} is not a value of {name} ({listed})"))
    return found


def _dated(field: ScalarFieldSpec | ListFieldSpec) -> bool:
    """A date, or a list whose items have date fields."""
    if isinstance(field, ScalarFieldSpec):
        return field.type == "date"
    return any(f.type == "date" for f in (field.fields or {}).values())


def _allowed(field: ScalarFieldSpec) -> tuple[str, ...] | None:
    if field.type == "bool":
        return ("true", "false")
    if field.type == "enum":
        assert field.values is not None
        return tuple(field.values)
    return None


def renames(mapping: MappingLike, rulebook: Rulebook) -> dict[str, str]:
    """registry column -> profile field; InputError for a field the profile does not have."""
    columns = as_mapping(mapping).field_mappings()
    fields = rulebook.profile.types
    for name in columns:
        if name not in fields:
            guess = did_you_mean(name, fields)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise InputError(f"mapping: {name!r} is not a profile field{hint}")
    return {spec.column: field for field, spec in columns.items()}


def missing_columns(renamed: Mapping[str, str], present: Iterable[str]) -> str | None:
    """A message naming the mapped columns absent from `present`, or None when all are there."""
    have = list(present)
    absent = [column for column in renamed if column not in have]
    if not absent:
        return None
    parts = []
    for column in absent:
        guess = did_you_mean(column, have)
        parts.append(
            f"{column!r} (for {renamed[column]})" + (f", did you mean {guess!r}?" if guess else "")
        )
    return "mapped column(s) not in the input: " + "; ".join(parts)
