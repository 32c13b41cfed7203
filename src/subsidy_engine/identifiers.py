"""Validation of two Chinese national identifiers found in enterprise profiles.

The unified social credit code (统一社会信用代码, GB 32100-2015) has 18 characters drawn from
``0-9`` and ``A-Z`` without ``I``, ``O``, ``S``, ``V`` and ``Z``:

======== ============================================================================
position meaning
======== ============================================================================
1        registration authority (登记管理部门), e.g. ``9`` for market regulation
2        organisation type (机构类别), e.g. ``1`` for an enterprise
3-8      administrative division of the registering office (GB/T 2260, digits)
9-17     organisation code (主体标识码, GB 11714): 8 characters and a check character
18       check character over positions 1-17, weights 3**i mod 31, modulo 31
======== ============================================================================

The industry code (国民经济行业分类, GB/T 4754-2017) is a section letter ``A``-``T`` followed by
nothing (section, 门类), 2 digits (division, 大类), 3 digits (group, 中类) or 4 digits (class,
小类). The list of codes ships as ``data/gbt4754_2017.csv`` (columns ``code,name``) and is read
once, on first use. It holds 20 sections, 97 divisions, 473 groups and 1381 classes, the list as
widely republished; the official figures are 1380 classes for the 2017 text and 1382 after
Amendment No. 1 (2019), so one class may differ from either. A group with a single class is
printed in the standard on one line with it (``022 0220 造林和更新``) and has its name.

>>> credit_code_problem("91350100M000100Y43") is None
True
>>> industry_name("C3071")
'建筑陶瓷制品制造'
"""

from __future__ import annotations

import csv
import functools
import io
import re
import string
import unicodedata
from collections.abc import Mapping
from importlib import resources

from subsidy_engine.errors import InputError

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_WEIGHTS",
    "ORGANISATION_CODE_WEIGHTS",
    "SECTION_DIVISIONS",
    "credit_code_check_character",
    "credit_code_problem",
    "industry_code_problem",
    "industry_codes",
    "industry_name",
    "industry_section",
    "normalise_industry_code",
    "organisation_code_check_character",
]

# --- unified social credit code (GB 32100-2015) -------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a credit code may use, in the order of their values 0-30."""

CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""Weights of positions 1-17 for the check character: 3**(position - 1) mod 31."""

_CREDIT_VALUE = {ch: value for value, ch in enumerate(CREDIT_CODE_ALPHABET)}
_EXCLUDED_LETTERS = "IOSVZ"
_ALPHABET_HINT = "0-9 and A-Z except I, O, S, V, Z"

ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714 weights of the 8 body characters of an organisation code."""

_ORGANISATION_VALUE = {ch: int(ch, 36) for ch in string.digits + string.ascii_uppercase}
"""Digits count as themselves, letters 10-35 (A = 10)."""


def _weighted_sum(
    characters: str, weights: tuple[int, ...], values: Mapping[str, int], words: tuple[str, str]
) -> int:
    """The sum of each character's value times its position's weight, the base of both checks.
    `words` name, for the errors, what `characters` should be and what one of them should be."""
    if len(characters) != len(weights):
        raise InputError(f"expected {words[0]}, got {len(characters)}")
    total = 0
    for position, (ch, weight) in enumerate(zip(characters, weights, strict=True), 1):
        value = values.get(ch)
        if value is None:
            raise InputError(f"position {position}: {ch!r} is not {words[1]}")
        total += value * weight
    return total


def credit_code_check_character(first17: str) -> str:
    """The check character (position 18) of a credit code whose first 17 characters are given.

    Raises `InputError` when `first17` is not 17 characters of the credit-code alphabet.

    >>> credit_code_check_character("91350100M000100Y4")
    '3'
    >>> credit_code_check_character("91310110666007217")
    'T'
    """
    words = ("the first 17 characters of a credit code", "a credit-code character")
    total = _weighted_sum(first17, CREDIT_CODE_WEIGHTS, _CREDIT_VALUE, words)
    return CREDIT_CODE_ALPHABET[-total % 31]


