"""A draft mapping from a registry's header and a sample of its values, for a person to check.

Each column is matched to a field (by name, title or alias, else the closest one, marked for
checking); its sample decides the rest: a unit from a header that says 万元/亿元/%, a value map
for yes/no words and for enum values written with a prefix (朔州市平鲁区 -> strip 朔州市), date
formats from the dates seen, a separator or JSON for list cells. What the draft cannot decide is
left as a comment saying what to fill in.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence

import polars as pl

from subsidy_engine.batch.mapping import ColumnMapping
from subsidy_engine.batch.recognise import nearest_fields, recognise
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook

SAMPLE_ROWS = 1000
_YES = ("是", "有", "Y", "y", "√", "已")
_NO = ("否", "无", "N", "n", "×", "未")
_DATE_FORMATS = (
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{8}$"), "%Y%m%d"),
    (re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"), "%Y年%m月%d日"),
    (re.compile(r"^\d{4}\.\d{1,2}\.\d{1,2}$"), "%Y.%m.%d"),
)
_UNDECIDED = '"?"'
"""A value map's target the draft cannot guess: loading the mapping refuses it until filled."""
_SCALE = re.compile(r"(万元|亿元|%|％)")


def suggest_mapping(sample: pl.DataFrame, rulebook: Rulebook) -> str:
    """The draft mapping (YAML text) for a registry whose first rows are `sample`."""
    found = recognise(sample.columns, ColumnMapping(columns={}), rulebook)
    spec = rulebook.profile.spec.fields
    lines = [
        "# A draft: check every entry against the registry before scoring with it.",
        "columns:",
    ]
    ignored: list[str] = []
    taken = set(found.fields.values())
    for column in sample.columns:
        field = found.fields.get(column)
        values = _values(sample[column])
        note = ""
        if field is None:
            near = [f for f in nearest_fields(column, rulebook) if f not in taken]
            fitting = [f for f in near if _fits(values, spec[f])]
            yes_no = [f for f in fitting if spec[f].type == "bool"]
            if values and yes_no and all(v in _YES or v in _NO for v in values):
                fitting = yes_no
            if not fitting:
                ignored.append(column)
                continue
            field = fitting[0]
            taken.add(field)
            others = ", ".join(fitting[1:3])
            note = "  # guessed: check" + (f" (or {others})" if others else "")
        entry = _entry(column, values, spec[field])
        if not note and "values: {" in entry and isinstance(spec[field], ScalarFieldSpec):
            note = "  # check each value" if spec[field].type == "enum" else ""
        lines.append(f"  {field}: {entry}{note}")
    lines.append("ignore: [" + ", ".join(_quoted(c) for c in ignored) + "]")
    return "\n".join(lines) + "\n"


def _fits(values: Sequence[str], field: ScalarFieldSpec | ListFieldSpec) -> bool:
    """Whether a sample could be values of `field` (yes/no words for a yes/no field, numbers
    for a number)."""
    if not values or isinstance(field, ListFieldSpec):
        return True
    if field.type == "bool":
        return all(
            v in _YES or v in _NO or v.lower() in ("true", "false", "0", "1") for v in values
        )
    if field.type in ("money", "int", "year", "decimal", "ratio"):
        return all(re.fullmatch(r"[+-]?[\d,]*\.?\d+\s*(万|亿)?元?%?", v) for v in values)
    return True


def _values(column: pl.Series) -> list[str]:
    texts = column.cast(pl.String).drop_nulls().str.strip_chars()
    return [t for t in texts.unique(maintain_order=True).to_list() if t][:200]


def _entry(column: str, values: Sequence[str], field: ScalarFieldSpec | ListFieldSpec) -> str:
    parts = [f"column: {_quoted(column)}"]
    if isinstance(field, ListFieldSpec):
        if any(v.startswith("[") for v in values):
            parts.append("list: json")
        else:
            separator = next(
                (s for s in (";", "；", ",", "，", "、") if any(s in v for v in values)), ";"
            )
            parts.append(f"list: {_quoted(separator)}")
        return "{" + ", ".join(parts) + "}"
    scale = _SCALE.search(column)
    if field.type == "money" and scale and scale.group(1) in ("万元", "亿元"):
        parts.append(f"unit: {scale.group(1)}")
    if field.type == "ratio" and scale and not any(v.endswith("%") for v in values):
        parts.append("unit: '%'")
    if field.type == "date":
        formats = [f for pattern, f in _DATE_FORMATS if any(pattern.match(v) for v in values)]
        if formats:
            parts.append("dates: [" + ", ".join(_quoted(f) for f in formats) + "]")
    if field.type == "bool":
        pairs = {v: "true" for v in values if v in _YES} | {v: "false" for v in values if v in _NO}
        if pairs:
            parts.append("values: {" + ", ".join(f"{k}: {v}" for k, v in pairs.items()) + "}")
    if field.type == "enum":
        parts.extend(_enum_parts(values, field.values or []))
    if len(parts) == 1:
        return _quoted(column)
    return "{" + ", ".join(parts) + "}"


def _enum_parts(values: Sequence[str], allowed: Sequence[str]) -> list[str]:
    prefixes = sorted(
        {v[: -len(a)] for v in values for a in allowed if v.endswith(a) and v != a}, key=len
    )
    stripped = [next((v[len(p) :] for p in prefixes if v.startswith(p)), v) for v in values]
    unknown = sorted({v for v in stripped if v not in allowed})
    parts = ["strip: [" + ", ".join(_quoted(p) for p in prefixes) + "]"] if prefixes else []
    if unknown:
        guesses = []
        for value in unknown[:20]:
            near = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
            guesses.append(f"{_quoted(value)}: {near[0] if near else _UNDECIDED}")
        parts.append("values: {" + ", ".join(guesses) + "}")
    return parts


def _quoted(text: str) -> str:
    """`text` as a YAML flow scalar."""
    if re.fullmatch(r"[\w\u4e00-\u9fff]+", text) and text.lower() not in (
        "true",
        "false",
        "null",
        "yes",
        "no",
    ):
        return text
    return json.dumps(text, ensure_ascii=False)
