"""Which registry column holds which profile field, and a refusal when a registry cannot be
understood.

A column is recognised, in this order, when the mapping names it, when it is named like a field,
or when it is named by a field's Chinese `title` or one of its `aliases` in profile.yaml (full-
and half-width brackets and spaces do not matter). A registry is refused before any row is
scored when it has no key column, when no field other than the key is recognised, when it holds
fewer than `min_fields` of the fields the rulebook reads (columns it does not need do not count
against it), or when an amount column whose header says 万元 or 亿元 would be read as yuan; the
message names every unrecognised column and its closest fields.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from subsidy_engine.batch.mapping import ColumnMapping
from subsidy_engine.dependencies import fields_read
from subsidy_engine.errors import InputError
from subsidy_engine.rulebook.models import ScalarFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook

MIN_FIELDS = 0.5
"""Default least share of the fields the rulebook reads that a registry must hold: a registry
missing most of them is refused."""
_SCALED = re.compile(r"万元|亿元|万|亿")


def _folded(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def _bare(name: str) -> str:
    """`name` without what it says in brackets (a unit, a gloss)."""
    return re.sub(r"[(（].*?[)）]", "", name)


def _names(rulebook: Rulebook) -> dict[str, str]:
    """Folded title or alias -> field."""
    found: dict[str, str] = {}
    for field, spec in rulebook.profile.spec.fields.items():
        for name in (spec.title, *spec.aliases):
            if name:
                found.setdefault(_folded(name), field)
    return found


@dataclass(frozen=True, slots=True)
class Recognised:
    """registry column -> profile field, and the columns left over."""

    fields: dict[str, str]
    unrecognised: tuple[str, ...]


def recognise(columns: Sequence[str], mapping: ColumnMapping, rulebook: Rulebook) -> Recognised:
    """Which column holds which field (a field is taken by the first way that names it)."""
    fields = rulebook.profile.spec.fields
    found: dict[str, str] = {}
    taken: set[str] = set()
    for field, spec in mapping.field_mappings().items():
        found[spec.column] = field
        taken.add(field)
    titles = _names(rulebook)
    for column in columns:
        if column not in found and column in fields and column not in taken:
            found[column] = column
            taken.add(column)
    for column in columns:
        title_field = titles.get(_folded(column))
        if column not in found and title_field is not None and title_field not in taken:
            found[column] = title_field
            taken.add(title_field)
    ignored = set(mapping.ignore)
    left = tuple(
        c for c in columns if c not in found and c not in ignored and not c.startswith("__")
    )
    return Recognised({c: f for c, f in found.items() if c in columns}, left)


def closest_fields(column: str, rulebook: Rulebook, n: int = 2) -> list[str]:
    """The fields whose name, title or alias is nearest `column`, as `field (title)`."""
    return [_shown(f, rulebook) for f in nearest_fields(column, rulebook)[:n]]


def _shown(field: str, rulebook: Rulebook) -> str:
    title = rulebook.profile.spec.fields[field].title
    return f"{field} ({title})" if title else field


def nearest_fields(column: str, rulebook: Rulebook) -> list[str]:
    """The fields whose name, title or alias is near `column`, nearest first."""
    spec = rulebook.profile.spec.fields
    candidates = {_folded(f): f for f in spec}
    for folded, field in _names(rulebook).items():
        candidates.setdefault(folded, field)
        candidates.setdefault(_bare(folded) or folded, field)
    bare = _bare(_folded(column)) or _folded(column)
    matches = difflib.get_close_matches(bare, list(candidates), n=12, cutoff=0.3)
    chosen: list[str] = []
    for match in matches:
        field = candidates[match]
        if field not in chosen:
            chosen.append(field)
    return chosen


def check_registry(
    source: str,
    columns: Sequence[str],
    mapping: ColumnMapping,
    rulebook: Rulebook,
    min_fields: float = MIN_FIELDS,
) -> Recognised:
    """The recognised columns of a registry; InputError naming the problem and every
    unrecognised column (with its closest fields) when it cannot be scored."""
    found = recognise(columns, mapping, rulebook)
    problems = _scaled_as_yuan(found, mapping, rulebook)
    key = rulebook.profile.key
    fields = set(found.fields.values())
    if key is not None and key not in fields:
        title = rulebook.profile.spec.fields[key].title
        problems.append(f"no key column: no column holds {key}" + (f" ({title})" if title else ""))
    read = fields_read(rulebook)
    held = [field for field in read if field in fields]
    if not fields - {key}:
        problems.append("no column holds a profile field")
    elif read and len(held) / len(read) < min_fields:
        problems.append(
            f"only {len(held)} of the {len(read)} fields the rulebook reads have a column "
            f"(at least {min_fields:.0%} must; --min-fields 0 scores it anyway)"
        )
    if problems:
        raise InputError(f"{source}: " + "; ".join(problems) + _listing(found, rulebook))
    return found


def _scaled_as_yuan(found: Recognised, mapping: ColumnMapping, rulebook: Rulebook) -> list[str]:
    specs = mapping.field_mappings()
    problems = []
    for column, field in found.fields.items():
        spec = rulebook.profile.spec.fields[field]
        unit = specs[field].unit if field in specs else None
        if isinstance(spec, ScalarFieldSpec) and spec.type == "money" and unit is None:
            scale = _SCALED.search(column)
            if scale:
                problems.append(
                    f"column {column!r} looks like {scale.group(0)} amounts but {field} would read "
                    f"it as yuan: give the unit in the mapping ({field}: {{column: {column}, "
                    f"unit: {scale.group(0).rstrip('元')}元}})"
                )
    return problems


def _listing(found: Recognised, rulebook: Rulebook) -> str:
    if not found.unrecognised:
        return ""
    lines = []
    for column in found.unrecognised:
        near = closest_fields(column, rulebook)
        lines.append(f"\n  {column!r}" + (f": closest {', '.join(near)}" if near else ""))
    return (
        "\nunrecognised columns (map them with --mapping, or list them under 'ignore'; "
        "'subsidy-engine mapping suggest' drafts a mapping):" + "".join(lines)
    )