def organisation_code_check_character(body: str) -> str:
    """The GB 11714 check character of an organisation code whose 8 body characters are given.

    In a credit code the body is positions 9-16 and the result is position 17. Letters count
    10-35 (``A`` = 10), the weights are 3, 7, 9, 10, 5, 8, 4, 2 and the check is
    ``11 - sum % 11``, written ``X`` for 10 and ``0`` for 11.

    >>> organisation_code_check_character("M000100Y")
    '4'
    >>> organisation_code_check_character("MA31E12P")
    'X'
    """
    words = ("the 8 body characters of an organisation code", "an organisation-code character")
    total = _weighted_sum(body, ORGANISATION_CODE_WEIGHTS, _ORGANISATION_VALUE, words)
    check = 11 - total % 11
    return "X" if check == 10 else str(check % 11)


def credit_code_problem(code: str, *, check_organisation_code: bool = True) -> str | None:
    """Why `code` is not a valid unified social credit code, or None when it is valid.

    Checks, in order: the length, the alphabet (upper case, no I/O/S/V/Z), the administrative
    division code (positions 3-8, digits), then the check characters: the GB 11714 check of the
    organisation code at position 17 (unless `check_organisation_code` is false) and the
    GB 32100 check at position 18. Positions count from 1.

    >>> credit_code_problem("91310110666007217T") is None
    True
    >>> credit_code_problem("91310110666007217X")
    "position 18: check character is 'X', expected 'T'"
    >>> credit_code_problem("9131011066600721")
    'a credit code has 18 characters, got 16'
    >>> credit_code_problem("91310110666OO7217T")
    "position 12: 'O' is never used in a credit code (I, O, S, V and Z are excluded)"
    >>> credit_code_problem("9131A110666007217T")
    "position 5: the administrative division code (positions 3-8) must be digits, got 'A'"
    """
    if len(code) != 18:
        return f"a credit code has 18 characters, got {len(code)}"
    for position, ch in enumerate(code, 1):
        if ch in _CREDIT_VALUE:
            continue
        if ch.upper() in _EXCLUDED_LETTERS:
            return (
                f"position {position}: {ch!r} is never used in a credit code "
                "(I, O, S, V and Z are excluded)"
            )
        if ch.upper() in _CREDIT_VALUE and ch.upper() != ch:
            return f"position {position}: {ch!r} must be upper case ({ch.upper()!r})"
        return f"position {position}: {ch!r} is not a credit-code character ({_ALPHABET_HINT})"
    for position in range(3, 9):
        ch = code[position - 1]
        if not ch.isdigit():
            return (
                f"position {position}: the administrative division code (positions 3-8) "
                f"must be digits, got {ch!r}"
            )
    expected18 = credit_code_check_character(code[:17])
    final_ok = code[17] == expected18
    if check_organisation_code:
        expected17 = organisation_code_check_character(code[8:16])
        if code[16] != expected17:
            if final_ok:
                return (
                    f"position 17: organisation code check character is {code[16]!r}, "
                    f"expected {expected17!r} (GB 11714)"
                )
            return (
                f"positions 17 and 18: check characters are {code[16]!r} and {code[17]!r}, "
                f"expected {expected17!r} and {expected18!r}; "
                "a character in positions 9-18 is probably mistyped"
            )
    if not final_ok:
        return f"position 18: check character is {code[17]!r}, expected {expected18!r}"
    return None


# --- industry classification (GB/T 4754-2017) ---------------------------------------------------

SECTION_DIVISIONS: Mapping[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}
"""The first and last division (大类) of each section (门类), inclusive."""

_DATA_FILE = "gbt4754_2017.csv"
_CANONICAL = re.compile(r"[A-Z](?:\d{2,4})?", re.ASCII)
_BARE = re.compile(r"\d{2,4}", re.ASCII)
_SHAPE_HINT = "a section letter A-T followed by 0, 2, 3 or 4 digits, e.g. C, C30, C307, C3071"


@functools.cache
def _industry_table() -> Mapping[str, str]:
    """Code -> name for every GB/T 4754-2017 code, read once from the packaged CSV."""
    text = resources.files("subsidy_engine").joinpath("data", _DATA_FILE).read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(text))}


