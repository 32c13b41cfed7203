"""Rows -> the profiles to score (canonical columns) and the rows rejected, with reasons.

Every row is checked against the rulebook's profile declaration, column-wise (`coerce`), list
items too (each field, then the item `checks` of profile.yaml, compiled with the vectorised
compiler; like the pydantic model, a check runs only on an item whose fields are valid, and the
first failing check is reported; a check that cannot be decided passes). A row with any problem
is rejected, never scored; every other row is kept. Guarantees: every input row is in exactly one
of the two frames; kept rows have exactly the profile's fields, typed as `dtype_of` says, with
the values the pydantic model would give (texts stripped, codes normalised). A column that is
not a profile field is ignored; a missing column is a fact missing on every row.

Two passes: the first computes the values and one Boolean per field (is it bad?) over every row;
the messages — strings, comparatively dear — are worked out in a second pass over the rejected
rows only. The expressions are built once per rulebook and input schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import polars as pl

from subsidy_engine.backends.polars.compiler import VectorCompiler
from subsidy_engine.backends.polars.dtypes import dtype_of
from subsidy_engine.backends.polars.missing import Leaves
from subsidy_engine.batch.coerce import CODE_PROBLEM, Checked, coerce
from subsidy_engine.batch.frames import ROW
from subsidy_engine.identifiers import credit_code_problem, industry_code_problem
from subsidy_engine.lang.types import List, Record
from subsidy_engine.limits import LIST_TOO_LONG, MAX_LIST_ITEMS
from subsidy_engine.memo import Memo
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook

_CODE_REASONS: Mapping[str, Callable[[str], str | None]] = {
    "credit_code": credit_code_problem,
    "industry_code": industry_code_problem,
}
_BAD = "__bad"
UNKNOWN = "unknown field"


def _problem_column(name: str) -> str:
    return f"__problem:{name}"


def _staged_column(name: str) -> str:
    return f"__value:{name}"


def _code_column(name: str) -> str:
    return f"__code:{name}"


@dataclass(frozen=True, slots=True)
class Validation:
    """The validation of one input schema: values, the bad-row flag, and the messages."""

    staged: tuple[pl.Expr, ...]
    """Values that checks read too, computed once as columns of their own first."""
    values: tuple[pl.Expr, ...]
    bad: pl.Expr | None
    problems: tuple[pl.Expr, ...]
    codes: tuple[pl.Expr, ...]


_MEMO: Memo[Validation] = Memo()


def validate(frame: pl.DataFrame, rulebook: Rulebook) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the valid rows as canonical profiles, with ROW; the rejects: row, key, reason)."""
    schema = tuple(frame.schema.items())
    plan = _MEMO.get(rulebook, schema, lambda: _validation(dict(schema), rulebook))
    key = rulebook.profile.key
    flags = [plan.bad.alias(_BAD)] if plan.bad is not None else []
    checked = frame.lazy().with_columns(plan.staged).select(ROW, *plan.values, *flags).collect()
    if plan.bad is None or not checked[_BAD].any():
        return checked.drop(_BAD, strict=False), _rejects_schema(key)
    bad = checked[_BAD]
    valid = checked.filter(~bad).drop(_BAD)
    rejected = frame.filter(bad)
    problems = (
        rejected.lazy().with_columns(plan.staged).select(ROW, *plan.problems, *plan.codes).collect()
    )
    return valid, _reasons(problems, _raw_key(rejected, key), rulebook)


