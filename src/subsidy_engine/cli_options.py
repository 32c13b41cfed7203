"""Options several commands share, each declared once so that they read and fail alike."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from subsidy_engine.i18n import LANGUAGES, Language

if TYPE_CHECKING:
    from subsidy_engine.engine import Engine


def as_of_date(text: str) -> date:
    """An `--as-of` value; a clear argparse error for anything but YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def as_of_option(
    p: argparse.ArgumentParser, help_text: str = "date YYYY-MM-DD (default today)"
) -> None:
    p.add_argument("--as-of", type=as_of_date, default=None, help=help_text)


def format_option(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """`--format`, one of `formats`, the first by default."""
    p.add_argument("--format", choices=formats, default=formats[0])


def lang_option(
    p: argparse.ArgumentParser, default: Language, help_text: str = "language (%(default)s)"
) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=default, help=help_text)


def reform_option(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--reform", metavar="REFORM.yaml", help=help_text)


def rulebook_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rulebook", metavar="DIR", help="a rulebook folder (default: bundled)")


def rulebook_engine(args: argparse.Namespace) -> Engine:
    """The engine of the rulebook `rulebook_option` names, else of the bundled one."""
    from subsidy_engine.engine import Engine

    return Engine(args.rulebook) if getattr(args, "rulebook", None) else Engine()
