"""What `lint` reports about a rulebook that loads: not errors, but places where the engine
decides less than the text and the facts would allow.

A finite-valued derived fact is worked out over the combinations of its split inputs' values
(`lang.partial.scenarios`), at most `MAX_SCENARIOS` of them; the inputs beyond are read by
three-valued logic only. Its answers stay sound (a decided answer is what every completion of
the known facts gives), but it may stay undetermined where every completion agrees: the
rulebook's author is told which fact and which inputs.
"""

from __future__ import annotations

from subsidy_engine.lang.partial import MAX_SCENARIOS, code_fields, unsplit_inputs
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.translations import untranslated


def lint_warnings(rulebook: Rulebook) -> list[str]:
    """Every warning `lint` prints, `file:line:column: warning: …`: derived facts not worked
    out over all their split inputs, then text in English with no Chinese beside it."""
    return [*_partly_split(rulebook), *untranslated(rulebook)]


def _partly_split(rulebook: Rulebook) -> list[str]:
    """One line per derived fact not worked out over all its split inputs, naming the fact,
    where it is defined and the inputs left out."""
    fields = code_fields(rulebook.profile.spec)
    out = []
    for name, fact in rulebook.derived.items():
        left = unsplit_inputs(fact.node, fields)
        if not left:
            continue
        names = ", ".join(split.node.name for split in left)
        out.append(
            f"{fact.node.span}: warning: derived fact {name!r} reads more than {MAX_SCENARIOS} "
            f"combinations of values; it is not worked out over {names}, which it reads by "
            f"three-valued logic: never decided wrongly, but left undetermined where knowing "
            f"them in part would decide it"
        )
    return out
