"""The `subsidy-engine` command line.

Every command ends with one clear message and a non-zero exit on bad input, never a traceback:
1 when the input was read but is wrong (a bad profile, a failing test case), 2 when it could not
be used at all (a missing file, a bad argument); `cli_errors` is the one handler that says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from subsidy_engine.batch.progress import log_progress
from subsidy_engine.cli_errors import Command, debug_option, run_command
from subsidy_engine.cli_errors import fail as _fail
from subsidy_engine.cli_options import (
    as_of_option,
    format_option,
    lang_option,
    reform_option,
    rulebook_engine,
    rulebook_option,
)
from subsidy_engine.cli_outputs import (
    chart_target,
    every_row_rejected,
    generated_target,
    save_chart,
    score_targets,
    write_generated,
)
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
from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.wording import Wording

A = TypeVar("A")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    debug_option(parser)
    args = parser.parse_args(argv)
    command: Command = args.command
    if getattr(args, "format", None) == "json":
        from subsidy_engine.cli_service import run_with_json_errors

        return run_with_json_errors(command, args)
    return run_command(command, args, debug=args.debug)


def _seed(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number < 2**64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to 2**64 - 1")
    return number


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
    from subsidy_engine.cli_service import profile_argument

    engine = rulebook_engine(args)
    profile = profile_argument(args.profile, engine)
    evaluation = engine.evaluate(profile, as_of=args.as_of)
    if args.format == "json":
        statuses = None if args.statuses == "all" else args.statuses.split(",")
        text = evaluation.to_json(
            indent=2, statuses=statuses, citations=args.citations, traces=not args.no_traces
        )
        print(text)
    elif args.format == "markdown":
        print(evaluation.to_markdown(args.lang, engine.rulebook))
    else:
        from rich.console import Console

        from subsidy_engine.report import rich_table, totals_lines
        from subsidy_engine.wording import Wording

        console = Console(width=None if sys.stdout.isatty() else 160)
        words = Wording.of(engine.rulebook, args.lang)
        table = rich_table(evaluation, all_statuses=args.all, language=args.lang, wording=words)
        console.print(table)
        for line in totals_lines(evaluation, args.lang):
            console.print(line)
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    from subsidy_engine.cli_service import profile_argument

    engine = rulebook_engine(args)
    profile = profile_argument(args.profile, engine)
    report = engine.gaps(profile, as_of=args.as_of)
    from subsidy_engine.analysis_text import gaps_lines
    from subsidy_engine.views import gaps_view

    return _print_analysis(args, engine, report, gaps_view, gaps_lines)


def cmd_what_if(args: argparse.Namespace) -> int:
    from subsidy_engine.cli_service import profile_argument

    engine = rulebook_engine(args)
    profile = profile_argument(args.profile, engine)
    changes = dict(_assignment(text) for text in args.set or [])
    comparison = engine.what_if(profile, changes, as_of=args.as_of, reform=args.reform)
    from subsidy_engine.analysis_text import what_if_lines
    from subsidy_engine.views import comparison_view

    return _print_analysis(args, engine, comparison, comparison_view, what_if_lines)


def _print_analysis(
    args: argparse.Namespace,
    engine: Engine,
    analysis: A,
    view: Callable[[A], dict[str, Any]],
    lines: Callable[[A, Wording], list[str]],
) -> int:
    """An analysis as JSON data (`--format json`) or as lines in the language of `--lang`."""
    if args.format == "json":
        print(json.dumps(view(analysis), ensure_ascii=False, indent=2))
        return 0
    from subsidy_engine.wording import Wording

    for line in lines(analysis, Wording.of(engine.rulebook, args.lang)):
        print(line)
    return 0


def _assignment(text: str) -> tuple[str, Any]:
    field, sep, value = text.partition("=")
    if not sep or not field:
        raise InputError(f"--set {text!r}: write field=value, e.g. employees=520")
    import yaml

    try:
        return field.strip(), yaml.safe_load(value) if value.strip() else None
    except (yaml.YAMLError, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise InputError(f"--set {text!r}: the value cannot be read ({reason})") from None


def cmd_impact(args: argparse.Namespace) -> int:
    from subsidy_engine.analysis.impact import SHOWN, budget_impact
    from subsidy_engine.batch.registry import read_registry

    chart = chart_target(args.chart, [args.registry, args.reform]) if args.chart else None
    engine = rulebook_engine(args)
    registry = read_registry(Path(args.registry))
    impact = budget_impact(
        engine,
        registry,
        args.reform,
        as_of=args.as_of or date.today(),
        groups=args.by or (),
        weight=args.weight,
    )
    columns = args.by or ["measure"]
    table = impact.by(*columns).select(*columns, *SHOWN)
    if args.years:
        from subsidy_engine.analysis.impact_years import impact_over_years

        groups, weight = args.by or (), args.weight
        years = impact_over_years(
            engine, registry, args.reform, as_of=args.years, groups=groups, weight=weight
        )
        table = years.by(*columns, value="change")
    baseline = impact.baseline
    if args.format == "json":
        from subsidy_engine.views import plain

        print(json.dumps(plain(table.to_dicts()), ensure_ascii=False, indent=2))
    else:
        _print_table(table.to_dicts(), table.columns)
        print(
            f"{baseline.rows_read:,} rows read: {baseline.rows_scored:,} enterprises scored, "
            f"{baseline.rows_rejected:,} rejected (see `subsidy-engine score`)"
        )
        if chart:
            save_chart(impact.chart(columns[0]), chart)
            print(f"chart: {args.chart}")
    return every_row_rejected(baseline.rows_read, baseline.rows_scored, None)


def cmd_score(args: argparse.Namespace) -> int:
    from subsidy_engine.batch.mapping import load_mapping
    from subsidy_engine.batch.stream import score_file

    from_database = args.source_url or args.input is None or args.output is None
    if not from_database:
        inputs = [args.input, args.mapping, args.reform]
        score_targets(args.output, args.rejects, args.summary, inputs)
    engine = rulebook_engine(args)
    if args.reform:
        engine = engine.with_reform(args.reform)
    mapping = load_mapping(Path(args.mapping), engine.rulebook) if args.mapping else None
    options = {"statuses": _statuses(args.statuses), **score_options(args)}
    if from_database:
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
    return every_row_rejected(done.rows_read, done.rows_scored, f"{done.rejects_path}")


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
    if args.kind == "applications":
        from subsidy_engine.cli_service_log import generate_applications_command

        return generate_applications_command(args)
    target = generated_target(args.output)
    path = write_generated(rulebook_engine(args).rulebook, args.n, target, args.seed)
    print(f"{args.n:,} synthetic profiles written to {path}")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from subsidy_engine.rulebook.lint import lint_warnings
    from subsidy_engine.rulebook.loader import load_cases

    engine = Engine(args.rulebook_dir)
    cases = load_cases(args.rulebook_dir)
    book = engine.rulebook
    print(
        f"{book.id}: ok — {len(book.rules)} rules, {len(book.derived)} derived facts, "
        f"{len(book.parameters)} parameters, {len(book.profile.types)} profile fields, "
        f"{sum(len(c.cases) for c in cases.values())} test cases"
    )
    for warning in lint_warnings(book):
        print(warning)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from subsidy_engine.cases import run_cases

    engine = rulebook_engine(args)
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

    engine = rulebook_engine(args)
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

    rows = rule_rows(rulebook_engine(args).rulebook)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    _print_table(_with_readings(rows), ["id", "measure", "title", "unit", "amount", "readings"])
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from subsidy_engine.catalogue import coverage_rows

    rows = coverage_rows(rulebook_engine(args).rulebook)
    _print_table(_with_readings(rows), ["measure", "heading", "coverage", "readings"])
    uncovered = [row for row in rows if not row["coverage"]]
    if uncovered:
        _fail(
            "measures with neither rules nor a reason: "
            + ", ".join(str(r["measure"]) for r in uncovered)
        )
        return 1
    return 0


def _with_readings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose readings are shown one per line, the one in use starred."""
    from subsidy_engine.catalogue import readings_text

    return [{**row, "readings": readings_text(row["readings"])} for row in rows]


