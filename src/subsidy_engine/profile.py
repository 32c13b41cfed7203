"""The enterprise profile: the input contract, built from a rulebook's `profile.yaml`.

The engine knows no fields of its own: a rulebook declares them (type, unit, bounds, whether the
enterprise declares them itself), and `ProfileSchema` turns that declaration into

* a pydantic model (`EnterpriseProfile`) that validates and normalises an input, and
* the rule language's types of those fields, for the checker.

Every field is optional: a missing fact is unknown, never zero or false.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from subsidy_engine.domains import field_domain, scale_of_kind
from subsidy_engine.errors import Diagnostic, ProfileError, did_you_mean
from subsidy_engine.identifiers import (
    credit_code_problem,
    industry_code_problem,
    normalise_industry_code,
)
from subsidy_engine.lang import types as t
from subsidy_engine.rulebook.labels import label_pair
from subsidy_engine.rulebook.models import ListFieldSpec, ProfileSpec, ScalarFieldSpec, ScalarKind
from subsidy_engine.schema_bounds import standard_bounds
from subsidy_engine.values import reader

ItemCheck = Callable[[Mapping[str, Any]], bool | None]
"""A compiled item check: false when the item breaks it, None when it cannot tell."""


class _ProfileBase(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        json_schema_extra=standard_bounds,
    )


def lang_type(spec: ScalarFieldSpec) -> t.Type:
    """The rule-language type of a scalar field."""
    return _scalar_type(spec.type, spec.scale, spec.values)


def _scalar_type(kind: ScalarKind, scale: int | None, values: list[str] | None) -> t.Type:
    if kind == "bool":
        return t.BOOL
    if kind in ("int", "year"):
        return t.INT
    if kind in ("money", "ratio", "decimal"):
        return t.Dec(scale_of_kind(kind, scale))
    if kind == "date":
        return t.DATE
    if kind == "enum":
        assert values is not None
        return t.Enum(tuple(values))
    return t.STR


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    def validate(value: str) -> str:
        reason = problem(value)
        if reason:
            raise ValueError(reason)
        return value

    return validate


def _annotation(kind: ScalarKind, spec: ScalarFieldSpec | None) -> Any:
    """The pydantic annotation of one scalar value (without the `| None`)."""
    domain = field_domain(kind, spec)
    read = BeforeValidator(reader(kind))
    if kind == "bool":
        return Annotated[bool, read]
    if kind in ("int", "year"):
        lower = math.ceil(domain.lower) if domain.lower is not None else None
        upper = math.floor(domain.upper) if domain.upper is not None else None
        return Annotated[int, Field(ge=lower, le=upper), read]
    if kind in ("decimal", "money", "ratio"):
        return Annotated[
            Decimal,
            read,
            Field(
                ge=domain.lower,
                le=domain.upper,
                decimal_places=domain.scale,
                allow_inf_nan=False,
            ),
        ]
    if kind == "date":
        return Annotated[date, read]
    if kind == "enum":
        assert spec is not None and spec.values is not None
        return Literal[tuple(spec.values)]
    if kind == "credit_code":
        return Annotated[
            str, BeforeValidator(_upper), AfterValidator(_checked(credit_code_problem))
        ]
    if kind == "industry_code":
        return Annotated[
            str,
            BeforeValidator(_normalise_industry),
            AfterValidator(_checked(industry_code_problem)),
        ]
    return Annotated[str, Field(min_length=1)]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _normalise_industry(value: object) -> object:
    return normalise_industry_code(value) if isinstance(value, str) else value


def _field(spec: ScalarFieldSpec | ListFieldSpec, annotation: Any) -> tuple[Any, Any]:
    extra: dict[str, Any] = {}
    unit = getattr(spec, "unit", None)
    if unit:
        extra["unit"] = unit
    if getattr(spec, "self_declared", False):
        extra["self_declared"] = True
    labels = {v: label_pair(label) for v, label in (getattr(spec, "labels", None) or {}).items()}
    if labels:
        extra["labels"] = {value: zh for value, (zh, _) in labels.items()}
        english = {value: en for value, (_, en) in labels.items() if en}
        if english:
            extra["labels_en"] = english
    return (
        annotation | None,
        Field(
            default=None,
            title=spec.title,
            description=_describe(spec),
            json_schema_extra=extra or None,
        ),
    )


def _describe(spec: ScalarFieldSpec | ListFieldSpec) -> str | None:
    parts = [spec.description or ""]
    if isinstance(spec, ScalarFieldSpec):
        if spec.unit:
            parts.append(f"Unit: {spec.unit}.")
        if spec.self_declared:
            parts.append("Self-declared by the enterprise.")
    text = " ".join(p for p in parts if p).strip()
    return text or None


@dataclass(frozen=True, slots=True)
class ProfileSchema:
    """A rulebook's profile declaration, compiled: the pydantic model and the field types."""

    spec: ProfileSpec
    model: type[BaseModel]
    types: Mapping[str, t.Type]
    records: Mapping[str, t.Record]
    """For each list-of-records field, the type of one item."""

    @property
    def key(self) -> str | None:
        return self.spec.key

    def validate(self, data: Mapping[str, Any] | BaseModel) -> BaseModel:
        """A validated profile, or ProfileError naming every bad field and why."""
        if isinstance(data, self.model):
            return data
        if isinstance(data, BaseModel):
            data = data.model_dump(exclude_none=True)
        try:
            return self.model.model_validate(data)
        except ValidationError as error:
            raise ProfileError(self.diagnostics(error)) from None

    def diagnostics(self, error: ValidationError) -> list[Diagnostic]:
        out = []
        for item in error.errors(include_url=False):
            path = format_loc(item["loc"])
            hint = None
            if item["type"] == "extra_forbidden":
                guess = did_you_mean(str(item["loc"][-1]), self._names_at(item["loc"]))
                hint = f"did you mean '{guess}'?" if guess else None
                message = "unknown field"
            else:
                message = str(item["msg"]).removeprefix("Value error, ")
            out.append(Diagnostic("bad-profile", message, yaml_path=path or None, hint=hint))
        return out

    def _names_at(self, loc: tuple[Any, ...]) -> list[str]:
        if len(loc) >= 3 and loc[0] in self.records:
            return [name for name, _ in self.records[str(loc[0])].fields]
        return list(self.types)