def _section_of_division(division: int) -> str | None:
    for section, (first, last) in SECTION_DIVISIONS.items():
        if first <= division <= last:
            return section
    return None


def _children(parent: str) -> list[str]:
    """The groups of a division or the classes of a group (one more digit than `parent`)."""
    size = len(parent) + 1
    return [code for code in _industry_table() if len(code) == size and code.startswith(parent)]


def normalise_industry_code(code: str) -> str:
    """`code` in canonical form: full-width characters folded, white space removed, upper case.

    >>> normalise_industry_code(" c 3071 ")
    'C3071'
    >>> normalise_industry_code("Ｃ３０７")
    'C307'
    """
    folded = unicodedata.normalize("NFKC", code)
    return "".join(folded.split()).upper()


def industry_code_problem(code: str) -> str | None:
    """Why `code` is not a GB/T 4754-2017 code in canonical form, or None when it is one.

    Only the canonical form is accepted (upper-case letter, no spaces): pass user input through
    `normalise_industry_code` first.

    >>> industry_code_problem("C3071") is None
    True
    >>> industry_code_problem("C999")
    'C999 is not a GB/T 4754-2017 code; the division C99 does not exist'
    >>> industry_code_problem("A30")
    'A30 is not a GB/T 4754-2017 code; division 30 belongs to section C (C30)'
    >>> industry_code_problem("c307")
    "'c307' is not in canonical form; write it as 'C307'"
    """
    if not code:
        return "the industry code is empty"
    if not _CANONICAL.fullmatch(code):
        normalised = normalise_industry_code(code)
        if normalised != code and _CANONICAL.fullmatch(normalised):
            return f"{code!r} is not in canonical form; write it as {normalised!r}"
        return f"{code!r} is not an industry code: expected {_SHAPE_HINT}"
    table = _industry_table()
    if code in table:
        return None
    head = f"{code} is not a GB/T 4754-2017 code"
    section = code[0]
    if section not in SECTION_DIVISIONS:
        return f"{head}; there is no section {section} (sections run from A to T)"
    division = code[:3]
    if division not in table:
        owner = _section_of_division(int(code[1:3]))
        if owner is not None:
            return f"{head}; division {code[1:3]} belongs to section {owner} ({owner}{code[1:3]})"
        return f"{head}; the division {division} does not exist"
    group = code[:4]
    if group not in table:
        groups = ", ".join(_children(division))
        return f"{head}; the group {group} does not exist (division {division} has {groups})"
    classes = ", ".join(_children(group))
    return f"{head}; the class {code} does not exist (group {group} has {classes})"


def industry_codes() -> tuple[str, ...]:
    """Every GB/T 4754-2017 code (sections, divisions, groups, classes), sorted.

    >>> "C3071" in industry_codes()
    True
    """
    return tuple(sorted(_industry_table()))


def industry_name(code: str) -> str | None:
    """The Chinese name of a canonical GB/T 4754-2017 code, or None when there is no such code.

    >>> industry_name("C")
    '制造业'
    >>> industry_name("C30")
    '非金属矿物制品业'
    >>> industry_name("C307")
    '陶瓷制品制造'
    >>> industry_name("C999") is None
    True
    """
    return _industry_table().get(code)


def industry_section(code: str) -> str:
    """The section letter (门类) of an industry code.

    Accepts a canonical code (``C3071``) or the bare digits of a division, group or class
    (``3071``), which many sources print without the letter. Raises `InputError` with the reason
    when the code does not exist.

    >>> industry_section("C3071")
    'C'
    >>> industry_section("3071")
    'C'
    >>> industry_section("0111")
    'A'
    """
    if _BARE.fullmatch(code):
        section = _section_of_division(int(code[:2]))
        if section is not None and section + code in _industry_table():
            return section
        raise InputError(f"{code} is not the number of a GB/T 4754-2017 division, group or class")
    problem = industry_code_problem(code)
    if problem is not None:
        raise InputError(problem)
    return code[0]
