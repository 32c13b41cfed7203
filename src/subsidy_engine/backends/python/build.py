"""The positional constructors evaluation builds results with, and the field order they rely on.

Evaluation builds a result for every rule of every profile, and a positional call costs well
under half a keyword one (measured: 159 ns against 413 ns for a `RuleResult`). A positional
call is only right while the fields keep their order, and `missing_facts` and
`missing_parameters` are neighbours of one type: a reorder would swap them and pass mypy. So
results and amounts are built through these names only, with their arguments in the orders
below, and a test holds the dataclasses to those orders.
"""

from __future__ import annotations

from typing import Final

from subsidy_engine.results import Amount, RuleResult

RESULT_FIELDS: Final = (
    "rule",
    "status",
    "amount",
    "conditions",
    "missing_facts",
    "missing_parameters",
    "item",
    "details",
    "excluded_by",
    "arithmetic",
)
AMOUNT_FIELDS: Final = (
    "unit",
    "status",
    "value",
    "payer",
    "basis",
    "label",
    "unspecified_parameters",
)

new_result: Final = RuleResult
"""`RuleResult`, called with its arguments in `RESULT_FIELDS` order."""
new_amount: Final = Amount
"""`Amount`, called with its arguments in `AMOUNT_FIELDS` order."""
