"""Exports of a rulebook's conditions to other rule engines.

`durable` translates eligibility conditions into a durable-rules ruleset (`to_durable`) and
runs it (`run`); `lower` and `dnf` hold the engine-neutral part: conditions as of a date,
lowered to alternatives of field comparisons.
"""

from subsidy_engine.export.durable import (
    AmountCase,
    DurableExport,
    ExportedRule,
    SkippedRule,
    amount,
    run,
    to_durable,
)

__all__ = [
    "AmountCase",
    "DurableExport",
    "ExportedRule",
    "SkippedRule",
    "amount",
    "run",
    "to_durable",
]
