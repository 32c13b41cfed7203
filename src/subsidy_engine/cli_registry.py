"""The command line's registry options and commands: how a registry is read (encoding, sheet,
how much of it must be recognised), what is written (eligible only, units, a roll-up, a BOM),
and `mapping suggest`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from subsidy_engine.atomic import Outputs
from subsidy_engine.cli_changes import add_changes
from subsidy_engine.cli_errors import AddCommand
from subsidy_engine.cli_options import rulebook_engine, rulebook_option
from subsidy_engine.cli_outputs import every_row_rejected
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.batch.mapping import ColumnMapping
    from subsidy_engine.engine import Engine


def add_score_options(p: argparse.ArgumentParser) -> None:
    """The registry options of `score`."""
    p.add_argument(
        "--encoding", help="a CSV file's encoding, e.g. gbk, gb18030 (default: by BOM, else utf-8)"
    )
    p.add_argument("--sheet", help="an Excel registry's sheet (default: the first)")
    p.add_argument(
        "--min-fields",
        type=_share,
        default=None,
        metavar="FRACTION",
        help="least share of the fields the rulebook reads that the registry must hold "
        "(default: 0.5; 0 scores any registry)",
    )
    p.add_argument("--eligible-only", action="store_true", help="write eligible results only")
    p.add_argument("--units", metavar="UNITS", help="write results of these units only, e.g. cash")
    p.add_argument(
        "--rollup",
        metavar="FILE",
        help="also write the roll-up by county × measure × payer, and print it by measure "
        "(with --from: a table of that name)",
    )
    p.add_argument("--rollup-by", default="county", metavar="FIELD", help="(default: county)")
    p.add_argument("--bom", action="store_true", help="start CSV outputs with a BOM, for Excel")
    db = p.add_argument_group("a registry in a database (instead of INPUT and -o)")
    db.add_argument(
        "--from", dest="source_url", metavar="URL", help="postgresql://… or sqlite:///FILE"
    )
    db.add_argument("--table", help="the registry table")
    db.add_argument("--query", metavar="SQL", help="or the query that selects the registry")
    db.add_argument("--to-table", metavar="T", help="results table (its rejects: T_rejects)")
    db.add_argument("--replace", action="store_true", help="replace existing result tables")


def score_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `score_file` the registry options give."""
    from subsidy_engine.batch.recognise import MIN_FIELDS

    options: dict[str, Any] = {
        "encoding": args.encoding,
        "sheet": args.sheet,
        "min_fields": MIN_FIELDS if args.min_fields is None else args.min_fields,
        "bom": args.bom,
        "rollup_path": args.rollup,
        "rollup_by": args.rollup_by,
    }
    if args.units:
        options["units"] = [u.strip() for u in args.units.split(",") if u.strip()]
    if args.eligible_only:
        options["statuses"] = ["eligible"]
    return options


def score_from_database(
    args: argparse.Namespace, engine: Engine, mapping: ColumnMapping | None, options: dict[str, Any]
) -> int:
    """`score --from URL --table T --to-table R`: one transaction, the run recorded."""
    from subsidy_engine.batch.dbscore import score_database
    from subsidy_engine.batch.progress import log_progress

    if not args.source_url or not args.to_table:
        raise InputError(
            "give a registry file and -o OUTPUT, or --from URL (--table T or --query SQL) "
            "and --to-table T"
        )
    if args.input is not None or args.output is not None:
        raise InputError("--from reads a database and --to-table writes one: no INPUT or -o")
    if any(options.get(o) for o in ("encoding", "sheet")):
        raise InputError("--encoding and --sheet are for files")
    done = score_database(
        engine,
        args.source_url,
        args.to_table,
        table=args.table,
        query=args.query,
        replace=args.replace,
        as_of=args.as_of,
        mapping=mapping,
        statuses=options["statuses"],
        batch_rows=args.batch_rows,
        columns=args.columns,
        min_fields=options["min_fields"],
        units=options.get("units"),
        progress=None if sys.stderr.isatty() else log_progress(sys.stderr, None),
        summary_table=args.summary,
        rollup_table=args.rollup,
        rollup_by=args.rollup_by,
    )
    print(
        f"{done.rows_read:,} rows read: {done.rows_scored:,} scored, "
        f"{done.rows_rejected:,} rejected ({done.rejects_table})"
    )
    print(
        f"{done.results_written:,} results written to {args.to_table} in {done.seconds:.1f} s "
        f"({done.rows_per_second:,.0f} rows/s); the run is {done.run_id} in subsidy_engine_runs"
    )
    if args.summary:
        print(f"totals per enterprise: table {args.summary}")
    print_rollup(done.rollup, f"table {args.rollup}" if args.rollup else None)
    rejects = f"the table {done.rejects_table}"
    return every_row_rejected(done.rows_read, done.rows_scored, rejects)


