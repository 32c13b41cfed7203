"""Column mappings: a registry whose column names differ from the profile's field names.

A mapping file names, for each profile field, the registry column that holds it:

    columns:
      credit_code: 统一社会信用代码
      employees: 从业人员

Mapped columns are renamed to their fields before validation; the other columns are kept as
they are (a registry column already named like a profile field needs no entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from subsidy_engine.errors import Diagnostic, DiagnosticsError, InputError, did_you_mean
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.yaml_source import YamlDocument, load_yaml

if TYPE_CHECKING:
    import polars as pl


class ColumnMapping(BaseModel):
    """Which registry column holds each profile field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str] = Field(
        description="profile field -> the registry column that holds it"
    )


MappingLike = ColumnMapping | Mapping[str, str]
"""A loaded mapping, or its `columns` as a plain dict."""


def load_mapping(path: Path, rulebook: Rulebook) -> ColumnMapping:
    """The mapping file at `path`, checked against the rulebook's profile fields; every problem
    is reported with its line in the file."""
    from subsidy_engine.rulebook.loader import schema_diagnostics

    if not path.is_file():
        raise InputError(f"no mapping file {path}")
    document = load_yaml(path)
    try:
        mapping = ColumnMapping.model_validate(document.data or {})
    except ValidationError as error:
        raise DiagnosticsError(schema_diagnostics(document, error)) from None
    problems = [_unknown_field(document, name, rulebook) for name in mapping.columns]
    located = [p for p in problems if p is not None]
    if located:
        raise DiagnosticsError(located)
    return mapping


def _unknown_field(document: YamlDocument, name: str, rulebook: Rulebook) -> Diagnostic | None:
    fields = rulebook.profile.types
    if name in fields:
        return None
    guess = did_you_mean(name, fields)
    return document.diagnostic(
        "unknown-field",
        f"{name!r} is not a profile field",
        ["columns", name],
        hint=f"did you mean '{guess}'?" if guess else None,
        at_key=True,
    )


def renames(mapping: MappingLike, rulebook: Rulebook) -> dict[str, str]:
    """registry column -> profile field; InputError for a field the profile does not have."""
    columns = mapping.columns if isinstance(mapping, ColumnMapping) else dict(mapping)
    fields = rulebook.profile.types
    for name in columns:
        if name not in fields:
            guess = did_you_mean(name, fields)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise InputError(f"mapping: {name!r} is not a profile field{hint}")
    return {column: field for field, column in columns.items()}


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


def apply_mapping(frame: pl.DataFrame, mapping: MappingLike, rulebook: Rulebook) -> pl.DataFrame:
    """`frame` with the mapped columns renamed to their profile fields; an unmapped column that
    has a mapped field's name is dropped, so the mapped column decides."""
    renamed = renames(mapping, rulebook)
    problem = missing_columns(renamed, frame.columns)
    if problem:
        raise InputError(problem)
    shadowed = [c for c in frame.columns if c in renamed.values() and c not in renamed]
    return frame.drop(shadowed).rename(renamed)
