"""Results as JSON data: an evaluation with the options a caller over the wire needs; gap
reports and what-if comparisons.

`Evaluation.to_json` and the HTTP service both shape results here, so the two accept the same
options and give the same document:

* `statuses`: keep only results of these statuses (all by default);
* `citations`: `"full"` repeats each rule (titles, citation, interpretation) in every result;
  `"ref"` gives each result a `rule_id` and lists each rule once in a top-level `rules` table
  (its citation: measure number and quotes), each measure once in `measures` (heading, lead
  departments) and the document once in `document`; `"id"` gives each result its `rule_id`
  and no tables, for a caller that keeps the rules from `GET /rules` (or `Engine.rulebook`);
* `traces`: False leaves out every condition's trace (the values each condition saw).

>>> from datetime import date
>>> from subsidy_engine import Engine
>>> evaluation = Engine().evaluate({"employees": 30}, as_of=date(2019, 6, 1))
>>> view = evaluation_view(evaluation, statuses=["eligible"], citations="ref", traces=False)
>>> sorted(view)
['document', 'measures', 'profile_key', 'provenance', 'results', 'rules', 'totals']
>>> all(r["rule_id"] in view["rules"] and "conditions" not in r for r in view["results"])
True
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import TypeAdapter

from subsidy_engine.errors import InputError
from subsidy_engine.results import Evaluation, RuleInfo, Status

if TYPE_CHECKING:
    from subsidy_engine.analysis.gaps import GapReport
    from subsidy_engine.analysis.whatif import Comparison

CitationMode = Literal["full", "ref", "id"]
CITATION_MODES: tuple[str, ...] = ("full", "ref", "id")


def evaluation_view(
    evaluation: Evaluation,
    *,
    statuses: Iterable[str] | None = None,
    citations: str = "full",
    traces: bool = True,
) -> dict[str, Any]:
    """The evaluation as plain JSON data, shaped by the options above.

    Treat it as read-only: with citations by reference, the `rules`, `measures` and `document`
    entries are shared between calls (a rule's description is worked out once per rule)."""
    if citations not in CITATION_MODES:
        raise InputError(f"citations must be 'full', 'ref' or 'id', not {citations!r}")
    kept = evaluation.results
    if statuses is not None:
        wanted = {_status(s) for s in statuses}
        kept = tuple(r for r in kept if r.status in wanted)
    shaped = dataclasses.replace(evaluation, results=kept)
    drop = set() if traces else {"conditions"}
    if citations != "full":
        drop.add("rule")
    exclude = {"results": {"__all__": drop}} if drop else None
    data: dict[str, Any] = _evaluation_adapter().dump_python(shaped, mode="json", exclude=exclude)
    if citations == "ref":
        data.update(_citation_tables(kept, data["results"]))
    elif citations == "id":
        for result, out in zip(kept, data["results"], strict=True):
            out["rule_id"] = result.rule.id
    return data


def _citation_tables(kept: Iterable[Any], shaped: list[dict[str, Any]]) -> dict[str, Any]:
    """Each rule once (its citation down to measure number and quotes), each measure once
    (heading, lead departments), the document once."""
    rules: dict[str, Any] = {}
    measures: dict[str, Any] = {}
    document: dict[str, Any] | None = None  # stays None when no result is kept
    for result, out in zip(kept, shaped, strict=True):
        info: RuleInfo = result.rule
        out["rule_id"] = info.id
        if info.id not in rules:
            rule, measure, document = _split_citation(info)
            rules[info.id] = rule
            measures[str(rule["citation"]["measure"])] = measure
    return {"rules": rules, "measures": measures, "document": document}


@lru_cache(maxsize=4096)
def _split_citation(info: RuleInfo) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A rule's data without what its measure and document say (kept once per rule object:
    a rule's description never changes, and every result of the rule shares it)."""
    rule = _rule_adapter().dump_python(info, mode="json")
    citation = rule["citation"]
    document = {"title": citation.pop("document"), "number": citation.pop("document_number")}
    measure = {
        "heading": citation.pop("heading"),
        "lead_departments": citation.pop("lead_departments"),
    }
    return rule, measure, document


def _status(text: str) -> Status:
    try:
        return Status(text)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise InputError(f"no status {text!r}; known: {known}") from None


@cache
def _evaluation_adapter() -> TypeAdapter[Evaluation]:
    return TypeAdapter(Evaluation)


def rule_info_data(info: RuleInfo) -> dict[str, Any]:
    """A rule's description and citation as JSON data."""
    data: dict[str, Any] = _rule_adapter().dump_python(info, mode="json")
    return data


@cache
def _rule_adapter() -> TypeAdapter[RuleInfo]:
    return TypeAdapter(RuleInfo)


def plain(value: Any) -> Any:
    """A value as JSON data: Decimal as an exact string, dates as ISO text, tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def gaps_view(report: GapReport) -> dict[str, Any]:
    """A gap report as JSON data: gaps closest first (each saying whether it is within reach,
    a fact to supply or out of reach), then the questions to ask."""
    return {
        "gaps": [
            {
                "rule_id": gap.rule_id,
                "title": gap.title,
                "measure": gap.measure,
                "status": str(gap.status),
                "item": None if gap.item is None else str(gap.item),
                "reachable": gap.reachable,
                "kind": gap.kind,
                "changes": [
                    {
                        "fact": c.fact,
                        "requirement": c.requirement,
                        "current": plain(c.current),
                        "target": plain(c.target),
                        "settable": c.settable,
                        "historical": c.historical,
                    }
                    for c in gap.changes
                ],
                "missing_facts": list(gap.missing_facts),
                "distance": plain(gap.distance),
                "verified": gap.verified,
                "note": gap.note,
            }
            for gap in report.gaps
        ],
        "questions": [{"fact": q.fact, "decides": list(q.decides)} for q in report.questions],
    }


def comparison_view(comparison: Comparison) -> dict[str, Any]:
    """A what-if comparison as JSON data: every rule (or item) whose result changes."""
    return {
        "changes": [
            {
                "rule_id": change.rule_id,
                "title": change.title,
                "item": None if change.item is None else str(change.item),
                "kind": change.kind,
                "before": None if change.before is None else str(change.before.status),
                "after": None if change.after is None else str(change.after.status),
                "amount_delta": plain(change.amount_delta),
                "flipped": [
                    {
                        "name": f.name,
                        "expression": f.expression,
                        "before": f.before,
                        "after": f.after,
                    }
                    for f in change.flipped
                ],
            }
            for change in comparison.changes
        ]
    }
