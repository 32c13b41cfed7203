"""Duties the policy places on government bodies, checked against what happened.

>>> from subsidy_engine import Engine
>>> report = Engine().obligations(
...     [{"kind": "procuring_body", "name": "市教育局",
...       "facts": {"procurement_budget": "1000万", "sme_reserved": "250万"}}],
...     "2020Q1",
... )
>>> first = report.results[0]
>>> first.rule_id, first.status.value, first.required, first.achieved, first.shortfall
('m37.sme_reserve', 'not_met', Decimal('3000000.00'), Decimal('2500000.00'), Decimal('500000.00'))
"""

from subsidy_engine.obligations.api import check_obligations
from subsidy_engine.obligations.floors import procurement_floors, required_figures
from subsidy_engine.obligations.report import ObligationReport, ObligationRollup
from subsidy_engine.obligations.results import ObligationResult, ObligationStatus

__all__ = [
    "ObligationReport",
    "ObligationResult",
    "ObligationRollup",
    "ObligationStatus",
    "check_obligations",
    "procurement_floors",
    "required_figures",
]