def format_loc(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a field path: ('projects', 0, 'area') -> projects[0].area."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def profile_types(spec: ProfileSpec) -> tuple[dict[str, t.Type], dict[str, t.Record]]:
    """The rule-language type of every field, and the item type of each list of records."""
    types: dict[str, t.Type] = {}
    records: dict[str, t.Record] = {}
    for name, field_spec in spec.fields.items():
        if isinstance(field_spec, ScalarFieldSpec):
            types[name] = lang_type(field_spec)
        elif field_spec.fields is not None:
            records[name] = t.Record(
                name, tuple((n, lang_type(f)) for n, f in field_spec.fields.items())
            )
            types[name] = t.List(records[name])
        else:
            assert field_spec.item is not None
            types[name] = t.List(_scalar_type(field_spec.item, None, None))
    return types, records


def build_profile_schema(
    spec: ProfileSpec, item_checks: Mapping[str, list[tuple[ItemCheck, str]]] | None = None
) -> ProfileSchema:
    """Compile a profile declaration. `item_checks` holds each list field's compiled checks."""
    types, records = profile_types(spec)
    fields: dict[str, Any] = {}
    for name, field_spec in spec.fields.items():
        if isinstance(field_spec, ScalarFieldSpec):
            fields[name] = _field(field_spec, _annotation(field_spec.type, field_spec))
        elif field_spec.fields is not None:
            checks = (item_checks or {}).get(name, [])
            item_model = _item_model(name, field_spec, checks)
            fields[name] = _field(field_spec, list[item_model])  # type: ignore[valid-type]
        else:
            assert field_spec.item is not None
            item_annotation = _annotation(field_spec.item, None)
            fields[name] = _field(field_spec, list[item_annotation])  # type: ignore[valid-type]
    model = create_model(spec.title, __base__=_ProfileBase, **fields)
    return ProfileSchema(spec=spec, model=model, types=types, records=records)


def _item_model(
    name: str, spec: ListFieldSpec, checks: list[tuple[ItemCheck, str]]
) -> type[BaseModel]:
    assert spec.fields is not None
    item_fields: dict[str, Any] = {
        item_name: _field(item_spec, _annotation(item_spec.type, item_spec))
        for item_name, item_spec in spec.fields.items()
    }

    def run_checks(item: BaseModel) -> BaseModel:
        for check, message in checks:
            if check(item.__dict__) is False:
                raise ValueError(message)
        return item

    validators: dict[str, Any] = {"_checks": model_validator(mode="after")(run_checks)}
    model: type[BaseModel] = create_model(
        _camel(name) + "Item",
        __base__=_ProfileBase,
        __validators__=validators if checks else None,
        **item_fields,
    )
    return model


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
