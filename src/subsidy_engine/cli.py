"""The `subsidy-engine` command line.

Every command ends with one clear message and a non-zero exit on bad input, never a traceback:
1 when the input was read but is wrong (a bad profile, a failing test case), 2 when it could not
be used at all (a missing file, a bad argument).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from subsidy_engine.batch.progress import log_progress
from subsidy_engine.cli_registry import add_commands as add_registry_commands
from subsidy_engine.cli_registry import (
    add_score_options,
    bar_progress,
    print_rollup,
    rate_columns,
    score_from_database,
    score_options,
)
from subsidy_engine.engine import Engine
from subsidy_engine.errors import (
    DiagnosticsError,
    InputError,
    ProfileError,
    RulebookError,
    SubsidyEngineError,
)
from subsidy_engine.profile_files import read_profile

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Command = args.command
    try:
        return command(args)
    except ProfileError as error:
        _fail("the profile was refused:\n" + _render(error))
        return 1
    except RulebookError as error:
        _fail("the rulebook has problems:\n" + _render(error))
        return 1
    except DiagnosticsError as error:
        _fail(_render(error))
        return 1
    except (InputError, SubsidyEngineError) as error:
        _fail(str(error))
        return 2
    except BrokenPipeError:
        return 0


def _render(error: DiagnosticsError) -> str:
    return "\n".join(d.render() for d in error.diagnostics)


def _fail(message: str) -> None:
    print(f"subsidy-engine: {message}", file=sys.stderr)


def _engine(args: argparse.Namespace) -> Engine:
    return Engine(args.rulebook) if getattr(args, "rulebook", None) else Engine()


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _positive(text: str) -> int:
    try:
        number = int(text.replace("_", ""))
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return number


# Commands -------------------------------------------------------------------------------------


def cmd_evaluate(args: argparse.Namespace) -> int:
    engine = _engine(args)
    profile = read_profile(Path(args.profile), engine)
    evaluation = engine.evaluate(profile, as_of=args.as_of)
    if args.format == "json":
        print(evaluation.to_json(indent=2))
    elif args.format == "markdown":
        print(evaluation.to_markdown())
    else:
        from rich.console import Console

        from subsidy_engine.report import rich_table, totals_lines

        console = Console(width=None if sys.stdout.isatty() else 160)
        console.print(rich_table(evaluation, all_statuses=args.all))
        for line in totals_lines(evaluation):
            console.print(line)
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    engine = _engine(args)
    profile = read_profile(Path(args.profile), engine)
    report = engine.gaps(profile, as_of=args.as_of)
    print("Closest first:")
    for gap in report.gaps:
        if not gap.reachable:
            continue
        check = {True: " ✓ checked", False: " ✗ not enough", None: ""}[gap.verified]
        print(f"  {gap}{check}")
    unreachable = [g for g in report.gaps if not g.reachable]
    if unreachable:
        print("Out of reach by the enterprise's own facts:")
        for gap in unreachable:
            print(f"  {gap.rule_id} (measure {gap.measure}): {gap.note}")
    if report.questions:
        print("Questions to ask next (the first decides the most rules):")
        for question in report.questions:
            print(f"  {question.fact}: decides {len(question.decides)} rule(s)")
    return 0


def cmd_what_if(args: argparse.Namespace) -> int:
    engine = _engine(args)
    profile = read_profile(Path(args.profile), engine)
    changes = dict(_assignment(text) for text in args.set or [])
    comparison = engine.what_if(profile, changes, as_of=args.as_of, reform=args.reform)
    if not comparison.changes:
        print("No rule's result changes.")
    for change in comparison.changes:
        before = change.before.status if change.before else "—"
        after = change.after.status if change.after else "—"
        delta = change.amount_delta
        money = f", {'+' if delta and delta > 0 else ''}{delta} yuan" if delta else ""
        print(
            f"{change.kind:>7}  {change.rule_id}{' ' + str(change.item) if change.item else ''}:"
            f" {before} → {after}{money}"
        )
        for flipped in change.flipped:
            print(
                f"           {flipped.name}: {flipped.before} → {flipped.after}"
                f"  ({flipped.expression})"
            )
    return 0


def _assignment(text: str) -> tuple[str, Any]:
    field, sep, value = text.partition("=")
    if not sep or not field:
        raise InputError(f"--set {text!r}: write field=value, e.g. employees=520")
    import yaml

    return field.strip(), yaml.safe_load(value) if value.strip() else None


def cmd_impact(args: argparse.Namespace) -> int:
    from subsidy_engine.analysis.impact import budget_impact
    from subsidy_engine.batch.registry import read_registry

    engine = _engine(args)
    registry = read_registry(Path(args.registry))
    impact = budget_impact(
        engine, registry, args.reform, as_of=args.as_of or date.today(), groups=args.by or ()
    )
    columns = args.by or ["measure"]
    table = impact.by(*columns)
    _print_table(table.to_dicts(), table.columns)
    print(
        f"{impact.baseline.rows_scored:,} enterprises scored, "
        f"{impact.baseline.rows_rejected:,} rejected (see `subsidy-engine score`)"
    )
    if args.chart:
        impact.chart(columns[0]).savefig(args.chart)
        print(f"chart: {args.chart}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from subsidy_engine.batch.mapping import load_mapping
    from subsidy_engine.batch.stream import score_file

    engine = _engine(args)
    if args.reform:
        engine = engine.with_reform(args.reform)
    mapping = load_mapping(Path(args.mapping), engine.rulebook) if args.mapping else None
    options = {"statuses": _statuses(args.statuses), **score_options(args)}
    if args.source_url or args.input is None or args.output is None:
        return score_from_database(args, engine, mapping, options)
    source = Path(args.input)
    with _progress_bar(source, args.format) as progress:
        done = score_file(
            engine,
            source,
            Path(args.output),
            as_of=args.as_of,
            mapping=mapping,
            summary_path=args.summary,
            rejects_path=args.rejects,
            batch_rows=args.batch_rows,
            input_format=args.format,
            progress=progress,
            columns=args.columns,
            **options,
        )
    print(
        f"{done.rows_read:,} rows read: {done.rows_scored:,} scored, "
        f"{done.rows_rejected:,} rejected ({done.rejects_path})"
    )
    print(
        f"{done.results_written:,} results written to {args.output} in {done.seconds:.1f} s "
        f"({done.rows_per_second:,.0f} rows/s)"
    )
    if args.summary:
        print(f"totals per enterprise: {args.summary}")
    print_rollup(done.rollup, args.rollup)
    return 0


def _statuses(text: str) -> str | list[str]:
    return "all" if text == "all" else [s.strip() for s in text.split(",") if s.strip()]


@contextmanager
def _progress_bar(source: Path, given: str | None) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr when it is a terminal, with the rate and the time left; else a
    log line every few seconds."""
    from subsidy_engine.batch.registry import row_count

    if not sys.stderr.isatty():
        yield log_progress(sys.stderr, row_count(source, given))
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), *rate_columns())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("rows", total=row_count(source, given), rate="")
        yield bar_progress(bar, task)


