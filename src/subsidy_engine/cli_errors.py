"""The command line's single top-level handler: every failure ends in one message and an exit code.

Exit codes: 0 done; 1 the input was read but is wrong (a refused profile, a rulebook with
problems, a registry of which every row was rejected); 2 it could not be used at all (a missing
or unreadable file, a bad argument, a full disk); 3 an internal error, which is a bug: one line
says so and where its traceback was written (`--debug` prints it instead); 130 interrupted by
Ctrl-C, with nothing written.
"""

from __future__ import annotations

import argparse
import decimal
import sys
import tempfile
import traceback
from collections.abc import Callable

from subsidy_engine import interrupt
from subsidy_engine.errors import (
    DiagnosticsError,
    InputError,
    ProfileError,
    RulebookError,
    SubsidyEngineError,
)

Command = Callable[[argparse.Namespace], int]
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]
"""Adds a subcommand (name, what it runs, its help) and gives its parser for the options."""

INTERRUPTED = 130
BUG = 3


def fail(message: str) -> None:
    """Print `message` as the command's one error message."""
    print(f"subsidy-engine: {message}", file=sys.stderr)


def debug_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug", action="store_true", help="on an internal error, print its traceback"
    )


def run_command(command: Command, args: argparse.Namespace, *, debug: bool = False) -> int:
    """Run `command(args)`, turning every failure into one message and an exit code."""
    with interrupt.trapped():
        try:
            code = command(args)
            interrupt.check()
            return code
        except BaseException as error:
            if isinstance(error, SystemExit):
                raise
            if isinstance(error, KeyboardInterrupt) or interrupt.requested():
                fail("interrupted; no output was written")
                return INTERRUPTED
            return _report(error, debug)


def _report(error: BaseException, debug: bool) -> int:
    if isinstance(error, ProfileError):
        fail("the profile was refused:\n" + error.render())
        return 1
    if isinstance(error, RulebookError):
        fail("the rulebook has problems:\n" + error.render())
        return 1
    if isinstance(error, DiagnosticsError):
        fail(error.render())
        return 1
    if isinstance(error, (InputError, SubsidyEngineError)):
        fail(str(error))
        return 2
    if isinstance(error, BrokenPipeError):
        return 0
    known = known_failure(error)
    if known is not None:
        fail(known)
        return 2
    return _bug(error, debug)


def known_failure(error: BaseException) -> str | None:
    """The one-line message for a failure that is not a bug, or None."""
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    if isinstance(error, RecursionError):
        return "the input is nested too deeply to be read (an expression or a file)"
    if isinstance(error, MemoryError):
        return "not enough memory for this input"
    if isinstance(error, decimal.DecimalException):
        return "a number is too large, or has too many digits, for exact decimal arithmetic"
    return None


def _bug(error: BaseException, debug: bool) -> int:
    text = "".join(traceback.format_exception(error))
    summary = f"{type(error).__name__}: {_first_line(error)}"
    if debug:
        sys.stderr.write(text)
        fail(f"internal error (a bug): {summary}")
        return BUG
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="subsidy-engine-", suffix=".traceback", delete=False, encoding="utf-8"
        ) as file:
            file.write(text)
        where = f"traceback in {file.name}"
    except OSError:
        where = "rerun with --debug to see the traceback"
    fail(f"internal error (a bug): {summary}; {where}")
    return BUG


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else ""
