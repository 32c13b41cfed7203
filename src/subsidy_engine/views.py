"""An evaluation as JSON data, with the options a caller over the wire needs.

`Evaluation.to_json` and the HTTP service both shape results here, so the two accept the same
options and give the same document:

* `statuses`: keep only results of these statuses (all by default);
* `citations`: `"full"` repeats each rule (titles, citation, interpretation) in every result;
  `"ref"` gives each result a `rule_id` and lists each rule once in a top-level `rules` table
  (its citation: measure number and quotes), each measure once in `measures` (heading, lead
  departments) and the document once in `document`;
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
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

from subsidy_engine.errors import InputError
from subsidy_engine.results import Evaluation, RuleInfo, Status

CitationMode = Literal["full", "ref"]
CITATION_MODES: tuple[str, ...] = ("full", "ref")


def evaluation_view(
    evaluation: Evaluation,
    *,
    statuses: Iterable[str] | None = None,
    citations: str = "full",
    traces: bool = True,
) -> dict[str, Any]:
    """The evaluation as plain JSON data, shaped by the options above."""
    if citations not in CITATION_MODES:
        raise InputError(f"citations must be 'full' or 'ref', not {citations!r}")
    kept = evaluation.results
    if statuses is not None:
        wanted = {_status(s) for s in statuses}
        kept = tuple(r for r in kept if r.status in wanted)
    shaped = dataclasses.replace(evaluation, results=kept)
    drop = set() if traces else {"conditions"}
    if citations == "ref":
        drop.add("rule")
    exclude = {"results": {"__all__": drop}} if drop else None
    data: dict[str, Any] = _evaluation_adapter().dump_python(
        shaped, mode="json", exclude=exclude
    )
    if citations == "ref":
        data.update(_citation_tables(kept, data["results"]))
    return data


def _citation_tables(kept: Iterable[Any], shaped: list[dict[str, Any]]) -> dict[str, Any]:
    """Each rule once (its citation down to measure number and quotes), each measure once
    (heading, lead departments), the document once."""
    rules: dict[str, Any] = {}
    measures: dict[str, Any] = {}
    document: dict[str, Any] = {}
    for result, out in zip(kept, shaped, strict=True):
        info: RuleInfo = result.rule
        out["rule_id"] = info.id
        if info.id in rules:
            continue
        rule = _rule_adapter().dump_python(info, mode="json")
        citation = rule["citation"]
        document = {"title": citation.pop("document"), "number": citation.pop("document_number")}
        measures[str(citation["measure"])] = {
            "heading": citation.pop("heading"),
            "lead_departments": citation.pop("lead_departments"),
        }
        rules[info.id] = rule
    return {"rules": rules, "measures": measures, "document": document}


def _status(text: str) -> Status:
    try:
        return Status(text)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise InputError(f"no status {text!r}; known: {known}") from None


@cache
def _evaluation_adapter() -> TypeAdapter[Evaluation]:
    return TypeAdapter(Evaluation)


@cache
def _rule_adapter() -> TypeAdapter[RuleInfo]:
    return TypeAdapter(RuleInfo)
