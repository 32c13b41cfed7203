"""Which rules explain their reading in English only: `lint` warns of each.

A rule's `interpretation` says which reading of the text it takes; officials and enterprises
read it in Chinese (`interpretation_zh`). A rule with the one and not the other still loads (a
rulebook is usable before it is translated), and `subsidy-engine lint` lists it, at its line.
"""

from __future__ import annotations

from subsidy_engine.errors import Span
from subsidy_engine.rulebook.rulebook import Rulebook


def untranslated(rulebook: Rulebook) -> list[str]:
    """`file:line:column: warning: …` for each rule with an English interpretation and no
    Chinese one, in file order."""
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
    return out