def cmd_generate(args: argparse.Namespace) -> int:
    from subsidy_engine.synthetic import write_parquet

    path = write_parquet(_engine(args).rulebook, args.n, Path(args.output), seed=args.seed)
    print(f"{args.n:,} synthetic profiles written to {path}")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from subsidy_engine.rulebook.loader import load_cases

    engine = Engine(args.rulebook_dir)
    cases = load_cases(args.rulebook_dir)
    book = engine.rulebook
    print(
        f"{book.id}: ok — {len(book.rules)} rules, {len(book.derived)} derived facts, "
        f"{len(book.parameters)} parameters, {len(book.profile.types)} profile fields, "
        f"{sum(len(c.cases) for c in cases.values())} test cases"
    )
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from subsidy_engine.rulebook.cases import run_cases

    engine = _engine(args)
    outcomes = list(run_cases(engine))
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        print(f"FAIL {outcome.file}: {outcome.case}")
        for failure in outcome.failures:
            print(f"     {failure}")
    print(f"{len(outcomes) - len(failed)} of {len(outcomes)} cases pass")
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from subsidy_engine.schemas import all_schemas, drifted_schemas, render, write_schemas

    engine = _engine(args)
    if args.check:
        drifted = drifted_schemas(engine, Path(args.check))
        if drifted:
            _fail(f"schemas out of date in {args.check}: {', '.join(drifted)}")
            return 1
        return 0
    if args.out:
        for path in write_schemas(engine, Path(args.out)):
            print(path)
        return 0
    schemas = all_schemas(engine)
    name = args.kind if args.kind.endswith(".json") else f"{args.kind}.schema.json"
    if name not in schemas:
        raise InputError(f"no schema {args.kind!r}; known: {', '.join(sorted(schemas))}")
    sys.stdout.write(render(schemas[name]))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from subsidy_engine.catalogue import rule_rows

    rows = rule_rows(_engine(args).rulebook)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    _print_table(rows, ["id", "measure", "title", "title_en", "unit", "amount"])
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from subsidy_engine.catalogue import coverage_rows

    rows = coverage_rows(_engine(args).rulebook)
    _print_table(rows, ["measure", "heading", "coverage"])
    uncovered = [row for row in rows if not row["coverage"]]
    if uncovered:
        _fail(
            "measures with neither rules nor a reason: "
            + ", ".join(str(r["measure"]) for r in uncovered)
        )
        return 1
    return 0


