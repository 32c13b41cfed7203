"""People's views of an evaluation: a terminal table, Markdown, HTML, a DataFrame.

Every view shows the same facts: status, amount (or why it is unspecified), payer, citation.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from subsidy_engine.money import in_wan
from subsidy_engine.results import (
    Amount,
    AmountStatus,
    Evaluation,
    RuleResult,
    Status,
)
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.wording import Wording

if TYPE_CHECKING:
    import polars as pl
    from rich.table import Table

STATUS_ORDER = [
    Status.ELIGIBLE,
    Status.EXCLUDED,
    Status.UNDETERMINED,
    Status.ENDED,
    Status.INELIGIBLE,
    Status.NOT_IN_FORCE,
]
_UNIT_TEXT = {
    Unit.CASH: "",
    Unit.SAVING: " saved",
    Unit.RECOMMENDATION: " (recommended for)",
    Unit.PRICE_FLOOR_PER_M2: " per m² (price floor)",
    Unit.PRICE_FLOOR_TOTAL: " for the plot (price floor)",
}


def format_yuan(value: Decimal) -> str:
    """`200000.00` -> `¥200,000.00 (20万)`; the 万 form only where it is exact enough to help.

    >>> format_yuan(Decimal("260000.00"))
    '¥260,000.00 (26万)'
    >>> format_yuan(Decimal("518.50"))
    '¥518.50'
    """
    text = f"¥{value:,.2f}"
    wan = in_wan(value)
    return f"{text} ({wan})" if wan else text


def format_amount(amount: Amount) -> str:
    """An amount as a person reads it, including why a figure is missing."""
    if amount.status is AmountStatus.NONE:
        return "—"
    if amount.status is AmountStatus.UNSPECIFIED:
        named = ", ".join(amount.unspecified_parameters)
        return "unspecified" + (f" (set {named})" if named else " (the text gives no figure)")
    if amount.status is AmountStatus.UNKNOWN:
        return "unknown (facts missing)"
    value = amount.value
    if isinstance(value, date):
        label = "by" if amount.unit is Unit.DEADLINE else "until"
        return f"{label} {value.isoformat()}"
    assert isinstance(value, Decimal)
    if amount.unit is Unit.WORKING_DAY_BUDGET:
        return f"{value.normalize():f} working days in all"
    return format_yuan(value) + _UNIT_TEXT.get(amount.unit, "")


def markdown_text(text: str) -> str:
    """`text` from a profile, shown as itself in Markdown: on one line, its markup escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", " ".join(text.splitlines()))


# the text never starts a line, so only inline markup (and raw HTML) needs escaping
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>#|~]")


def _what(result: RuleResult, words: Wording, shown: Callable[[str], str] = str) -> str:
    """The rule's title (in English beside the Chinese), and the item's label from the profile
    as `shown` renders it."""
    rule = result.rule
    title = rule.title if words.language == "zh" else f"{rule.title} ({rule.title_en})"
    return f"{title} — {shown(words.item(result.item))}" if result.item else title


def _sorted(results: Iterable[RuleResult]) -> list[RuleResult]:
    order = {status: i for i, status in enumerate(STATUS_ORDER)}
    return sorted(results, key=lambda r: (order[r.status], r.rule.citation.measure, r.rule_id))


def _caption(evaluation: Evaluation, gettext: Callable[[str], str]) -> str:
    """A results table's title: whose profile, by which rulebook, as of when."""
    provenance = evaluation.provenance
    return gettext("%(key)s — %(rulebook)s as of %(as_of)s") % {
        "key": evaluation.profile_key or gettext("profile"),
        "rulebook": provenance.rulebook_id,
        "as_of": provenance.as_of,
    }


# Terminal ---------------------------------------------------------------------------------------


def rich_table(
    evaluation: Evaluation,
    *,
    all_statuses: bool = False,
    language: str = "en",
    wording: Wording | None = None,
) -> Table:
    """The results as a terminal table, in English or Chinese (`language` 'zh'); with a
    rulebook's `wording`, missing facts by their titles."""
    from rich.markup import escape
    from rich.table import Table

    from subsidy_engine.i18n import translator

    gettext = translator(language).gettext
    words = wording or Wording.plain(language)
    table = Table(title=escape(_caption(evaluation, gettext)), show_lines=False)
    for column in ("status", "measure", "rule", "title", "amount", "payer", "why / missing"):
        table.add_column(gettext(column), overflow="fold")
    for result in _sorted(evaluation.results):
        if not all_statuses and result.status in (Status.INELIGIBLE, Status.NOT_IN_FORCE):
            continue
        why = ""
        if result.status is Status.UNDETERMINED:
            why = ", ".join(words.undecided_by(result))
        if result.excluded_by:
            why = gettext("excluded by %(rule)s") % {"rule": result.excluded_by.rule_id}
        title = result.rule.title + (f" — {words.item(result.item)}" if result.item else "")
        cells = (
            gettext(str(result.status)),
            str(result.rule.citation.measure),
            result.rule_id,
            title,
            _amount_text(result, language),
            "+".join(gettext(str(payer)) for payer in result.amount.payer),
            why,
        )
        table.add_row(*(escape(cell) for cell in cells))
    return table