def rate_columns() -> tuple[Any, ...]:
    """The progress bar's rate (rows/s) and time-left columns."""
    from rich.progress import TextColumn, TimeRemainingColumn

    return (TextColumn("{task.fields[rate]}"), TimeRemainingColumn())


def bar_progress(bar: Any, task: Any) -> Callable[[int], None]:
    """A progress callback that moves the bar and shows the rate."""

    def update(rows: int) -> None:
        elapsed = bar.tasks[task].elapsed or 0.0
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        bar.update(task, completed=rows, rate=rate)

    return update


def print_rollup(rollup: pl.DataFrame | None, path: str | None) -> None:
    """The roll-up summed over the groups, as a short table."""
    if rollup is None or path is None:
        return
    from rich.console import Console
    from rich.table import Table

    from subsidy_engine.batch.rollup import by_measure

    table = Table(title=f"roll-up by measure (by group: {path})")
    for title in (
        "measure",
        "payer",
        "enterprises eligible",
        "cash, yuan",
        "no figure",
        "undetermined",
    ):
        table.add_column(title, justify="left" if title == "payer" else "right")
    totals = by_measure(rollup, rollup.columns[0])
    for row in totals.iter_rows():
        measure, payer, enterprises, cash, no_figure, undetermined = row
        table.add_row(
            str(measure),
            payer,
            f"{enterprises:,}",
            f"{cash:,.2f}",
            f"{no_figure:,}",
            f"{undetermined:,}",
        )
    Console(width=None if sys.stdout.isatty() else 120).print(table)


def cmd_mapping_suggest(args: argparse.Namespace) -> int:
    from subsidy_engine.batch.registry import Reading, scan_registry
    from subsidy_engine.batch.salvage import without_unreadable
    from subsidy_engine.batch.suggest import SAMPLE_ROWS, suggest_mapping

    engine = rulebook_engine(args)
    reading = Reading(args.format, args.encoding, args.sheet)
    read = scan_registry(Path(args.registry), reading, salvage=True).head(SAMPLE_ROWS)
    sample, skipped = without_unreadable(read.collect())
    for reason in skipped:
        print(f"subsidy-engine: {args.registry}: {reason}; not in the sample", file=sys.stderr)
    if not sample.columns:
        raise InputError(f"{args.registry}: no columns to map")
    text = suggest_mapping(sample, engine.rulebook)
    if args.output:
        with Outputs([args.registry]) as outputs:  # never over the registry it was drawn from
            outputs.add(args.output).write_text(text, encoding="utf-8")
        print(f"draft mapping written to {args.output}: check it before scoring with it")
    else:
        print(text, end="")
    return 0


def add_commands(
    parser: argparse.ArgumentParser,
    command: AddCommand,
) -> argparse.ArgumentParser:
    """`parser` with `mapping suggest` and `changes` added through `command`."""
    p = command("mapping", cmd_mapping_suggest, "draft a column mapping for a registry")
    p.add_argument("action", choices=["suggest"], help="suggest: draft from headers and values")
    p.add_argument("registry", metavar="REGISTRY")
    p.add_argument("-o", "--output", metavar="MAPPING.yaml", help="write the draft here")
    p.add_argument("--format", choices=["parquet", "csv", "jsonl", "xlsx"])
    p.add_argument("--encoding")
    p.add_argument("--sheet")
    rulebook_option(p)
    add_changes(command)
    return parser


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a fraction: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a fraction is between 0 and 1, not {text}")
    return value