def _print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(row[c])) for c in columns))
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

    p = command("evaluate", cmd_evaluate, "evaluate one profile (YAML or JSON)")
    _profile_options(p, ["table", "json", "markdown"])
    p.add_argument(
        "--all",
        action="store_true",
        help="table: show every rule, not only eligible, excluded and undetermined ones",
    )
    _output_options(p)
    rulebook_option(p)

    p = command("gaps", cmd_gaps, "what the enterprise would need to change to qualify")
    _profile_options(p, ["text", "json"])
    lang_option(p, "en", "text: language")
    rulebook_option(p)

    p = command("what-if", cmd_what_if, "what changes if some facts change, or under a reform")
    _profile_options(p, ["text", "json"])
    lang_option(p, "en", "text: language")
    p.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help="a changed fact (repeatable); FIELD may be list[i].field; empty removes",
    )
    reform_option(p, "evaluate the change under a reform")
    rulebook_option(p)

    p = command("impact", cmd_impact, "what the policy, or a reform, costs over a registry")
    _impact_options(p)
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
    format_option(p, ["table", "json"])
    rulebook_option(p)

    p = command("coverage", cmd_coverage, "every measure with its rules or why it has none")
    rulebook_option(p)

    from subsidy_engine import cli_obligations, cli_service, cli_service_log

    for module in (cli_service, cli_service_log, cli_obligations):
        module.register(command)
    return add_registry_commands(parser, command)


