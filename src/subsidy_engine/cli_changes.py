"""`subsidy-engine changes`: what each enterprise gained or lost since a previous run.

The new snapshot is a registry file, or a table or query of the database `--from` names; the
previous run is a scored file (`--previous`), a results table (`--previous-table`) or a run of
the database's runs table (`--previous-run`); the previous snapshot, which lets only changed
rows be evaluated, is a file or a table. The changes go to a file, a new table, or the terminal.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from subsidy_engine.cli_errors import AddCommand
from subsidy_engine.cli_options import as_of_option, rulebook_engine, rulebook_option
from subsidy_engine.cli_outputs import every_row_rejected
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.batch.changes import ChangeRun
    from subsidy_engine.batch.database import Database
    from subsidy_engine.batch.previous import PreviousRun
    from subsidy_engine.batch.snapshots import Snapshot

_IN_DATABASE = ("table", "query", "previous_table", "previous_run", "previous_registry_table",
                "to_table")  # fmt: skip


def add_changes(command: AddCommand) -> None:
    p = command("changes", cmd_changes, "what each enterprise gained or lost since a run")
    p.add_argument("registry", nargs="?", metavar="REGISTRY", help="the new snapshot (a file)")
    db = p.add_argument_group("tables of a database (instead of files)")
    db.add_argument(
        "--from", dest="source_url", metavar="URL", help="postgresql://… or sqlite:///FILE"
    )
    db.add_argument("--table", help="the new snapshot's table (instead of REGISTRY)")
    db.add_argument("--query", metavar="SQL", help="or the query that selects it")
    previous = p.add_mutually_exclusive_group(required=True)
    previous.add_argument("--previous", metavar="RESULTS", help="the previous run's results file")
    previous.add_argument("--previous-table", metavar="T", help="or its results table")
    previous.add_argument("--previous-run", metavar="ID", help="or its run id (runs table)")
    earlier = p.add_mutually_exclusive_group()
    earlier.add_argument(
        "--previous-registry",
        metavar="REGISTRY",
        help="the previous snapshot: only changed rows are evaluated, changed facts are named",
    )
    earlier.add_argument("--previous-registry-table", metavar="T", help="or its table")
    p.add_argument(
        "-o", "--output", metavar="FILE", help=".jsonl, .csv or .xlsx (default: a table)"
    )
    db.add_argument("--to-table", metavar="T", help="write the changes to this new table")
    db.add_argument("--replace", action="store_true", help="replace an existing --to-table")
    as_of_option(p)
    p.add_argument("--mapping", metavar="FILE.yaml")
    p.add_argument("--encoding")
    p.add_argument("--sheet")
    rulebook_option(p)


def cmd_changes(args: argparse.Namespace) -> int:
    from subsidy_engine.batch.changes import DEFAULT_KEPT, changes
    from subsidy_engine.batch.mapping import load_mapping
    from subsidy_engine.batch.registry import Reading

    database = _database(args)
    _check_output(args, database)
    engine = rulebook_engine(args)
    mapping = load_mapping(Path(args.mapping), engine.rulebook) if args.mapping else None
    run = changes(
        engine,
        _previous(args, database),
        _snapshot(args, database),
        as_of=args.as_of or date.today(),
        previous_registry=_previous_snapshot(args, database),
        mapping=mapping,
        reading=Reading(None, args.encoding, args.sheet),
    )
    counts = run.changes["change"].value_counts(sort=True).iter_rows() if run.changes.height else []
    summary = ", ".join(f"{n:,} {change}" for change, n in counts) or "no change"
    headline = f"{run.rows_read:,} rows read, {run.evaluated:,} enterprises evaluated; {summary}"
    if run.full_run_reason is not None:
        print(f"note: {run.full_run_reason}", file=sys.stderr)
    if run.kept != DEFAULT_KEPT:
        print(
            f"note: compared only what the previous run kept ({run.kept.shown()})", file=sys.stderr
        )
    if args.to_table:
        assert database is not None
        _to_table(run, database, args.to_table, args.replace)
        rejects: str | None = f"the table {args.to_table}_rejects"
        print(f"{headline}; written to {args.to_table}{_rejected(run, f'{args.to_table}_rejects')}")
    elif args.output:
        rejects = str(_to_file(run, Path(args.output), _inputs(args)))
        print(f"{headline}; written to {args.output}{_rejected(run, rejects)}")
    else:
        rejects = None
        _print(run, headline)
    return every_row_rejected(run.rows_read, run.rows_read - run.rejects.height, rejects)


def _database(args: argparse.Namespace) -> Database | None:
    from subsidy_engine.batch.database import Database

    given = [name for name in _IN_DATABASE if getattr(args, name)]
    if args.source_url is None:
        if given:
            option = "--" + given[0].replace("_", "-")
            raise InputError(f"{option} needs a database: give it with --from URL")
        if args.registry is None:
            raise InputError("give the new snapshot as REGISTRY, or --from URL with --table T")
        return None
    if (args.registry is not None) == bool(args.table or args.query):
        raise InputError(
            "give the new snapshot as REGISTRY or as --table T / --query SQL (one of them)"
        )
    if args.output and args.to_table:
        raise InputError("write the changes to -o FILE or --to-table T (one of them)")
    return Database(args.source_url)


def _check_output(args: argparse.Namespace, database: Database | None) -> None:
    """Refuse an output that could not be written before anything is evaluated."""
    from subsidy_engine.atomic import check_targets
    from subsidy_engine.batch.database import table_exists
    from subsidy_engine.batch.stream import rejects_path_for

    if args.output:
        target = Path(args.output)
        check_targets([target, rejects_path_for(target)], _inputs(args))
    if args.to_table and not args.replace:
        assert database is not None
        with database.looking() as connection:
            if table_exists(connection, database.kind, args.to_table):
                raise InputError(
                    f"table {args.to_table} already exists (give --replace to overwrite it)"
                )


def _previous(args: argparse.Namespace, database: Database | None) -> PreviousRun:
    from subsidy_engine.batch import previous

    if args.previous is not None:
        return previous.from_file(Path(args.previous))
    assert database is not None
    if args.previous_table is not None:
        return previous.from_table(database, args.previous_table)
    return previous.from_run(database, args.previous_run)


def _snapshot(args: argparse.Namespace, database: Database | None) -> Snapshot:
    from subsidy_engine.batch.database import source_query
    from subsidy_engine.batch.previous import table_query
    from subsidy_engine.batch.snapshots import Query

    if args.registry is not None:
        return Path(args.registry)
    assert database is not None
    if args.table is not None:
        return Query(database, table_query(database, args.table))
    return Query(database, source_query(None, args.query))


def _previous_snapshot(args: argparse.Namespace, database: Database | None) -> Snapshot | None:
    from subsidy_engine.batch.previous import table_query
    from subsidy_engine.batch.snapshots import Query

    if args.previous_registry is not None:
        return Path(args.previous_registry)
    if args.previous_registry_table is not None:
        assert database is not None
        return Query(database, table_query(database, args.previous_registry_table))
    return None


def _inputs(args: argparse.Namespace) -> list[str]:
    given = (args.registry, args.previous, args.previous_registry, args.mapping)
    return [p for p in given if p is not None]


def _to_file(run: ChangeRun, target: Path, inputs: list[str]) -> Path:
    """The changes (and any rejected rows, beside them) written whole or not at all."""
    from subsidy_engine.atomic import Outputs
    from subsidy_engine.batch.registry import file_format
    from subsidy_engine.batch.sinks import Sink
    from subsidy_engine.batch.stream import rejects_path_for

    rejects = rejects_path_for(target)
    with Outputs(inputs) as outputs:
        with Sink(outputs.add(target), file_format(target)) as sink:
            sink.write(run.changes)
        if run.rejects.height:
            with Sink(outputs.add(rejects), "csv") as sink:
                sink.write(run.rejects)
    return rejects


def _to_table(run: ChangeRun, database: Database, table: str, replace: bool) -> None:
    """The changes (and the rejected rows, in `table`_rejects) in new tables, one transaction."""
    from subsidy_engine.batch.database import TableSink, prepare_tables

    rejects = f"{table}_rejects"
    with database.transaction() as connection:
        prepare_tables(connection, database.kind, [table, rejects], replace)
        TableSink(connection, database.kind, table).write(run.changes)
        TableSink(connection, database.kind, rejects).write(run.rejects)


def _rejected(run: ChangeRun, where: str) -> str:
    if not run.rejects.height:
        return ""
    return f"; {run.rejects.height:,} rows rejected, not compared ({where})"


def _print(run: ChangeRun, headline: str) -> None:
    from rich.console import Console
    from rich.table import Table

    found = run.changes
    table = Table(title=headline)
    shown = [found.columns[0], "change", "rule_id", "status_before", "status_now",
             "amount_before", "amount_now", "changed_facts"]  # fmt: skip
    for column in shown:
        table.add_column(column)
    for row in found.select(shown).iter_rows():
        table.add_row(*(_cell(v) for v in row))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    for rejected in run.rejects.head(20).to_dicts():
        where, why = rejected["row"], rejected["reason"]
        print(f"row {where}: rejected, not compared: {why}", file=sys.stderr)
    if run.rejects.height > 20:
        print(f"… {run.rejects.height - 20:,} more rows rejected", file=sys.stderr)


def _cell(value: object) -> str:
    if value is None:
        return ""
    return ", ".join(value) if isinstance(value, list) else str(value)
