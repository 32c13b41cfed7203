"""A printable notice for one enterprise: what it is entitled to, what is still to be shown.

`notice_html` writes a self-contained HTML page with print CSS (A4): the enterprise's name and
credit code; its cash entitlements first, each with its 支持标准 (the amount and the text's words
for it), the payer, 牵头部门 and the quoted text in full; then rights and deadlines; then what is
still undecided, with the titles of the facts that would decide it; the readings taken; and the
provenance in the footer. Text is Chinese or English (`language`), through the gettext catalog.
`notice_pdf` prints that page to PDF with headless Chromium (Debian: `chromium`; CJK text needs
a CJK font, e.g. `fonts-noto-cjk`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from subsidy_engine.errors import InputError
from subsidy_engine.i18n import translator, yuan_text
from subsidy_engine.results import AmountStatus, Evaluation, Provenance, RuleResult, Status
from subsidy_engine.rulebook.models import Unit
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.wording import Wording

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
NO_CASH = "No cash entitlement is established from the facts supplied."
DISCLAIMER = "This notice is computed from the facts supplied; the departments named decide."
PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", sans-serif; font-size: 11pt; line-height: 1.55; color: #111;
  max-width: 190mm; margin: 0 auto; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 0.2em; margin: 0 0 8mm; }
h2 { font-size: 13pt; border-bottom: 1.5pt solid #333; padding-bottom: 1mm; margin-top: 7mm; }
table.who { border-collapse: collapse; margin-bottom: 4mm; }
table.who th { text-align: left; padding-right: 6mm; font-weight: normal; color: #444; }
.entry { break-inside: avoid; page-break-inside: avoid; margin: 3mm 0 4mm; }
.entry h3 { font-size: 11.5pt; margin: 0 0 1mm; }
.entry dl { display: grid; grid-template-columns: 22mm 1fr; gap: 0.5mm 3mm; margin: 0; }
.entry dt { color: #444; }
.entry dd { margin: 0; }
blockquote { margin: 0; padding-left: 3mm; border-left: 2pt solid #999; }
.amount { font-weight: bold; }
footer { margin-top: 10mm; font-size: 8.5pt; color: #555; border-top: 0.5pt solid #999;
  padding-top: 2mm; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def notice_html(
    evaluation: Evaluation,
    rulebook: Rulebook,
    profile: Mapping[str, Any],
    language: str = "zh",
) -> str:
    """The notice as one HTML page (UTF-8, print CSS inline)."""
    gettext = translator(language).gettext
    titles = Wording.of(rulebook, "zh")  # the profile's titles are Chinese in either language
    eligible = evaluation.with_status(Status.ELIGIBLE)
    cash = sorted(
        (r for r in eligible if r.amount.unit is Unit.CASH),
        key=lambda r: (-_money(r), r.rule_id),
    )
    others = [r for r in eligible if r.amount.unit is not Unit.CASH]
    others.sort(key=lambda r: (r.amount.unit is Unit.RIGHT, r.rule.citation.measure, r.rule_id))
    open_ = evaluation.with_status(Status.UNDETERMINED)
    withdrawn = evaluation.with_status(Status.EXCLUDED)
    name = str(profile.get("name") or gettext("(not named)"))
    code = str(profile.get("credit_code") or evaluation.profile_key or "—")
    parts = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if language == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(gettext('Policy entitlements notice'))} — {escape(name)}</title>",
        f"<style>{PRINT_CSS}</style></head><body>",
        f"<h1>{escape(gettext('Policy entitlements notice'))}</h1>",
        '<table class="who">',
        _who(gettext("Enterprise"), name),
        _who(gettext("Unified social credit code"), code),
        _who(gettext("Assessed as of"), evaluation.provenance.as_of.isoformat()),
        "</table>",
        f'<section id="cash"><h2>{escape(gettext("Cash entitlements"))}</h2>',
    ]
    if not cash:
        parts.append(_paragraph(gettext(NO_CASH)))
    parts += [_entry(r, language) for r in cash]
    parts.append("</section>")
    parts.append(f'<section id="rights"><h2>{escape(gettext("Rights and deadlines"))}</h2>')
    parts += [_entry(r, language) for r in others]
    parts.append("</section>")
    parts.append(f'<section id="open"><h2>{escape(gettext("More information needed"))}</h2>')
    if not open_:
        parts.append(_paragraph(gettext("Nothing further is needed.")))
    for result in open_:
        facts = "、".join(titles.undecided_by(result, language))
        parts.append(
            f'<div class="entry"><h3>{escape(_title(result, language))}</h3><dl>'
            f"<dt>{escape(gettext('Facts that would decide it'))}</dt><dd>{escape(facts)}</dd>"
            f"{_citation_rows(result, language)}</dl></div>"
        )
    parts.append("</section>")
    if withdrawn:
        parts.append(f'<section id="withdrawn"><h2>{escape(gettext("Withdrawn"))}</h2>')
        for result in withdrawn:
            assert result.excluded_by is not None
            why = gettext("Withdrawn by %(rule)s: %(reason)s") % {
                "rule": result.excluded_by.rule_id,
                "reason": result.excluded_by.reason,
            }
            parts.append(
                f'<div class="entry"><h3>{escape(_title(result, language))}</h3>'
                f"<p>{escape(why)}</p></div>"
            )
        parts.append("</section>")
    readings = _readings(evaluation.results, language)
    if readings:
        parts.append(f'<section id="readings"><h2>{escape(gettext("Readings taken"))}</h2><ul>')
        parts += [f"<li>{escape(text)}</li>" for text in readings]
        parts.append("</ul></section>")
    footer = provenance_line(evaluation.provenance, language)
    number = rulebook.manifest.document_number
    document = rulebook.manifest.title + (f"（{number}）" if number else "")
    parts += [
        "<footer>",
        _paragraph(document),
        _paragraph(footer),
        _paragraph(gettext(DISCLAIMER)),
        "</footer></body></html>",
    ]
    return "\n".join(parts)


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _who(label: str, value: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"


def _money(result: RuleResult) -> Decimal:
    value = result.amount.value
    return value if isinstance(value, Decimal) else Decimal(-1)


def _title(result: RuleResult, language: str) -> str:
    title = result.rule.title if language == "zh" else result.rule.title_en
    item = result.item
    return f"{title}（{item.label or item}）" if item else title


def _entry(result: RuleResult, language: str) -> str:
    gettext = translator(language).gettext
    amount = result.amount
    standard = amount_text(result, language)
    if amount.basis:
        standard = f"{standard}（{amount.basis}）" if standard else amount.basis
    payer = "、".join(gettext(p.value) for p in amount.payer)
    return (
        f'<div class="entry"><h3>{escape(_title(result, language))}</h3><dl>'
        f"<dt>{escape(gettext('Support standard'))}</dt>"
        f'<dd class="amount">{escape(standard)}</dd>'
        f"<dt>{escape(gettext('Payer'))}</dt><dd>{escape(payer)}</dd>"
        f"{_citation_rows(result, language)}</dl></div>"
    )


def amount_text(result: RuleResult, language: str) -> str:
    """The figure as a person reads it in `language`: 780万元, 2020-04-30前, 未明确 …"""
    gettext = translator(language).gettext
    amount = result.amount
    if amount.status is AmountStatus.NONE:
        return ""
    if amount.status is AmountStatus.UNSPECIFIED:
        return gettext("unspecified (the text gives no figure)")
    if amount.status is AmountStatus.UNKNOWN:
        return gettext("unknown (facts missing)")
    value = amount.value
    if isinstance(value, date):
        label = "by %(date)s" if amount.unit is Unit.DEADLINE else "until %(date)s"
        return gettext(label) % {"date": value.isoformat()}
    assert isinstance(value, Decimal)
    text = yuan_text(value, language)
    if amount.unit is Unit.PRICE_FLOOR_PER_M2:
        return f"{value:,.2f} {gettext('yuan per m²')}"
    return f"{text}（{gettext(amount.unit.value)}）" if amount.unit is not Unit.CASH else text


def _citation_rows(result: RuleResult, language: str) -> str:
    gettext = translator(language).gettext
    citation = result.rule.citation
    measure = gettext("Measure %(number)s") % {"number": citation.measure}
    quotes = "".join(f"<blockquote>{escape(q)}</blockquote>" for q in citation.quotes)
    return (
        f"<dt>{escape(gettext('Lead departments'))}</dt>"
        f"<dd>{escape('、'.join(citation.lead_departments))}</dd>"
        f"<dt>{escape(gettext('Policy text'))}</dt>"
        f"<dd>{escape(measure)} {escape(citation.heading)}{quotes}</dd>"
    )


def _readings(results: Iterable[RuleResult], language: str) -> list[str]:
    """The readings taken by the rules shown (eligible, undetermined, excluded), once each, in
    `language` (in Chinese, a rule's English reading where it has no Chinese one)."""
    shown = (Status.ELIGIBLE, Status.UNDETERMINED, Status.EXCLUDED)
    seen: dict[str, None] = {}
    for result in results:
        rule = result.rule
        text = rule.interpretation_in(language)
        if result.status in shown and text:
            seen.setdefault(f"{rule.title if language == 'zh' else rule.title_en}：{text}")
    return list(seen)


def find_browser() -> str:
    """The headless browser that prints PDFs; InputError naming the package when none is."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        "printing a PDF needs Chromium (Debian: apt-get install chromium fonts-noto-cjk)"
    )


CHROMIUM_QUIET = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Chromium flags for a run with no window of its own: no sandbox, GPU, network chatter,
updates, sync or first-run pages."""


def notice_pdf(html: str, output: Path, *, timeout: float = 60.0) -> None:
    """Print the notice to `output` (PDF) with headless Chromium; written whole or not at all."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="notice-") as work:
        page = Path(work) / "notice.html"
        page.write_text(html, encoding="utf-8")
        printed = Path(work) / "notice.pdf"
        command = [
            browser,
            "--headless",
            *CHROMIUM_QUIET,
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if done.returncode or not printed.is_file() or printed.stat().st_size == 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise InputError(f"Chromium could not print the notice: {detail[0]}")
        shutil.move(printed, output)


def provenance_line(provenance: Provenance, language: str) -> str:
    """What decided a printed page, for its footer: rulebook, its hash, engine and date."""
    gettext = translator(language).gettext
    text: str = gettext("Rulebook %(id)s, sha256 %(sha)s, engine %(version)s, as of %(as_of)s")
    return text % {
        "id": provenance.rulebook_id,
        "sha": provenance.rulebook_sha256[:16],
        "version": provenance.engine_version,
        "as_of": provenance.as_of.isoformat(),
    }