def _validation(schema: dict[str, pl.DataType], rulebook: Rulebook) -> Validation:
    profile = rulebook.profile
    staged: list[pl.Expr] = []
    values: list[pl.Expr] = []
    bads: list[pl.Expr] = []
    problems: list[pl.Expr] = []
    codes: list[pl.Expr] = []
    for name, spec in profile.spec.fields.items():
        target = dtype_of(profile.types[name])
        if name not in schema:
            values.append(pl.lit(None, dtype=target).alias(name))
            continue
        source = schema[name]
        column = pl.col(name)
        if isinstance(spec, ScalarFieldSpec):
            checked = coerce(column, source, spec.type, spec, target)
            if spec.type in _CODE_REASONS:
                codes.append(_normalised(column, spec).alias(_code_column(name)))
        elif spec.fields is not None:
            checked = _records(name, spec, source, profile.records[name], rulebook)
        else:
            item_type = profile.types[name]
            assert isinstance(item_type, List) and spec.item is not None
            checked = _plain_list(name, spec, source, dtype_of(item_type.item))
        if isinstance(source, pl.List):
            checked = _bounded(checked, column)
        value = checked.value
        if checked.of_value:
            staged.append(value.alias(_staged_column(name)))
            value = pl.col(_staged_column(name))
        values.append(value.alias(name))
        flag = checked.bad(value)
        if flag is not None:
            bads.append(flag)
            problems.append(checked.problem(value).alias(_problem_column(name)))
    bad = None
    if bads:
        bad = pl.any_horizontal(bads) if len(bads) > 1 else bads[0]
    return Validation(tuple(staged), tuple(values), bad, tuple(problems), tuple(codes))


def _normalised(column: pl.Expr, spec: ScalarFieldSpec) -> pl.Expr:
    from subsidy_engine.batch.codes import normalise_industry_code

    text = column.cast(pl.String, strict=False)
    if spec.type == "credit_code":
        return text.str.strip_chars().str.to_uppercase()
    return normalise_industry_code(text)


def _plain_list(
    name: str, spec: ListFieldSpec, source: pl.DataType, target: pl.DataType
) -> Checked:
    column = pl.col(name)
    if isinstance(source, pl.Null):
        return Checked(pl.lit(None, dtype=pl.List(target)))
    if not isinstance(source, pl.List):
        return Checked(pl.lit(None, dtype=pl.List(target)), ((column.is_not_null(), _LIST),))
    assert spec.item is not None
    item = coerce(pl.element(), _instance(source.inner), spec.item, None, target)
    not_null = (pl.element().is_null(), "must not be null")
    item = Checked(item.value, (not_null, *item.checks), item.order, item.of_value)
    same = source == pl.List(target) and item.value.meta.eq(pl.element())
    value = column if same else column.list.eval(item.value)
    flag = item.bad()
    assert flag is not None
    message = _joined(name, column, item.problem())
    return Checked(value, ((_any_item(column, [flag]), message),))


_LIST = "must be a list"


def _bounded(checked: Checked, column: pl.Expr) -> Checked:
    """With a first check that the list has at most MAX_LIST_ITEMS items, as `evaluate`'s."""
    too_long = column.list.len() > MAX_LIST_ITEMS
    return replace(checked, checks=((too_long, LIST_TOO_LONG), *checked.checks))


def _any_item(column: pl.Expr, flags: list[pl.Expr]) -> pl.Expr:
    """Whether some item of the list `column` has one of `flags` (each over `pl.element()`)."""
    flag = pl.any_horizontal(flags) if len(flags) > 1 else flags[0]
    return column.list.eval(flag).list.any()


