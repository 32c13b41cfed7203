"""Options several commands share, each declared once so that they read and fail alike."""

from __future__ import annotations

import argparse
from datetime import date


def as_of_date(text: str) -> date:
    """An `--as-of` value; a clear argparse error for anything but YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=as_of_date, default=None, help="date YYYY-MM-DD (default today)")


def rulebook_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rulebook", metavar="DIR", help="a rulebook folder (default: bundled)")
