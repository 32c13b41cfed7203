"""A registry's columns -> columns named and written as the profile's, before validation.

Each recognised column (`recognise`) is renamed to its field, and read as its mapping says:
numbers in 万元/亿元/% get their unit (so the one parser of amounts reads `2595.18万` exactly),
values go through the value map (after prefixes such as 朔州市 are stripped), dates through the
formats given, a flat list cell is split (`2018;2019`) or decoded (JSON), and a list's dates
(its items' date fields, such as a project's signing_date) through the formats given for it.
An industry code written without its section letter (`3071`) gets it from GB/T 4754-2017. A
value the mapping cannot read (not in the value map, no date format fits, not a JSON list)
rejects its row, with the column, the value and what was expected; every other row goes on to
validation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from subsidy_engine.batch.frames import ROW
from subsidy_engine.batch.mapping import ColumnMapping, FieldMapping, missing_columns, renames
from subsidy_engine.batch.recognise import recognise
from subsidy_engine.errors import InputError
from subsidy_engine.identifiers import SECTION_DIVISIONS
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook

_SUFFIX = {"万元": "万", "亿元": "亿", "%": "%"}
_SECTIONS = {
    f"{division:02d}": section
    for section, (first, last) in SECTION_DIVISIONS.items()
    for division in range(first, last + 1)
}


@dataclass(frozen=True, slots=True)
class _Read:
    value: pl.Expr
    miss: pl.Expr | None = None
    """True where the cell cannot be read as the mapping says."""
    expected: str = ""
    dtype: pl.DataType | None = None
    """The value's type, when a list's items are read further (their dates)."""


def prepare(
    frame: pl.DataFrame, mapping: ColumnMapping, rulebook: Rulebook
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the rows the mapping can read, columns named and written as fields; the rows it cannot:
    row, key as given, reason)."""
    renamed = renames(mapping, rulebook)
    problem = missing_columns(renamed, frame.columns)
    if problem:
        raise InputError(problem)
    found = recognise(frame.columns, mapping, rulebook).fields
    shadowed = [c for c in frame.columns if c in found.values() and c not in found]
    frame = frame.drop(shadowed).rename(found)
    specs = mapping.field_mappings()
    fields = rulebook.profile.spec.fields
    reads: dict[str, _Read] = {}
    for field in found.values():
        read = _read(field, specs.get(field), fields[field], frame)
        if read is not None:
            reads[field] = read
    if not reads:
        return frame, _no_rejects(rulebook)
    misses = {f"__miss:{f}": r.miss for f, r in reads.items() if r.miss is not None}
    done = frame.with_columns(
        *(r.value.alias(f) for f, r in reads.items()),
        *(m.fill_null(False).alias(name) for name, m in misses.items()),
    )
    if not misses:
        return done, _no_rejects(rulebook)
    bad = pl.any_horizontal(list(misses))
    rejected = frame.filter(done.select(bad).to_series())
    kept = done.filter(~bad).drop(list(misses))
    return kept, _rejects(rejected, done.filter(bad), reads, found, rulebook)


def _read(
    field: str,
    spec: FieldMapping | None,
    declared: ScalarFieldSpec | ListFieldSpec,
    frame: pl.DataFrame,
) -> _Read | None:
    column = pl.col(field)
    if isinstance(declared, ListFieldSpec):
        read = _list(column, spec, frame[field])
        if read is None or spec is None or not spec.dates:
            return read
        return _item_dates(read, declared, spec.dates)
    if spec is None or not (spec.unit or spec.values is not None or spec.dates or spec.strip):
        return _industry(column) if declared.type == "industry_code" else None
    text = _text(column)
    for prefix in spec.strip:
        text = text.str.strip_prefix(prefix)
    if spec.values is not None:
        return _mapped(text, spec.values, declared)
    if spec.dates:
        parsed = _dated(text, spec.dates)
        formats = ", ".join(spec.dates)
        return _Read(parsed, (text != "") & parsed.is_null(), f"a date as {formats}")
    if spec.unit in _SUFFIX:
        suffix = _SUFFIX[spec.unit]
        return _Read(pl.when(text.str.contains(r"\d$")).then(text + suffix).otherwise(text))
    return _Read(text)


def _list(column: pl.Expr, spec: FieldMapping | None, cells: pl.Series) -> _Read | None:
    """A list field's cells as lists: split or decoded from text as the mapping says, or as
    they are (a typed list column) when only its items' dates need reading."""
    if spec is None:
        return None
    if spec.list_format is None or cells.dtype != pl.String:
        return _Read(column, dtype=cells.dtype) if spec.dates else None
    if spec.list_format == "json":
        return _json(cells)
    items = column.str.split(spec.list_format).list.eval(pl.element().str.strip_chars())
    items = items.list.eval(pl.element().filter(pl.element() != ""))
    return _Read(pl.when(_text(column) != "").then(items), dtype=pl.List(pl.String()))


