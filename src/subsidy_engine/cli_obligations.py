"""`subsidy-engine obligations`: government bodies' obligations checked for a period.

    subsidy-engine obligations FACTS.yaml --quarter 2020Q1            a table in the terminal
    subsidy-engine obligations FACTS.yaml --format json               the report as JSON
    subsidy-engine obligations FACTS.yaml -o report.xlsx -o report.html
    subsidy-engine obligations FACTS.yaml --log applications.parquet  with the service hall's
                                                                       deadlines (measure 6)
    subsidy-engine obligations --floors 1000万                         a procuring body's floors

Files are written whole or not at all (`atomic.Outputs`); a bad facts file is refused with
the file, line and field of every problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from subsidy_engine.atomic import Outputs
from subsidy_engine.cli_errors import AddCommand
from subsidy_engine.cli_options import (
    as_of_option,
    format_option,
    lang_option,
    rulebook_engine,
    rulebook_option,
)
from subsidy_engine.errors import InputError
from subsidy_engine.i18n import translator
from subsidy_engine.money import parse_amount

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine

SUFFIXES = (".json", ".xlsx", ".html")


def register(command: AddCommand) -> None:
    """Add `obligations` to the command line."""
    p = command(
        "obligations",
        cmd_obligations,
        "government bodies' obligations for a period (a facts file), or --floors for a budget",
    )
    p.add_argument("facts", nargs="?", metavar="FACTS", help="a YAML file of subjects and facts")
    p.add_argument(
        "--quarter",
        metavar="PERIOD",
        help="2020Q1, or a year 2020 (default: the facts file's `period:`)",
    )
    p.add_argument(
        "--floors",
        metavar="BUDGET",
        help="instead: the reserves a procuring body with this annual procurement budget "
        "must make (万/亿 accepted)",
    )
    as_of_option(p, "--floors: date YYYY-MM-DD (default today)")
    p.add_argument(
        "--log",
        metavar="LOG",
        help="also a service hall's application log (Parquet, CSV, JSON Lines or Excel): "
        "its deadline duties per department and kind, and its refused rows",
    )
    format_option(p, ["table", "json"])
    p.add_argument(
        "-o",
        "--output",
        action="append",
        metavar="FILE",
        help="also write the report to a .json, .xlsx or .html file (repeatable)",
    )
    lang_option(p, "zh")
    rulebook_option(p)


def cmd_obligations(args: argparse.Namespace) -> int:
    if (args.facts is None) == (args.floors is None):
        raise InputError("give a facts file, or --floors BUDGET (not both)")
    if args.log is not None and args.floors is not None:
        raise InputError("--log goes with a facts file, not --floors")
    engine = rulebook_engine(args)
    if args.floors is not None:
        return _floors(engine, args)
    facts = Path(args.facts)
    targets = [Path(p) for p in args.output or []]
    for target in targets:
        if target.suffix.lower() not in SUFFIXES:
            raise InputError(f"{target}: write .json, .xlsx or .html")
    log = Path(args.log) if args.log else None
    report = engine.obligations(facts, args.quarter, log)
    from subsidy_engine.obligations.views import report_html, report_json, table_text, write_excel

    data = report_json(report)
    with Outputs(inputs=[facts, *([log] if log else [])]) as outputs:
        for target in targets:
            temporary = outputs.add(target)
            suffix = target.suffix.lower()
            if suffix == ".xlsx":
                write_excel(report, temporary)
            elif suffix == ".html":
                page = report_html(report, engine.rulebook, args.lang)
                temporary.write_text(page, encoding="utf-8")
            else:
                temporary.write_text(_json(data), encoding="utf-8")
    sys.stdout.write(_json(data) if args.format == "json" else table_text(report, args.lang))
    return 0


def _floors(engine: Engine, args: argparse.Namespace) -> int:
    from subsidy_engine.obligations.floors import procurement_floors
    from subsidy_engine.obligations.views import figure_text, result_json

    try:
        budget = parse_amount(args.floors)
    except ValueError as error:
        raise InputError(f"--floors {args.floors!r}: {error}") from None
    day = args.as_of or date.today()
    floors = procurement_floors(budget, day, engine)
    if args.format == "json":
        rows = [result_json(floor) for floor in floors]
        sys.stdout.write(_json({"budget": str(budget), "as_of": day.isoformat(), "floors": rows}))
        return 0
    gettext = translator(args.lang).gettext
    for floor in floors:
        figure = figure_text(floor.required, floor.unit, args.lang)
        print(f"{floor.rule_id}  {floor.title}: {gettext('required')} {figure}")
        if floor.required is None:  # the reading in use needs more than the budget
            need = floor.missing_facts + floor.missing_parameters
            print(f"  {gettext('shortfall / missing')}: {', '.join(need)}")
        for reading in floor.readings:
            print(f"  {reading}: {reading.gloss or ''}")
        print(f"  {floor.citation}: {''.join(floor.citation.quotes)}")
    return 0


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
