"""People's language: every message the code asks the catalog for is translated, languages are
picked from Accept-Language, amounts read in 万元."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from subsidy_engine.i18n import pick_language, translator, yuan_text
from subsidy_engine.results import Status
from subsidy_engine.rulebook.models import Payer, Unit
from subsidy_engine.service.problems import _PYDANTIC_TYPES, _STATUS_MESSAGES

SRC = Path(__file__).parents[1] / "src" / "subsidy_engine"
CATALOG = SRC / "i18n" / "zh" / "LC_MESSAGES" / "messages.po"
GETTEXT_CALL = re.compile(r"""gettext\(\s*(?:"([^"]+)"|'([^']+)')""")


def _catalog() -> dict[str, str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    return {str(m.id): str(m.string) for m in catalog if m.id}


def _asked_for() -> set[str]:
    """Literal messages passed to gettext in the code, and the message tables it translates."""
    asked = set(_PYDANTIC_TYPES.values()) | set(_STATUS_MESSAGES.values())
    for path in SRC.rglob("*.py"):
        for match in GETTEXT_CALL.finditer(path.read_text(encoding="utf-8")):
            asked.add(match.group(1) or match.group(2))
    notice = (SRC / "notice.py").read_text(encoding="utf-8")
    asked |= set(re.findall(r'^[A-Z_]+ = "([^"]+)"$', notice, re.MULTILINE))
    return asked


def test_every_message_the_code_asks_for_has_its_chinese() -> None:
    catalog = _catalog()
    untranslated = sorted(m for m in _asked_for() if not catalog.get(m))
    assert untranslated == []


@pytest.mark.parametrize("word", [*Status, *Unit, *Payer], ids=str)
def test_statuses_units_and_payers_read_in_chinese(word: str) -> None:
    chinese = translator("zh").gettext(str(word))
    assert chinese != str(word) and re.search(r"[\u4e00-\u9fff]", chinese)
    assert translator("en").gettext(str(word)) == str(word)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.4,zh-TW;q=0.6", "zh"),
        ("fr-FR,en;q=0.5", "en"),
        ("fr-FR", "zh"),
        ("", "zh"),
        (None, "zh"),
        ("en;q=abc", "en"),
    ],
)
def test_the_language_comes_from_accept_language(header: str | None, language: str) -> None:
    assert pick_language(header) == language


@pytest.mark.parametrize(
    ("yuan", "zh", "en"),
    [
        ("7800000.00", "780万元", "¥7,800,000.00 (7.8 million yuan)"),
        ("10000", "1万元", "¥10,000.00"),
        ("9999.99", "9,999.99元", "¥9,999.99"),
        ("12345.67", "12,345.67元", "¥12,345.67"),
        ("12345", "1.2345万元", "¥12,345.00"),
        ("0.01", "0.01元", "¥0.01"),
    ],
)
def test_amounts_read_in_wan_in_chinese(yuan: str, zh: str, en: str) -> None:
    assert (yuan_text(Decimal(yuan), "zh"), yuan_text(Decimal(yuan), "en")) == (zh, en)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no language 'fr'"):
        translator("fr")