def _profile_options(p: argparse.ArgumentParser, formats: list[str]) -> None:
    """The profile, `--as-of` and `--format` (the first format is the default)."""
    p.add_argument("profile", metavar="PROFILE", help="a YAML or JSON file, or - for stdin")
    as_of_option(p)
    format_option(p, formats)


def _impact_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("registry", metavar="REGISTRY", help="Parquet, CSV or JSON Lines")
    reform_option(p, "compare with this reform")
    p.add_argument(
        "--by",
        action="append",
        metavar="COLUMN",
        help="group by rule_id, measure, payer, a registry column or a derived fact "
        "(e.g. county, sme_size_class)",
    )
    p.add_argument("--weight", metavar="COLUMN", help="a sample registry's weight column")
    p.add_argument("--chart", metavar="FILE.png", help="draw baseline beside reform")
    format_option(p, ["table", "json"])
    as_of_option(p)
    p.add_argument(
        "--years",
        type=_years,
        metavar="FIRST-LAST",
        help="show the change in each year instead, as of its last day (e.g. 2019-2021)",
    )


def _years(text: str) -> list[date]:
    from subsidy_engine.analysis.impact_years import year_ends

    first, sep, last = text.partition("-")
    if not (first.isdigit() and (not sep or last.isdigit())):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year or FIRST-LAST, e.g. 2019-2021")
    try:
        return year_ends(int(first), int(last or first))
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--statuses", default="all", help="json: results kept, 'all' or a comma list (%(default)s)"
    )
    p.add_argument(
        "--citations",
        choices=["full", "ref", "id"],
        default="full",
        help="json: each result's full citation, each rule once in a table, or rule ids only "
        "(%(default)s)",
    )
    p.add_argument("--no-traces", action="store_true", help="json: leave out condition traces")
    lang_option(p, "en", "table and markdown: language")


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
    as_of_option(p)
    reform_option(p, "score under this reform")
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
    p.add_argument(
        "--summary",
        metavar="FILE",
        help="also write one row per enterprise, totals (with --from: a table of that name)",
    )
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
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--kind", choices=["enterprises", "applications"], default="enterprises")


if __name__ == "__main__":
    raise SystemExit(main())
