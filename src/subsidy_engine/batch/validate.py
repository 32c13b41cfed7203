"""Rows -> the profiles to score (canonical columns) and the rows rejected, with reasons.

Every row is checked against the rulebook's profile declaration, column-wise (`coerce`), list
items too (each field, then the item `checks` of profile.yaml, compiled with the vectorised
compiler; like the pydantic model, a check runs only on an item whose fields are valid, and the
first failing check is reported; a check that cannot be decided passes). A row with any problem
is rejected, never scored; every other row is kept. Guarantees: every input row is in exactly one
of the two frames; kept rows have exactly the profile's fields, typed as `dtype_of` says, with
the values the pydantic model would give (texts stripped, codes normalised). A column that is
not a profile field is ignored; a missing column is a fact missing on every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import polars as pl

from subsidy_engine.batch.coerce import CODE_PROBLEM, coerce
from subsidy_engine.batch.dtypes import dtype_of
from subsidy_engine.batch.frames import ROW
from subsidy_engine.batch.missing import Leaves
from subsidy_engine.identifiers import credit_code_problem, industry_code_problem
from subsidy_engine.lang.types import List, Record
from subsidy_engine.lang.vector import VectorCompiler
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook

_CODE_REASONS: Mapping[str, Callable[[str], str | None]] = {
    "credit_code": credit_code_problem,
    "industry_code": industry_code_problem,
}


def _problem_column(name: str) -> str:
    return f"__problem:{name}"


def _code_column(name: str) -> str:
    return f"__code:{name}"


def validate(frame: pl.DataFrame, rulebook: Rulebook) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the valid rows as canonical profiles, with ROW; the rejects: row, key, reason)."""
    profile = rulebook.profile
    values: list[pl.Expr] = []
    problems: list[pl.Expr] = []
    codes: list[pl.Expr] = []
    for name, spec in profile.spec.fields.items():
        target = dtype_of(profile.types[name])
        if name not in frame.columns:
            values.append(pl.lit(None, dtype=target).alias(name))
            continue
        source = frame.schema[name]
        column = pl.col(name)
        if isinstance(spec, ScalarFieldSpec):
            value, problem = coerce(column, source, spec.type, spec, target)
            if spec.type in _CODE_REASONS:
                codes.append(_normalised(column, spec).alias(_code_column(name)))
        elif spec.fields is not None:
            value, problem = _records(name, spec, source, profile.records[name], rulebook)
        else:
            item_type = profile.types[name]
            assert isinstance(item_type, List) and spec.item is not None
            value, problem = _plain_list(name, spec, source, dtype_of(item_type.item))
        values.append(value.alias(name))
        problems.append(problem.alias(_problem_column(name)))
    checked = frame.lazy().select(ROW, *values, *problems, *codes).collect()
    if not problems:
        return checked, _rejects_schema(profile.key, checked.head(0))
    bad = pl.any_horizontal([pl.col(p.meta.output_name()).is_not_null() for p in problems])
    fields = list(profile.spec.fields)
    valid = checked.filter(~bad).select(ROW, *fields)
    rejected = checked.filter(bad)
    raw_key = _raw_key(frame, profile.key, rejected)
    return valid, _reasons(rejected, raw_key, rulebook)


def _normalised(column: pl.Expr, spec: ScalarFieldSpec) -> pl.Expr:
    from subsidy_engine.batch.codes import normalise_industry_code

    text = column.cast(pl.String, strict=False)
    if spec.type == "credit_code":
        return text.str.strip_chars().str.to_uppercase()
    return normalise_industry_code(text)


def _plain_list(
    name: str, spec: ListFieldSpec, source: pl.DataType, target: pl.DataType
) -> tuple[pl.Expr, pl.Expr]:
    column = pl.col(name)
    if isinstance(source, pl.Null):
        return pl.lit(None, dtype=pl.List(target)), pl.lit(None, dtype=pl.String)
    if not isinstance(source, pl.List):
        return pl.lit(None, dtype=pl.List(target)), _when(column.is_not_null(), "must be a list")
    assert spec.item is not None
    value, problem = coerce(pl.element(), _instance(source.inner), spec.item, None, target)
    problem = pl.when(pl.element().is_null()).then(pl.lit("must not be null")).otherwise(problem)
    return column.list.eval(value), _joined(name, column, problem)