def _records(
    name: str, spec: ListFieldSpec, source: pl.DataType, record: Record, rulebook: Rulebook
) -> Checked:
    column = pl.col(name)
    target = dtype_of(List(record))
    if isinstance(source, pl.Null):
        return Checked(pl.lit(None, dtype=target))
    if isinstance(source, pl.List) and isinstance(source.inner, pl.Null):  # [] or [None, ...]
        message = _joined(name, column, pl.lit(": must be a record"), prefixed=True)
        return Checked(column.cast(target), ((column.list.len() > 0, message),))
    if not isinstance(source, pl.List) or not isinstance(source.inner, pl.Struct):
        return Checked(
            pl.lit(None, dtype=target), ((column.is_not_null(), "must be a list of records"),)
        )
    present = {f.name: f.dtype for f in source.inner.fields}
    assert spec.fields is not None
    fields: dict[str, pl.Expr] = {}
    checked_fields: list[tuple[str, Checked]] = []
    for field, field_spec in spec.fields.items():
        field_type = record.field(field)
        assert field_type is not None
        field_dtype = dtype_of(field_type)
        if field not in present:
            fields[field] = pl.lit(None, dtype=field_dtype)
            continue
        element = pl.element().struct.field(field)
        source_dtype = _instance(present[field])
        checked = coerce(element, source_dtype, field_spec.type, field_spec, field_dtype)
        fields[field] = checked.value
        checked_fields.append((field, checked))
    item = pl.struct([v.alias(f) for f, v in fields.items()])
    checks = _checks(name, rulebook, fields)
    # as the model refuses an unknown key in an item; a struct holds it as null where absent
    unknown = [
        (f, Checked(pl.lit(None), ((pl.element().struct.field(f).is_not_null(), UNKNOWN),)))
        for f in present
        if f not in spec.fields
    ]
    field_problems = [
        pl.concat_str(pl.lit(f".{f}: "), c.problem()) for f, c in [*checked_fields, *unknown]
    ]
    joined_fields = (
        pl.concat_str(field_problems, separator="; ", ignore_nulls=True)
        if field_problems
        else pl.lit(None, dtype=pl.String)
    )
    no_field_problem = joined_fields.is_null() | (joined_fields == "")
    check_problem = pl.coalesce([m for _, m in checks]) if checks else pl.lit(None, pl.String)
    problem = (
        pl.when(pl.element().is_null())
        .then(pl.lit(": must be a record"))
        .when(~no_field_problem)
        .then(joined_fields)
        .otherwise(pl.concat_str(pl.lit(": "), check_problem))
    )
    flags = [pl.element().is_null()]
    flags += [f for _, c in [*checked_fields, *unknown] if (f := c.bad()) is not None]
    flags += [fails for fails, _ in checks]
    same = source == target and all(
        c.value.meta.eq(pl.element().struct.field(f)) for f, c in checked_fields
    )
    value = column if same else column.list.eval(item)
    message = _joined(name, column, problem, prefixed=True)
    return Checked(value, ((_any_item(column, flags), message),))


def _checks(
    name: str, rulebook: Rulebook, fields: Mapping[str, pl.Expr]
) -> list[tuple[pl.Expr, pl.Expr]]:
    """Each item check of list `name`: (where it fails, its message there)."""
    params = {p: v.value_at(date.min) for p, v in rulebook.parameters.items()}
    compiler = VectorCompiler(
        params=params,
        as_of=date.min,
        calendar=rulebook.calendar,
        leaves=Leaves(),
        field=lambda field: fields[field],
    )
    out: list[tuple[pl.Expr, pl.Expr]] = []
    for check in rulebook.item_checks:
        if check.list_field == name:
            fails = compiler.compile(check.node).value == False  # noqa: E712
            out.append((fails.fill_null(False), pl.when(fails).then(pl.lit(check.message))))
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


def _raw_key(rejected: pl.DataFrame, key: str | None) -> pl.Series:
    if key is None or key not in rejected.columns:
        return pl.Series("key", [None] * rejected.height, dtype=pl.String)
    return rejected[key].cast(pl.String, strict=False)


def _reasons(problems: pl.DataFrame, raw_key: pl.Series, rulebook: Rulebook) -> pl.DataFrame:
    """The rejects frame: `row`, the key (as given), `reason` naming each bad field."""
    spec = rulebook.profile.spec
    reasons: list[str] = []
    for row in problems.iter_rows(named=True):
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
            "row": problems[ROW].cast(pl.Int64),
            key: raw_key,
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )


def _rejects_schema(key: str | None) -> pl.DataFrame:
    return pl.DataFrame(
        schema={"row": pl.Int64(), (key or "key"): pl.String(), "reason": pl.String()}
    )
