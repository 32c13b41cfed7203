"""People's language: gettext catalogs for what the engine says to people, in Chinese and English.

Messages are written in English in the code (`_("eligible")`); `zh/LC_MESSAGES/messages.po`
holds their Chinese. The `.po` source is compiled with Babel when first used, once per process,
so the package ships no generated file. English is the catalog-free fallback.

>>> translator("zh").gettext("eligible")
'可申报'
>>> translator("en").gettext("eligible")
'eligible'
>>> pick_language("en-US,en;q=0.9"), pick_language("zh-CN,zh;q=0.9,en;q=0.8"), pick_language(None)
('en', 'zh', 'zh')
"""

from __future__ import annotations

import gettext
import io
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

from subsidy_engine.money import WAN

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
DEFAULT_LANGUAGE: Language = "zh"


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The translations into `language` ('zh' or 'en'); English needs none."""
    if language == "en":
        return gettext.NullTranslations()
    if language != "zh":
        raise ValueError(f"no language {language!r}; known: {', '.join(LANGUAGES)}")
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = resources.files(__package__).joinpath(language, "LC_MESSAGES", "messages.po")
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def pick_language(accept_language: str | None) -> Language:
    """The language an `Accept-Language` header prefers among ours (Chinese when it names
    neither)."""
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and (best is None or quality > best[0]):
            best = (quality, "zh" if primary == "zh" else "en")
    return best[1] if best else DEFAULT_LANGUAGE


def yuan_text(value: Decimal, language: str) -> str:
    """An amount in yuan as a person reads it: `780万元` / `¥7,800,000.00` style.

    >>> yuan_text(Decimal("7800000.00"), "zh"), yuan_text(Decimal("518.50"), "zh")
    ('780万元', '518.50元')
    >>> yuan_text(Decimal("7800000.00"), "en")
    '¥7,800,000.00 (7.8 million yuan)'
    """
    if language == "zh":
        if value >= WAN and (value / WAN) == (value / WAN).quantize(Decimal("0.0001")):
            return f"{_plain(value / WAN)}万元"
        return f"{value:,.2f}元"
    text = f"¥{value:,.2f}"
    if value >= 10**6:
        return f"{text} ({_plain(value / 10**6)} million yuan)"
    return text


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
