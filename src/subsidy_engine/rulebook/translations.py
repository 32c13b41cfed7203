"""Which readings a rulebook explains in English only: `lint` warns of each.

A rule's or a derived fact's `interpretation` says which reading of the text it takes, and a
reading parameter glosses each reading it offers; officials and enterprises read them in
Chinese (`interpretation_zh`, `readings_zh`). One with the English and not the Chinese still
loads (a rulebook is usable before it is translated), and `subsidy-engine lint` lists it, at
its line.
"""

from __future__ import annotations

from subsidy_engine.errors import Span
from subsidy_engine.rulebook.rulebook import Rulebook


def untranslated(rulebook: Rulebook) -> list[str]:
    """`file:line:column: warning: …` for each rule, then each derived fact, with an English
    interpretation and no Chinese one, then each reading glossed in English only."""
    sources = rulebook.sources
    if sources is None:
        return []
    out = []
    for source in sources.rule_files.values():
        document = sources.documents.get(source.document)
        for index, spec in enumerate(source.model.rules):
            if not spec.interpretation or spec.interpretation_zh:
                continue
            path = [*source.prefix, "rules", index, "interpretation"]
            span = (document.span_of(path) if document else None) or Span(source.document, 1, 1)
            out.append(
                f"{span}: warning: {spec.id} has an interpretation in English and none in "
                "Chinese (interpretation_zh)"
            )
    for rel, duties in sources.obligation_files.items():
        document = sources.documents.get(rel)
        for index, duty in enumerate(duties.obligations):
            if duty.interpretation and not duty.interpretation_zh:
                path = ["obligations", index, "interpretation"]
                span = (document.span_of(path) if document else None) or Span(rel, 1, 1)
                out.append(
                    f"{span}: warning: obligation {duty.id} has an interpretation in English "
                    "and none in Chinese (interpretation_zh)"
                )
    derived = sources.derived.derived if sources.derived else {}
    document = sources.documents.get("derived.yaml")
    for name, fact in derived.items():
        if fact.interpretation and not fact.interpretation_zh:
            path = ["derived", name, "interpretation"]
            span = (document.span_of(path) if document else None) or Span("derived.yaml", 1, 1)
            out.append(
                f"{span}: warning: derived fact {name} has an interpretation in English and "
                "none in Chinese (interpretation_zh)"
            )
    params = sources.documents.get("parameters.yaml")
    for name, parameter in rulebook.parameters.items():
        chinese = parameter.spec.readings_zh or {}
        for reading in parameter.spec.readings or {}:
            if reading not in chinese:
                path = ["parameters", name, "readings", reading]
                where = (params.span_of(path) if params else None) or Span("parameters.yaml", 1, 1)
                out.append(
                    f"{where}: warning: reading {reading!r} of parameter {name} has a gloss in "
                    "English and none in Chinese (readings_zh)"
                )
    return out
