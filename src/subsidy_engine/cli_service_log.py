"""`subsidy-engine service-log`: a service hall's application log checked against measure 6's
working-day deadlines for a period; and `generate --kind applications`, a synthetic log."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from subsidy_engine.atomic import Outputs, check_targets
from subsidy_engine.cli_errors import AddCommand
from subsidy_engine.cli_options import as_of_date, format_option, rulebook_engine, rulebook_option
from subsidy_engine.cli_outputs import generated_target
from subsidy_engine.errors import InputError
from subsidy_engine.obligations.results import ObligationResult
from subsidy_engine.obligations.views import result_json
from subsidy_engine.results import Period
from subsidy_engine.service_log import (
    GROUPS,
    Log,
    LogShape,
    between,
    check_period,
    compliance_rates,
    log_shape,
    obligation_results,
    quarter,
    read_log,
)

SHOWN_REJECTS = 20


def register(command: AddCommand) -> None:
    """Add `service-log` to the command line."""
    p = command(
        "service-log",
        cmd_service_log,
        "check a service hall's application log against the working-day deadlines",
    )
    p.add_argument("log", metavar="LOG", help="Parquet, CSV, JSON Lines or Excel")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--quarter", type=_quarter, help="e.g. 2020Q1")
    when.add_argument("--from", dest="start", type=as_of_date, metavar="DATE", help="with --until")
    p.add_argument("--until", type=as_of_date, metavar="DATE", help="the period's last day")
    p.add_argument(
        "--by",
        type=_groups,
        default=list(GROUPS),
        metavar="GROUPS",
        help="rates grouped by a comma list of department, kind, month (default: all three)",
    )
    format_option(p, ["table", "json"])
    p.add_argument(
        "-o", "--output", metavar="RATES", help="write the rates: .csv, .xlsx or .parquet"
    )
    p.add_argument("--rejects", metavar="FILE", help="write every rejected row (.csv)")
    p.add_argument(
        "--checked", metavar="FILE", help="write every application of the period with its check"
    )
    rulebook_option(p)


def generate_applications_command(args: argparse.Namespace) -> int:
    """`generate N --kind applications -o LOG.parquet`."""
    from subsidy_engine.synthetic.applications import write_applications

    target = generated_target(args.output)
    shape = _shape(args)
    with Outputs() as outputs:
        write_applications(shape, args.n, outputs.add(target), seed=args.seed)
    print(f"{args.n:,} synthetic applications written to {target}")
    return 0


def cmd_service_log(args: argparse.Namespace) -> int:
    period = _period(args)
    targets = [Path(p) for p in (args.output, args.rejects, args.checked) if p]
    check_targets(targets, [args.log])
    shape = _shape(args)
    log = read_log(shape, Path(args.log))
    checked = check_period(shape, log.applications, period)
    found = _Findings(
        args.log,
        period,
        log,
        checked,
        rates=compliance_rates(checked, args.by),
        duties=obligation_results(shape, checked, period),
    )
    with Outputs(inputs=[args.log]) as outputs:
        for given, frame in ((args.output, found.rates), (args.rejects, log.rejects)):
            if given:
                _write(frame, outputs.add(given), given)
        if args.checked:
            _write(checked, outputs.add(args.checked), args.checked)
    if args.format == "json":
        print(json.dumps(_json(found), ensure_ascii=False))
    else:
        _print_table(found)
    return 0


@dataclass(frozen=True, slots=True)
class _Findings:
    """What one run of `service-log` found, for the JSON and the table alike."""

    source: str
    period: Period
    log: Log
    checked: pl.DataFrame
    rates: pl.DataFrame
    duties: list[ObligationResult]


def _shape(args: argparse.Namespace) -> LogShape:
    return log_shape(rulebook_engine(args).rulebook)


def _quarter(text: str) -> Period:
    try:
        return quarter(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _groups(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in GROUPS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"cannot group by {', '.join(unknown)}; groups are {', '.join(GROUPS)}"
        )
    return names


def _period(args: argparse.Namespace) -> Period:
    if args.quarter is not None:
        if args.until is not None:
            raise InputError("--until goes with --from, not with --quarter")
        period: Period = args.quarter
        return period
    if args.until is None:
        raise InputError("--from needs --until: the period's last day")
    return between(args.start, args.until)


def _write(frame: pl.DataFrame, path: Path, given: str) -> None:
    from subsidy_engine.batch.sinks import Sink

    with Sink(path, _format_of(given)) as sink:
        sink.write(frame)


def _format_of(given: str) -> str:
    from subsidy_engine.batch.registry import file_format

    return file_format(Path(given))


def _counts(log: Log, checked: pl.DataFrame) -> dict[str, int]:
    return {
        "rows_read": log.rows_read,
        "in_period": checked.height,
        "outside_period": log.applications.height - checked.height,
        "rejected": log.rejects.height,
    }


def _json(found: _Findings) -> dict[str, Any]:
    period = found.period
    return {
        "log": found.source,
        "period": {"start": str(period.start), "end": str(period.end)},
        **_counts(found.log, found.checked),
        "rejects": found.log.rejects.to_dicts(),
        "rates": found.rates.to_dicts(),
        "obligations": [result_json(result) for result in found.duties],
    }


def _print_table(found: _Findings) -> None:
    from rich.console import Console
    from rich.table import Table

    log, period, rates = found.log, found.period, found.rates
    console = Console(width=None if sys.stdout.isatty() else 160)
    n = _counts(log, found.checked)
    console.print(
        f"{found.source}, {period.start} to {period.end}: rows read {n['rows_read']:,} = "
        f"{n['in_period']:,} in the period + {n['outside_period']:,} outside it + "
        f"{n['rejected']:,} rejected",
        markup=False,
        highlight=False,
        soft_wrap=True,  # a long path must not split the accounting line
    )
    for row in log.rejects.head(SHOWN_REJECTS).iter_rows(named=True):
        console.print(f"  rejected row {row['row']}: {row['reason']}", markup=False, soft_wrap=True)
    if log.rejects.height > SHOWN_REJECTS:
        console.print(f"  ... and {log.rejects.height - SHOWN_REJECTS:,} more (--rejects FILE)")
    keys = [name for name in rates.columns if name in GROUPS]
    rate_table = Table(title="compliance by " + (", ".join(keys) or "the period"))
    for name in rates.columns:
        rate_table.add_column(name, justify="left" if rates.schema[name] == pl.String else "right")
    for values in rates.iter_rows():
        rate_table.add_row(*("" if v is None else str(v) for v in values))
    console.print(rate_table)
    duty_table = Table(title="measure 6 duties (counts of applications)")
    for title in ("department", "rule", "status", "required", "on time", "late", "citation"):
        duty_table.add_column(title)
    for duty in found.duties:
        duty_table.add_row(
            duty.subject,
            duty.rule_id,
            duty.status.value,
            str(duty.required),
            str(duty.achieved),
            "" if duty.shortfall is None else str(duty.shortfall),
            f"第{duty.citation.measure}条 {duty.citation.quotes[0]}",
        )
    console.print(duty_table)
