"""subsidy-engine: government incentive policies as cited YAML rules, evaluated per enterprise.

>>> from datetime import date
>>> from subsidy_engine import Engine
>>> engine = Engine()
>>> evaluation = engine.evaluate({"employees": 30}, as_of=date(2019, 6, 1))
>>> evaluation.provenance.rulebook_id
'shuozhou-2019'
"""

from subsidy_engine.__about__ import __version__
from subsidy_engine.engine import Engine, bundled_rulebook_path
from subsidy_engine.errors import (
    DiagnosticsError,
    ExpressionError,
    InputError,
    ProfileError,
    RulebookError,
    SubsidyEngineError,
)
from subsidy_engine.results import (
    Amount,
    AmountStatus,
    Citation,
    ConditionTrace,
    Evaluation,
    RuleResult,
    Status,
)
from subsidy_engine.rulebook.loader import load_rulebook
from subsidy_engine.rulebook.rulebook import Rulebook

__all__ = [
    "Amount",
    "AmountStatus",
    "Citation",
    "ConditionTrace",
    "DiagnosticsError",
    "Engine",
    "Evaluation",
    "ExpressionError",
    "InputError",
    "ProfileError",
    "RuleResult",
    "Rulebook",
    "RulebookError",
    "Status",
    "SubsidyEngineError",
    "__version__",
    "bundled_rulebook_path",
    "load_rulebook",
]