def totals_lines(evaluation: Evaluation, language: str = "en") -> list[str]:
    if language != "en":
        return _totals_lines_in(evaluation, language)
    lines = []
    for total in evaluation.totals:
        extra = f", {total.unspecified} more unspecified" if total.unspecified else ""
        lines.append(f"{total.payer}: {format_yuan(total.amount)} from {total.counted}{extra}")
    return lines


def _amount_text(result: RuleResult, language: str) -> str:
    if language == "en":
        return format_amount(result.amount)
    from subsidy_engine.notice import amount_text

    return amount_text(result, language) or "—"


def _totals_lines_in(evaluation: Evaluation, language: str) -> list[str]:
    from subsidy_engine.i18n import translator, yuan_text

    gettext = translator(language).gettext
    lines = []
    for total in evaluation.totals:
        payer = "+".join(gettext(level) for level in total.payer.split("+"))
        line = gettext("%(payer)s: %(amount)s from %(counted)s entitlements") % {
            "payer": payer,
            "amount": yuan_text(total.amount, language),
            "counted": total.counted,
        }
        if total.unspecified:
            line += gettext(", %(count)s more unspecified") % {"count": total.unspecified}
        lines.append(line)
    return lines


# Markdown -------------------------------------------------------------------------------------


def markdown(evaluation: Evaluation, wording: Wording | None = None) -> str:
    """A report for a person: entitlements by payer, near misses, facts to supply; in the
    language of `wording` (default: English, fields by name)."""
    words = wording or Wording.plain()
    gettext = words.gettext
    provenance = evaluation.provenance
    who = markdown_text(evaluation.profile_key or gettext("this enterprise"))
    out = [
        "# " + gettext("Entitlements of %(who)s") % {"who": who},
        "",
        gettext("Rulebook `%(id)s` (sha256 `%(sha)s…`), as of %(as_of)s, engine %(version)s.")
        % {
            "id": provenance.rulebook_id,
            "sha": provenance.rulebook_sha256[:12],
            "as_of": provenance.as_of,
            "version": provenance.engine_version,
        },
        "",
    ]
    eligible = [r for r in evaluation.results if r.status is Status.ELIGIBLE]
    if eligible:
        out += ["## " + gettext("What the enterprise qualifies for"), ""]
        by_payer: dict[str, list[RuleResult]] = {}
        for result in eligible:
            payer = "+".join(gettext(str(p)) for p in result.amount.payer)
            by_payer.setdefault(payer or gettext("no payment"), []).append(result)
        for payer, results in sorted(by_payer.items()):
            out += ["### " + gettext("Paid or granted by: %(payer)s") % {"payer": payer}, ""]
            for result in results:
                out += _markdown_entry(result, words)
        if evaluation.totals:
            totals = "; ".join(totals_lines(evaluation, words.language))
            out += [f"**{gettext('Cash totals by payer:')}** {totals}", ""]
    else:
        out += [gettext("The enterprise qualifies for no measure on the facts given."), ""]
    excluded = evaluation.with_status(Status.EXCLUDED)
    if excluded:
        out += ["## " + gettext("Withdrawn"), ""]
        for result in excluded:
            assert result.excluded_by is not None
            measure = gettext("measure %(number)s") % {
                "number": result.excluded_by.citation.measure
            }
            out.append(
                f"- {_what(result, words, markdown_text)}: {result.excluded_by.reason} "
                f"({measure}, `{result.excluded_by.rule_id}`)"
            )
        out.append("")
    ended = evaluation.with_status(Status.ENDED)
    if ended:
        out += ["## " + gettext("Periods that have ended"), ""]
        for result in ended:
            when = gettext("ended on %(date)s") % {"date": result.amount.value}
            out.append(f"- {_what(result, words, markdown_text)}: {when}")
        out.append("")
    near = [
        r
        for r in evaluation.results
        if r.status is Status.INELIGIBLE and sum(c.outcome is False for c in r.conditions) == 1
    ]
    if near:
        out += ["## " + gettext("Nearly qualified (one condition short)"), ""]
        for result in near:
            failed = next(c for c in result.conditions if c.outcome is False)
            short = gettext("`%(condition)s` is not met (%(seen)s)") % {
                "condition": failed.expression,
                "seen": markdown_text(words.seen(failed)),
            }
            out.append(
                f"- {_what(result, words, markdown_text)}, {_measure(result, words)}: {short}"
            )
        out.append("")
    undetermined = evaluation.undetermined
    if undetermined:
        out += [
            "## " + gettext("Facts to supply"),
            "",
            gettext("These measures may apply; the facts listed would decide them."),
            "",
        ]
        for result in undetermined:
            facts = ", ".join(f"`{markdown_text(f)}`" for f in words.undecided_by(result))
            out.append(
                f"- {_what(result, words, markdown_text)}, {_measure(result, words)}: {facts}"
            )
        out.append("")
    return "\n".join(out)


