"""The obligations report speaks Chinese: every status and heading is in the catalog."""

import re
from decimal import Decimal

import pytest

from subsidy_engine.i18n import translator
from subsidy_engine.obligations import ObligationStatus
from subsidy_engine.obligations.views import figure_text

HEADINGS = [
    "Obligations report, %(period)s",
    "City roll-up",
    "Obligations by subject",
    "Legal basis",
    "lead departments",
    "subject",
    "subjects",
    "obligation",
    "required",
    "achieved",
    "shortfall",
    "shortfall / missing",
]


@pytest.mark.parametrize("word", [*ObligationStatus, *HEADINGS], ids=str)
def test_statuses_and_headings_read_in_chinese(word: str) -> None:
    chinese = translator("zh").gettext(str(word))
    assert chinese != str(word) and re.search(r"[\u4e00-\u9fff]", chinese)


@pytest.mark.parametrize(
    ("value", "unit", "language", "text"),
    [
        (Decimal("3000000.00"), "yuan", "zh", "300万元"),
        (Decimal("0.01"), "yuan", "zh", "0.01元"),
        (Decimal("3000000.00"), "yuan", "en", "¥3,000,000.00 (3 million yuan)"),
        (Decimal("0.3"), "share", "zh", "30%"),
        (Decimal(20), "count", "zh", "20"),
        (Decimal("3.50"), "working_days", "zh", "3.5"),
        (None, "yuan", "zh", "—"),
    ],
)
def test_figures_read_as_a_person_writes_them(
    value: Decimal | None, unit: str, language: str, text: str
) -> None:
    assert figure_text(value, unit, language) == text