def _print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    Console(width=None if sys.stdout.isatty() else 160).print(table)


# Parser ---------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="subsidy-engine",
        description="Which incentive measures does an enterprise qualify for, how much, and "
        "where does the policy text say so?",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, fn: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(command=fn)
        return p

    def rulebook_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--rulebook", metavar="DIR", help="a rulebook folder (default: bundled)")

    p = command("evaluate", cmd_evaluate, "evaluate one profile (YAML or JSON)")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--as-of", type=_as_of, default=None, help="date YYYY-MM-DD (default today)")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    p.add_argument(
        "--all",
        action="store_true",
        help="table: show every rule, not only eligible, excluded and undetermined ones",
    )
    rulebook_option(p)

    p = command("gaps", cmd_gaps, "what the enterprise would need to change to qualify")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--as-of", type=_as_of, default=None)
    rulebook_option(p)

    p = command("what-if", cmd_what_if, "what changes if some facts change, or under a reform")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="a changed fact (repeatable); FIELD may be list[i].field; empty removes",
    )
    p.add_argument("--reform", metavar="REFORM.yaml", help="evaluate the change under a reform")
    p.add_argument("--as-of", type=_as_of, default=None)
    rulebook_option(p)

    p = command("impact", cmd_impact, "what the policy, or a reform, costs over a registry")
    p.add_argument("registry", metavar="REGISTRY", help="Parquet, CSV or JSON Lines")
    p.add_argument("--reform", metavar="REFORM.yaml", help="compare with this reform")
    p.add_argument(
        "--by",
        action="append",
        metavar="COLUMN",
        help="group by rule_id, measure, payer, a registry column or a derived fact",
    )
    p.add_argument("--chart", metavar="FILE.png", help="draw baseline beside reform")
    p.add_argument("--as-of", type=_as_of, default=None)
    rulebook_option(p)

    p = command("score", cmd_score, "score every enterprise of a registry file, in batches")
    _score_options(p)
    rulebook_option(p)

    p = command("generate", cmd_generate, "write a synthetic registry of N enterprises (Parquet)")
    _generate_options(p)
    rulebook_option(p)

    p = command("lint", cmd_lint, "load and check a rulebook folder; list every problem")
    p.add_argument("rulebook_dir", metavar="RULEBOOK_DIR")

    p = command("test", cmd_test, "run a rulebook's YAML test cases")
    rulebook_option(p)

    p = command("schema", cmd_schema, "print or write the JSON Schemas")
    p.add_argument(
        "kind",
        nargs="?",
        default="evaluation",
        help="which schema to print (e.g. rule-file, evaluation, profile-spec)",
    )
    p.add_argument("--out", metavar="DIR", help="write every schema into DIR")
    p.add_argument("--check", metavar="DIR", help="fail if DIR's schemas differ from the models")
    rulebook_option(p)

    p = command("rules", cmd_rules, "list the rules: id, measure, title, unit, amount")
    p.add_argument("--format", choices=["table", "json"], default="table")
    rulebook_option(p)

    p = command("coverage", cmd_coverage, "every measure with its rules or why it has none")
    rulebook_option(p)
    return add_registry_commands(parser, command)


def _score_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", metavar="INPUT", help="Parquet, CSV, JSON Lines or Excel")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="results: .parquet, .csv, .jsonl or .xlsx",
    )
    p.add_argument(
        "--format",
        choices=["parquet", "csv", "jsonl", "xlsx"],
        help="the input's format (default: by its extension)",
    )
    p.add_argument("--as-of", type=_as_of, default=None, help="date YYYY-MM-DD (default today)")
    p.add_argument("--reform", metavar="REFORM.yaml", help="score under this reform")
    p.add_argument(
        "--mapping", metavar="FILE.yaml", help="which registry column holds each profile field"
    )
    p.add_argument(
        "--statuses",
        default="eligible,undetermined,excluded",
        help="results kept: 'all' or a comma list (default: %(default)s)",
    )
    p.add_argument(
        "--columns",
        metavar="NAMES",
        help="result columns written, a comma list in that order, e.g. row,rule_id,amount "
        "(default: all); only what they need is computed",
    )
    p.add_argument("--summary", metavar="FILE", help="also write one row per enterprise, totals")
    p.add_argument(
        "--rejects", metavar="FILE", help="bad rows (default: OUTPUT's name with .rejects.csv)"
    )
    p.add_argument(
        "--batch-rows",
        type=_positive,
        default=100_000,
        metavar="N",
        help="rows read and scored at a time (default: %(default)s)",
    )
    add_score_options(p)


def _generate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("n", type=_positive, metavar="N")
    p.add_argument("-o", "--output", required=True, metavar="REGISTRY.parquet")
    p.add_argument("--seed", type=int, default=0)


if __name__ == "__main__":
    raise SystemExit(main())
