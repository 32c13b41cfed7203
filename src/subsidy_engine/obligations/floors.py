"""What a procuring body must reserve, for a given annual procurement budget (measure 37 of
the bundled rulebook, or any rulebook whose `procuring_body` facts include
`procurement_budget`): each obligation's required figure, with its citation and readings.

>>> from decimal import Decimal
>>> from datetime import date
>>> floors = procurement_floors("1000万", date(2020, 3, 31))
>>> [(f.rule_id, f.required) for f in floors]
[('m37.sme_reserve', Decimal('3000000.00')), ('m37.small_micro_reserve', Decimal('1800000.00'))]
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from subsidy_engine.engine import Engine
from subsidy_engine.obligations.check import ObligationChecker
from subsidy_engine.obligations.results import ObligationResult
from subsidy_engine.results import Period

PROCURING_BODY = "procuring_body"
BUDGET = "procurement_budget"


def required_figures(
    checker: ObligationChecker, kind: str, facts: dict[str, object], as_of: date
) -> list[ObligationResult]:
    """Each obligation binding a subject of `kind` with only `facts` known, on `as_of`: the
    required figure where those facts decide it (the achieved figures stay unknown)."""
    validated = checker.validate(kind, facts)
    return checker.check(kind, "", validated, Period(as_of, as_of))


def procurement_floors(
    budget: Decimal | int | str, as_of: date, engine: Engine | None = None
) -> list[ObligationResult]:
    """The reserves a procuring body with annual procurement budget `budget` (yuan; 万/亿
    accepted) must make, on `as_of`: one result per obligation, its `required` the floor."""
    checker = ObligationChecker((engine or Engine()).rulebook)
    return required_figures(checker, PROCURING_BODY, {BUDGET: budget}, as_of)
