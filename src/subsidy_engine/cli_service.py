"""Commands of `subsidy-engine` for other systems and for people: `serve`, `fields`, `report`,
the profile argument `-` (standard input), and errors as JSON under `--format json`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from subsidy_engine.atomic import write_text
from subsidy_engine.cli_errors import AddCommand, Command
from subsidy_engine.cli_options import (
    as_of_option,
    format_option,
    lang_option,
    rulebook_engine,
    rulebook_option,
)
from subsidy_engine.cli_outputs import every_row_rejected
from subsidy_engine.engine import Engine
from subsidy_engine.errors import DiagnosticsError, InputError, ProfileError, SubsidyEngineError

REGISTRY_SUFFIXES = (".parquet", ".csv", ".jsonl")


def profile_argument(text: str, engine: Engine) -> BaseModel:
    """The profile named on the command line: a YAML or JSON file, or `-` for standard input."""
    from subsidy_engine.profile_files import read_profile, read_profile_text

    if text == "-":
        return read_profile_text(sys.stdin.read(), engine)
    return read_profile(Path(text), engine)


def run_with_json_errors(command: Command, args: argparse.Namespace) -> int:
    """Run `command`; a refusal is one JSON document on stderr (code, message, problems with
    field and location), with the exit codes of the text form (1 wrong input, 2 unusable)."""
    try:
        return command(args)
    except ProfileError as error:
        _json_error("bad-profile", "the profile was refused", error)
        return 1
    except DiagnosticsError as error:
        _json_error(error.diagnostics[0].code if error.diagnostics else "error", str(error), error)
        return 1
    except (InputError, SubsidyEngineError) as error:
        _json_error("bad-input", str(error), None)
        return 2
    except BrokenPipeError:
        return 0


def _json_error(code: str, message: str, error: DiagnosticsError | None) -> None:
    problems = [
        {
            "code": d.code,
            "field": d.yaml_path,
            "location": str(d.span) if d.span else None,
            "message": d.message,
            "hint": d.hint,
        }
        for d in (error.diagnostics if error else [])
    ]
    first = problems[0] if problems else {}
    body = {
        "code": code,
        "message": message,
        "field": first.get("field"),
        "location": first.get("location"),
        "problems": problems,
    }
    print(json.dumps(body, ensure_ascii=False), file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from subsidy_engine.service.app import RULEBOOK_ENV
    except ModuleNotFoundError as missing:
        raise InputError(
            f"serving needs the service extra ({missing.name} is not installed): "
            'pip install "subsidy-engine[service]"'
        ) from None

    if args.rulebook:
        Engine(args.rulebook)  # refuse a bad rulebook here, once, not in every worker
        os.environ[RULEBOOK_ENV] = str(Path(args.rulebook).resolve())
    uvicorn.run(
        "subsidy_engine.service.app:worker_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        timeout_keep_alive=5,
        limit_concurrency=args.limit_concurrency,
    )
    return 0


def cmd_fields(args: argparse.Namespace) -> int:
    from subsidy_engine.service.catalog import field_rows

    engine = rulebook_engine(args)
    if args.rule:
        try:
            engine.rulebook.rule(args.rule)
        except KeyError:
            raise InputError(f"no rule {args.rule!r} (see `subsidy-engine rules`)") from None
    rows = field_rows(engine.rulebook, args.rule)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in ("field", "title", "rules (via derived facts)"):
        table.add_column(column, overflow="fold")
    for row in rows:
        uses = [
            r["rule_id"] + (f" (via {', '.join(r['via'])})" if r["via"] else "")
            for r in row["rules"]
        ]
        table.add_row(row["field"], row["title"] or "", "\n".join(uses) or "—")
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from subsidy_engine.notice import notice_html, notice_pdf

    engine = rulebook_engine(args)
    day = args.as_of or date.today()
    source = args.input
    if source != "-" and Path(source).suffix.lower() in REGISTRY_SUFFIXES:
        return _registry_reports(engine, Path(source), args, day)
    profile = profile_argument(source, engine)
    facts = profile.model_dump(exclude_none=True)
    html = notice_html(engine.evaluate(profile, day), engine.rulebook, facts, args.lang)
    output = Path(args.output)
    if output.suffix.lower() == ".pdf":
        notice_pdf(html, output)
    else:
        write_text(output, html)
    print(output)
    return 0


def _registry_reports(engine: Engine, source: Path, args: argparse.Namespace, day: date) -> int:
    """One notice per enterprise of a registry file, into the folder `args.output`; a row that
    is refused is listed with its row number and reason, and every other row still gets one."""
    from subsidy_engine.batch.registry import read_registry
    from subsidy_engine.batch.salvage import UNREADABLE
    from subsidy_engine.notice import notice_html, notice_pdf

    registry = read_registry(source)
    fields = engine.rulebook.profile.spec.fields
    unknown = [c for c in registry.columns if c not in fields and c != UNREADABLE]
    if unknown:
        raise InputError(
            f"{source}: columns that are not profile fields: {', '.join(unknown)} "
            "(rename them to profile fields, see `subsidy-engine fields`)"
        )
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    written = refused = 0
    for row, record in enumerate(registry.iter_rows(named=True), start=1):
        unreadable = record.pop(UNREADABLE, None)
        if unreadable is not None:
            refused += 1
            print(f"row {row}: refused: {unreadable}", file=sys.stderr)
            continue
        facts = {k: v for k, v in record.items() if v is not None}
        try:
            evaluation = engine.evaluate(facts, day)
        except ProfileError as error:
            refused += 1
            reasons = "; ".join(f"{d.yaml_path}: {d.message}" for d in error.diagnostics)
            print(f"row {row}: refused: {reasons}", file=sys.stderr)
            continue
        html = notice_html(evaluation, engine.rulebook, facts, args.lang)
        stem = str(facts.get("credit_code") or f"row-{row}")
        if args.pdf:
            notice_pdf(html, folder / f"{stem}.pdf")
        else:
            write_text(folder / f"{stem}.html", html)
        written += 1
    print(f"{written:,} notices written to {folder}, {refused:,} rows refused")
    every_row_rejected(written + refused, written, None)  # one more line when none was written
    return 1 if refused else 0


def register(command: AddCommand) -> None:
    """Add `serve`, `fields` and `report` to the command line."""
    p = command("serve", cmd_serve, "serve the engine over HTTP (OpenAPI at /docs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port (%(default)s)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (%(default)s)")
    p.add_argument(
        "--limit-concurrency",
        type=int,
        default=None,
        metavar="N",
        help="answer 503 beyond N open connections per worker",
    )
    p.add_argument("--log-level", default="warning", help="uvicorn's log level (%(default)s)")
    rulebook_option(p)

    p = command("fields", cmd_fields, "which profile fields feed which rules")
    p.add_argument("--rule", metavar="ID", help="only the fields that decide this rule")
    format_option(p, ["table", "json"])
    rulebook_option(p)

    p = command("report", cmd_report, "printable notices: one profile, or every enterprise")
    p.add_argument(
        "input", metavar="INPUT", help="a profile (YAML/JSON, - for stdin) or a registry file"
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="a .html or .pdf file; for a registry, a folder",
    )
    as_of_option(p)
    lang_option(p, "zh")
    p.add_argument("--pdf", action="store_true", help="registry: PDF notices (needs Chromium)")
    rulebook_option(p)