def _records(
    name: str, spec: ListFieldSpec, source: pl.DataType, record: Record, rulebook: Rulebook
) -> tuple[pl.Expr, pl.Expr]:
    column = pl.col(name)
    target = dtype_of(List(record))
    if isinstance(source, pl.Null):
        return pl.lit(None, dtype=target), pl.lit(None, dtype=pl.String)
    if isinstance(source, pl.List) and isinstance(source.inner, pl.Null):  # [] or [None, ...]
        return column.cast(target), _joined(
            name, column, pl.lit(": must be a record"), prefixed=True
        )
    if not isinstance(source, pl.List) or not isinstance(source.inner, pl.Struct):
        return pl.lit(None, dtype=target), _when(column.is_not_null(), "must be a list of records")
    present = {f.name: f.dtype for f in source.inner.fields}
    assert spec.fields is not None
    fields: dict[str, pl.Expr] = {}
    problems: list[pl.Expr] = []
    for field, field_spec in spec.fields.items():
        field_type = record.field(field)
        assert field_type is not None
        field_dtype = dtype_of(field_type)
        if field not in present:
            fields[field] = pl.lit(None, dtype=field_dtype)
            continue
        element = pl.element().struct.field(field)
        dtype = _instance(present[field])
        value, problem = coerce(element, dtype, field_spec.type, field_spec, field_dtype)
        fields[field] = value
        problems.append(pl.concat_str(pl.lit(f".{field}: "), problem))
    item = pl.struct([v.alias(f) for f, v in fields.items()])
    field_problems = (
        pl.concat_str(problems, separator="; ", ignore_nulls=True)
        if problems
        else pl.lit(None, dtype=pl.String)
    )
    no_field_problem = field_problems.is_null() | (field_problems == "")
    checks = _checks(name, rulebook, fields)
    check_problem = pl.coalesce(checks) if checks else pl.lit(None, dtype=pl.String)
    problem = (
        pl.when(pl.element().is_null())
        .then(pl.lit(": must be a record"))
        .when(~no_field_problem)
        .then(field_problems)
        .otherwise(pl.concat_str(pl.lit(": "), check_problem))
    )
    return column.list.eval(item), _joined(name, column, problem, prefixed=True)


def _checks(name: str, rulebook: Rulebook, fields: Mapping[str, pl.Expr]) -> list[pl.Expr]:
    """Each item check of list `name`: its message where it is false, else null."""
    params = {p: v.value_at(date.min) for p, v in rulebook.parameters.items()}
    compiler = VectorCompiler(
        params=params,
        as_of=date.min,
        calendar=rulebook.calendar,
        leaves=Leaves(),
        field=lambda field: fields[field],
    )
    out: list[pl.Expr] = []
    for check in rulebook.item_checks:
        if check.list_field == name:
            holds = compiler.compile(check.node).value
            out.append(pl.when(holds == False).then(pl.lit(check.message)))  # noqa: E712
    return out


def _joined(name: str, column: pl.Expr, problem: pl.Expr, *, prefixed: bool = False) -> pl.Expr:
    """Per-item problems -> `name[i]...: message; ...` for the row, or null."""
    index = pl.int_range(pl.len()).cast(pl.String)
    separator = "" if prefixed else ": "
    labelled = pl.concat_str(pl.lit(f"{name}["), index, pl.lit(f"]{separator}"), problem)
    text = column.list.eval(labelled).list.drop_nulls().list.join("; ")
    return pl.when(text.str.len_chars() > 0).then(text)


def _instance(dtype: Any) -> pl.DataType:
    """A dtype instance (Polars may give a dtype class for a nested field)."""
    instance = dtype() if isinstance(dtype, type) else dtype
    assert isinstance(instance, pl.DataType)
    return instance


def _when(condition: pl.Expr, message: str) -> pl.Expr:
    return pl.when(condition).then(pl.lit(message)).otherwise(pl.lit(None, dtype=pl.String))


def _raw_key(frame: pl.DataFrame, key: str | None, rejected: pl.DataFrame) -> pl.DataFrame:
    rows = rejected.select(ROW)
    if key is None or key not in frame.columns:
        return rows.with_columns(pl.lit(None, dtype=pl.String).alias("key"))
    raw = frame.select(ROW, pl.col(key).cast(pl.String, strict=False).alias("key"))
    return rows.join(raw, on=ROW, how="left", maintain_order="left")


def _reasons(rejected: pl.DataFrame, raw_key: pl.DataFrame, rulebook: Rulebook) -> pl.DataFrame:
    """The rejects frame: `row`, the key (as given), `reason` naming each bad field."""
    spec = rulebook.profile.spec
    reasons: list[str] = []
    for row in rejected.iter_rows(named=True):
        parts = []
        for name, field_spec in spec.fields.items():
            problem = row.get(_problem_column(name))
            if problem is None:
                continue
            if problem == CODE_PROBLEM and isinstance(field_spec, ScalarFieldSpec):
                explain = _CODE_REASONS[field_spec.type]
                problem = explain(row[_code_column(name)]) or problem
            parts.append(problem if problem.startswith(f"{name}[") else f"{name}: {problem}")
        reasons.append("; ".join(parts))
    key = spec.key or "key"
    return pl.DataFrame(
        {
            "row": rejected[ROW].cast(pl.Int64),
            key: raw_key["key"],
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )


def _rejects_schema(key: str | None, empty: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        schema={"row": pl.Int64(), (key or "key"): pl.String(), "reason": pl.String()}
    )
