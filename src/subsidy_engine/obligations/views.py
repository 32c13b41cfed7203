"""People's views of an `ObligationReport`: a terminal table, JSON, an Excel workbook and a
printable Chinese (or English) HTML report. Headings and statuses come from the gettext
catalog; a view adds nothing and drops nothing the report says.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from subsidy_engine.i18n import translator, yuan_text
from subsidy_engine.notice import PRINT_CSS, provenance_line
from subsidy_engine.obligations.period import period_label
from subsidy_engine.obligations.report import (
    LogSummary,
    ObligationReport,
    ObligationRollup,
    RejectedRow,
)
from subsidy_engine.obligations.results import ObligationResult
from subsidy_engine.optional import require
from subsidy_engine.rulebook.models import ListFieldSpec
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.views import plain
from subsidy_engine.wording import Wording

RESULT_COLUMNS = (
    "subject_kind",
    "subject",
    "rule_id",
    "measure",
    "title",
    "status",
    "unit",
    "required",
    "achieved",
    "shortfall",
    "missing_facts",
    "arithmetic",
    "readings",
    "citation",
)
ROLLUP_COLUMNS = (
    "rule_id",
    "measure",
    "title",
    "subject_kind",
    "unit",
    "subjects",
    "met",
    "not_met",
    "undetermined",
    "not_in_force",
    "required",
    "achieved",
    "shortfall",
)
REJECT_COLUMNS = ("row", "id", "reason")
_TABLE_CSS = """
table.grid { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 2mm 0 4mm; }
table.grid th, table.grid td { border: 0.5pt solid #777; padding: 1mm 1.5mm; vertical-align: top; }
table.grid th { background: #eee; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
.not_met { font-weight: bold; }
"""


def report_json(report: ObligationReport) -> dict[str, Any]:
    """The report as JSON-ready data: figures as decimal text, dates ISO."""
    data: dict[str, Any] = plain(
        {
            "period": {"label": period_label(report.period), **asdict(report.period)},
            "provenance": asdict(report.provenance),
            "results": [asdict(r) for r in report.results],
            "rollup": [asdict(r) for r in report.rollup],
        }
    )
    if report.log is not None:
        data["log"] = {**plain(asdict(report.log)), "rows_rejected": len(report.log.rejected)}
    return data


def result_json(result: ObligationResult) -> dict[str, Any]:
    """One result as JSON-ready data, as in `report_json`'s `results`."""
    data: dict[str, Any] = plain(asdict(result))
    return data


def result_row(result: ObligationResult) -> dict[str, Any]:
    """One result as flat cells (`RESULT_COLUMNS`)."""
    return {
        "subject_kind": result.subject_kind,
        "subject": result.subject,
        "rule_id": result.rule_id,
        "measure": result.citation.measure,
        "title": result.title,
        "status": result.status.value,
        "unit": result.unit,
        "required": result.required,
        "achieved": result.achieved,
        "shortfall": result.shortfall,
        "missing_facts": "; ".join(result.missing_facts + result.missing_parameters),
        "arithmetic": "; ".join(result.arithmetic),
        "readings": "; ".join(str(r) for r in result.readings),
        "citation": f"{result.citation} {' '.join(result.citation.quotes)}",
    }


def rollup_row(row: ObligationRollup) -> dict[str, Any]:
    """One roll-up row as flat cells (`ROLLUP_COLUMNS`)."""
    cells = {name: getattr(row, name) for name in ROLLUP_COLUMNS if name != "measure"}
    return {**cells, "measure": row.citation.measure}


def figure_text(value: Decimal | None, unit: str, language: str) -> str:
    """A figure as a person reads it: yuan with 万, a share as a percentage, a count."""
    if value is None:
        return "—"
    if unit == "yuan":
        return yuan_text(value, language)
    if unit == "share":
        return f"{value * 100:f}".rstrip("0").rstrip(".") + "%"
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def table_text(report: ObligationReport, language: str = "zh") -> str:
    """The report as plain text columns for a terminal."""
    gettext = translator(language).gettext
    heading = gettext("Obligations report, %(period)s") % {"period": period_label(report.period)}
    header = [gettext(h) for h in ("subject", "obligation", "status", "required", "achieved")]
    header.append(gettext("shortfall / missing"))
    rows = [header]
    for result in report.results:
        gap = _gap_text(result, result.missing_facts, language)
        rows.append(
            [
                result.subject,
                result.rule_id,
                gettext(result.status.value),
                figure_text(result.required, result.unit, language),
                figure_text(result.achieved, result.unit, language),
                gap,
            ]
        )
    lines = [heading, *_log_lines(report.log, language), *_columns(rows)]
    lines += ["", gettext("City roll-up")]
    counts = ("met", "not_met", "undetermined", "not_in_force")
    roll = [[gettext("obligation"), *(gettext(c) for c in counts), gettext("shortfall")]]
    for row in report.rollup:
        shortfall = figure_text(row.shortfall, row.unit, language)
        roll.append([row.rule_id, *(str(getattr(row, c)) for c in counts), shortfall])
    return "\n".join([*lines, *_columns(roll)]) + "\n"


def log_text(log: LogSummary, language: str) -> str:
    """One line: what became of the application log's rows."""
    gettext = translator(language).gettext
    counts = {"read": log.rows_read, "kept": log.in_period, "rejected": len(log.rejected)}
    what = gettext("Application log %(source)s") % {"source": log.source}
    rows = gettext("%(read)d rows read, %(kept)d in the period, %(rejected)d rejected") % counts
    return what + ("：" if language == "zh" else ": ") + rows


def rejected_text(row: RejectedRow, language: str) -> str:
    gettext = translator(language).gettext
    return gettext("row %(row)d (%(id)s): %(reason)s") % {
        "row": row.row,
        "id": row.id or "—",
        "reason": row.reason,
    }


def _log_lines(log: LogSummary | None, language: str) -> list[str]:
    if log is None:
        return []
    return [log_text(log, language), *("  " + rejected_text(r, language) for r in log.rejected)]


def _gap_text(result: ObligationResult, missing: tuple[str, ...], language: str) -> str:
    """The shortfall when it is decided, else what is missing (`missing`: the facts as shown)
    and the arithmetic faults that left a figure without a value."""
    if result.shortfall is None:
        faults = tuple(Wording.plain(language).fault(fault) for fault in result.arithmetic)
        return "、".join(missing + result.missing_parameters + faults)
    return figure_text(result.shortfall, result.unit, language)


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def _width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def write_excel(report: ObligationReport, path: Path) -> None:
    """Two sheets: `results` (subject by subject) and `rollup` (the city); a third,
    `rejects` (row, id, reason), when an application log was checked."""
    require("xlsxwriter", extra="batch")
    pl = require("polars", extra="batch")

    from subsidy_engine.batch.excel import ExcelBook, ExcelWriter

    book = ExcelBook(path)
    sheets: list[tuple[str, list[dict[str, Any]], tuple[str, ...]]] = [
        ("results", [result_row(r) for r in report.results], RESULT_COLUMNS),
        ("rollup", [rollup_row(r) for r in report.rollup], ROLLUP_COLUMNS),
    ]
    if report.log is not None:
        sheets.append(("rejects", [asdict(r) for r in report.log.rejected], REJECT_COLUMNS))
    for sheet, rows, columns in sheets:
        writer = ExcelWriter(book, sheet)
        frame = pl.DataFrame(
            [[row[c] for c in columns] for row in rows],
            schema=list(columns),
            orient="row",
            infer_schema_length=None,
        )
        writer.write(frame)  # an empty sheet keeps its header: none rejected, not unknown
        writer.close()
    book.close()


def report_html(report: ObligationReport, rulebook: Rulebook, language: str = "zh") -> str:
    """The report as one printable HTML page: the city roll-up, then each subject's
    obligations with their figures and the text that imposes them; a missing fact is named by
    its title in the subject's facts file."""
    gettext = translator(language).gettext
    number = rulebook.manifest.document_number
    document = rulebook.manifest.title + (f"（{number}）" if number else "")
    title = gettext("Obligations report, %(period)s") % {"period": period_label(report.period)}
    parts = [
        "<!doctype html>",
        f'<html lang="{"zh-CN" if language == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{PRINT_CSS}{_TABLE_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(document)}</p>",
        f'<section id="rollup"><h2>{escape(gettext("City roll-up"))}</h2>',
        _rollup_table(report, language),
        "</section>",
        *_log_section(report.log, language),
        f'<section id="subjects"><h2>{escape(gettext("Obligations by subject"))}</h2>',
    ]
    for subject in dict.fromkeys((r.subject_kind, r.subject) for r in report.results):
        results = [r for r in report.results if (r.subject_kind, r.subject) == subject]
        kind = rulebook.subjects.get(subject[0])
        what = (kind.title if language == "zh" else kind.title_en) if kind else subject[0]
        parts.append(f"<h3>{escape(subject[1])} <small>{escape(what)}</small></h3>")
        parts.append(_results_table(results, rulebook, language))
    parts.append("</section>")
    parts.append(f'<section id="citations"><h2>{escape(gettext("Legal basis"))}</h2>')
    for row in report.rollup:
        citation = row.citation
        departments = "、".join(citation.lead_departments)
        parts.append(
            f'<div class="entry"><h3>{escape(row.rule_id)} {escape(row.title)}</h3>'
            f"<blockquote>{escape(''.join(citation.quotes))}</blockquote>"
            f"<p>{escape(str(citation))}（{escape(gettext('lead departments'))}："
            f"{escape(departments)}）</p></div>"
        )
    parts.append("</section>")
    readings = sorted({r for result in report.results for r in result.readings}, key=str)
    if readings:
        parts.append(f'<section id="readings"><h2>{escape(gettext("Readings taken"))}</h2><ul>')
        parts += [f"<li>{escape(str(r))}: {escape(r.gloss or '')}</li>" for r in readings]
        parts.append("</ul></section>")
    footer = provenance_line(report.provenance, language)
    parts += ["<footer>", f"<p>{escape(footer)}</p>", "</footer></body></html>"]
    return "\n".join(parts)


def _log_section(log: LogSummary | None, language: str) -> list[str]:
    if log is None:
        return []
    gettext = translator(language).gettext
    parts = [
        f'<section id="log"><h2>{escape(gettext("Application log"))}</h2>',
        f"<p>{escape(log_text(log, language))}</p>",
    ]
    if log.rejected:
        parts.append("<ul>")
        parts += [f"<li>{escape(rejected_text(r, language))}</li>" for r in log.rejected]
        parts.append("</ul>")
    return [*parts, "</section>"]


def _fact_titles(result: ObligationResult, rulebook: Rulebook) -> tuple[str, ...]:
    """The missing facts by their titles in the subject's facts file (names when untitled);
    a log's column by its title among the fields of the file's list of records."""
    subject = rulebook.subjects.get(result.subject_kind)
    fields = subject.schema.spec.fields if subject else {}
    titles = {name: spec.title for name, spec in fields.items()}
    for spec in fields.values():
        if isinstance(spec, ListFieldSpec) and spec.fields:
            titles |= {n: f.title for n, f in spec.fields.items() if n not in titles}
    return tuple(titles.get(name) or name for name in result.missing_facts)


def _rollup_table(report: ObligationReport, language: str) -> str:
    gettext = translator(language).gettext
    heads = ("obligation", "subjects", "met", "not_met", "undetermined", "not_in_force")
    cells = [f"<th>{escape(gettext(h))}</th>" for h in (*heads, "required", "achieved")]
    cells.append(f"<th>{escape(gettext('shortfall'))}</th>")
    rows = [f"<tr>{''.join(cells)}</tr>"]
    for row in report.rollup:
        counts = (row.subjects, row.met, row.not_met, row.undetermined, row.not_in_force)
        figures = (row.required, row.achieved, row.shortfall)
        rows.append(
            "<tr>"
            f"<td>{escape(row.title)}<br>{escape(row.rule_id)}</td>"
            + "".join(f'<td class="num">{n}</td>' for n in counts)
            + "".join(
                f'<td class="num">{escape(figure_text(v, row.unit, language))}</td>'
                for v in figures
            )
            + "</tr>"
        )
    return f'<table class="grid">{"".join(rows)}</table>'


def _results_table(results: list[ObligationResult], rulebook: Rulebook, language: str) -> str:
    gettext = translator(language).gettext
    heads = ("obligation", "status", "required", "achieved", "shortfall / missing")
    rows = ["<tr>" + "".join(f"<th>{escape(gettext(h))}</th>" for h in heads) + "</tr>"]
    for result in results:
        gap = _gap_text(result, _fact_titles(result, rulebook), language)
        status = result.status.value
        rows.append(
            f'<tr class="{status}">'
            f"<td>{escape(result.title)}<br>{escape(str(result.citation))}</td>"
            f"<td>{escape(gettext(status))}</td>"
            f'<td class="num">{escape(figure_text(result.required, result.unit, language))}</td>'
            f'<td class="num">{escape(figure_text(result.achieved, result.unit, language))}</td>'
            f'<td class="num">{escape(gap)}</td></tr>'
        )
    return f'<table class="grid">{"".join(rows)}</table>'