def _measure(result: RuleResult, words: Wording) -> str:
    return words.gettext("measure %(number)s") % {"number": result.rule.citation.measure}


def _markdown_entry(result: RuleResult, words: Wording) -> list[str]:
    gettext = words.gettext
    citation = result.rule.citation
    lines = [
        f"- **{_what(result, words, markdown_text)}** — {_amount_text(result, words.language)}",
        "  - "
        + gettext("Measure %(number)s") % {"number": citation.measure}
        + f" {citation.heading}; "
        + gettext("contact %(departments)s")
        % {"departments": "、".join(citation.lead_departments)},
    ]
    lines += [f"  - > {quote}" for quote in citation.quotes]
    met = [
        f"{c.name} ({markdown_text(words.seen(c))})" if c.values else c.name
        for c in result.conditions
    ]
    if met:
        lines.append(
            "  - " + gettext("Conditions met: %(conditions)s") % {"conditions": "; ".join(met)}
        )
    interpretation = result.rule.interpretation_in(words.language)
    if interpretation:
        lines.append("  - " + gettext("Reading taken: %(text)s") % {"text": interpretation})
    for reading in result.readings:
        others = ", ".join(a for a in reading.alternatives if a != reading.name)
        chinese = reading.gloss_zh if words.language == "zh" else None
        gloss = chinese or reading.gloss or gettext("none chosen")
        lines.append(
            "  - "
            + gettext("Reading `%(reading)s`: %(gloss)s (others: %(others)s)")
            % {"reading": reading, "gloss": gloss, "others": others}
        )
    lines.append("")
    return lines


# HTML (notebooks) -----------------------------------------------------------------------------


def html(evaluation: Evaluation, wording: Wording | None = None) -> str:
    """The results as an HTML table (a notebook's view), in the language of `wording`."""
    words = wording or Wording.plain()
    gettext = words.gettext
    escape = html_lib.escape
    rows = []
    for result in _sorted(evaluation.results):
        citation = result.rule.citation
        missing = ", ".join(words.undecided_by(result))
        rows.append(
            "<tr>"
            f"<td>{escape(gettext(str(result.status)))}</td>"
            f"<td>{citation.measure}</td>"
            f"<td>{escape(_what(result, words))}</td>"
            f"<td>{escape(_amount_text(result, words.language))}</td>"
            f"<td>{escape('+'.join(gettext(str(p)) for p in result.amount.payer))}</td>"
            f"<td>{escape(missing)}</td>"
            f'<td title="{escape(" ".join(citation.quotes))}">{escape(citation.heading)}</td>'
            "</tr>"
        )
    caption = escape(_caption(evaluation, gettext))
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in (
            gettext("status"),
            gettext("measure"),
            gettext("rule"),
            gettext("amount"),
            gettext("payer"),
            gettext("missing"),
            gettext("citation"),
        )
    )
    return (
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# DataFrame ------------------------------------------------------------------------------------


def evaluation_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    rows = []
    for result in evaluation.results:
        amount = result.amount
        rows.append(
            {
                "profile_key": evaluation.profile_key,
                "rule_id": result.rule_id,
                "measure": result.rule.citation.measure,
                "item": None if result.item is None else result.item.index,
                "status": str(result.status),
                "unit": str(amount.unit),
                "amount": amount.value if isinstance(amount.value, Decimal) else None,
                "date": amount.value if isinstance(amount.value, date) else None,
                "amount_status": str(amount.status),
                "payer": "+".join(amount.payer),
                "missing_facts": list(result.missing_facts),
            }
        )
    return rows


def evaluation_frame(evaluation: Evaluation) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(evaluation_rows(evaluation), infer_schema_length=None)