def _item_dates(read: _Read, declared: ListFieldSpec, formats: list[str]) -> _Read:
    """`read` with its items' date fields read in `formats`; an item date that fits none rejects
    the row. Dates already typed are left as they are."""
    dtype = read.dtype
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return read
    subfields = declared.fields or {}
    names = [
        f.name
        for f in dtype.inner.fields
        if f.name in subfields and subfields[f.name].type == "date" and f.dtype != pl.Date
    ]
    if not names:
        return read
    texts = {n: _text(pl.element().struct.field(n)) for n in names}
    parsed = {n: _dated(t, formats) for n, t in texts.items()}
    value = read.value.list.eval(
        pl.element().struct.with_fields(*(p.alias(n) for n, p in parsed.items()))
    )
    bad = pl.any_horizontal([(texts[n] != "") & parsed[n].is_null() for n in names])
    unread = read.value.list.eval(bad).list.any().fill_null(False)
    miss = unread if read.miss is None else read.miss | unread
    written = f"dates ({', '.join(names)}) written as {', '.join(formats)}"
    expected = f"{read.expected} whose {written}" if read.expected else f"a list whose {written}"
    return _Read(value, miss, expected)


def _dated(text: pl.Expr, formats: list[str]) -> pl.Expr:
    return pl.coalesce([text.str.to_date(f, strict=False) for f in formats])


def _json(cells: pl.Series) -> _Read:
    """JSON arrays in text cells, decoded one by one: a bad cell rejects its row alone."""
    values: list[Any] = []
    misses: list[bool] = []
    for cell in cells:
        value = None
        text = cell.strip() if cell is not None else ""
        if text:
            try:
                value = json.loads(text)
            except ValueError:
                value = None
        bad = bool(text) and not isinstance(value, list)
        values.append(None if bad else value)
        misses.append(bad)
    decoded = pl.Series(values, strict=False) if any(v is not None for v in values) else None
    value = pl.lit(decoded) if decoded is not None else pl.lit(None)
    dtype = decoded.dtype if decoded is not None else None
    return _Read(value, pl.lit(pl.Series(misses, dtype=pl.Boolean)), "a JSON list", dtype)


def _text(column: pl.Expr) -> pl.Expr:
    return column.cast(pl.String).str.strip_chars()


def _mapped(text: pl.Expr, values: dict[str, str], declared: ScalarFieldSpec) -> _Read:
    targets = sorted(set(values.values()))
    mapped = text.replace_strict(list(values), list(values.values()), default=None)
    value = pl.when(text.is_in(targets)).then(text).otherwise(mapped)
    miss = (text != "") & value.is_null()
    listed = ", ".join(list(values)[:8]) + (" …" if len(values) > 8 else "")
    return _Read(value, miss, f"one of the mapping's values ({listed})")


def _industry(column: pl.Expr) -> _Read:
    """A bare division, group or class number gets its section letter; others pass as they are."""
    text = _text(column)
    section = text.str.slice(0, 2).replace_strict(
        list(_SECTIONS), list(_SECTIONS.values()), default=None
    )
    bare = text.str.contains(r"^\d{2,4}$") & section.is_not_null()
    return _Read(pl.when(bare).then(section + text).otherwise(column.cast(pl.String)))


def _rejects(
    rejected: pl.DataFrame,
    done: pl.DataFrame,
    reads: dict[str, _Read],
    found: dict[str, str],
    rulebook: Rulebook,
) -> pl.DataFrame:
    column_of = {field: column for column, field in found.items()}
    reasons = []
    for raw, flags in zip(rejected.iter_rows(named=True), done.iter_rows(named=True), strict=True):
        parts = [
            f"{field} (column {column_of[field]}): {_shown(raw[field])} is not {read.expected}"
            for field, read in reads.items()
            if flags.get(f"__miss:{field}")
        ]
        reasons.append("; ".join(parts))
    key = rulebook.profile.key
    keys = (
        rejected[key].cast(pl.String, strict=False)
        if key is not None and key in rejected.columns
        else pl.Series([None] * rejected.height, dtype=pl.String)
    )
    return pl.DataFrame(
        {
            "row": rejected[ROW].cast(pl.Int64),
            (key or "key"): keys,
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str)


def _no_rejects(rulebook: Rulebook) -> pl.DataFrame:
    key = rulebook.profile.key
    return pl.DataFrame(
        schema={"row": pl.Int64(), (key or "key"): pl.String(), "reason": pl.String()}
    )
