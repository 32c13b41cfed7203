"""Tests of subsidy_engine.identifiers: credit codes (GB 32100) and industry codes (GB/T 4754)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsidy_engine.errors import InputError
from subsidy_engine.identifiers import (
    CREDIT_CODE_ALPHABET,
    SECTION_DIVISIONS,
    credit_code_check_character,
    credit_code_problem,
    industry_code_problem,
    industry_name,
    industry_section,
    normalise_industry_code,
    organisation_code_check_character,
)

# --- unified social credit code -----------------------------------------------------------------

# Published codes: the example of GB 32100-2015, two from hutool's CreditCodeUtilTest, and real
# Xiamen/Guangzhou registrations (enterprises and one government organ, 1x) from public code.
REAL_CODES = [
    "91350100M000100Y43",
    "91310115591693856A",
    "91310110666007217T",
    "91350200776049653A",
    "91350500798359476R",
    "91350503MA31DKY80A",
    "91350200MA31E12PXF",
    "91440101MA5CJQ4N59",
    "913502000728319549",
    "123502001549897397",
    "913502115628130384",
    "9135021359498494XQ",
    "91350206MA31LUJ437",
    "91350213678251743X",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_accepted(code: str) -> None:
    assert credit_code_problem(code) is None
    assert credit_code_check_character(code[:17]) == code[17]
    assert organisation_code_check_character(code[8:16]) == code[16]


def test_standard_example_check_character() -> None:
    assert credit_code_check_character("91350100M000100Y4") == "3"


def test_early_pilot_code_that_breaks_the_standard_is_refused() -> None:
    # Issued in Xiamen before GB 32100-2015; hutool refuses it too.
    assert credit_code_problem("91350211M00013FA1N") == (
        "position 18: check character is 'N', expected '3'"
    )


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length_is_refused(code: str) -> None:
    assert credit_code_problem(code) == f"a credit code has 18 characters, got {len(code)}"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters_are_refused(letter: str) -> None:
    code = "91350100M000100Y43"
    bad = code[:10] + letter + code[11:]
    problem = credit_code_problem(bad)
    assert problem is not None
    assert problem.startswith(f"position 11: '{letter}' is never used in a credit code")


def test_lower_case_is_refused_with_the_upper_case_letter() -> None:
    assert credit_code_problem("91350100m000100Y43") == "position 9: 'm' must be upper case ('M')"


def test_foreign_character_is_refused() -> None:
    problem = credit_code_problem("91350100M000100Y4-")
    assert problem is not None
    assert problem.startswith("position 18: '-' is not a credit-code character")


@pytest.mark.parametrize("position", range(3, 9))
def test_non_digit_in_the_division_code_is_refused(position: int) -> None:
    code = "91350100M000100Y43"
    bad = code[: position - 1] + "A" + code[position:]
    assert credit_code_problem(bad) == (
        f"position {position}: the administrative division code (positions 3-8) "
        "must be digits, got 'A'"
    )


def test_wrong_check_character_names_the_expected_one() -> None:
    assert credit_code_problem("91350100M000100Y4X") == (
        "position 18: check character is 'X', expected '3'"
    )


def test_wrong_organisation_check_character_is_refused() -> None:
    # Position 17 changed and position 18 recomputed so that only the GB 11714 check fails.
    first17 = "91350100M000100Y5"
    code = first17 + credit_code_check_character(first17)
    assert credit_code_problem(code) == (
        "position 17: organisation code check character is '5', expected '4' (GB 11714)"
    )
    assert credit_code_problem(code, check_organisation_code=False) is None


def test_typo_in_the_organisation_code_breaks_both_checks() -> None:
    problem = credit_code_problem("91350100M000200Y43")
    assert problem is not None
    assert problem.startswith("positions 17 and 18: check characters are '4' and '3'")


def test_check_character_helpers_refuse_bad_input() -> None:
    with pytest.raises(InputError):
        credit_code_check_character("9135")
    with pytest.raises(InputError):
        credit_code_check_character("91350100I000100Y4")
    with pytest.raises(InputError):
        organisation_code_check_character("M000100")
    with pytest.raises(InputError):
        organisation_code_check_character("M00010-Y")


_any_char = st.sampled_from(CREDIT_CODE_ALPHABET)
_digit = st.sampled_from("0123456789")
_first17 = st.tuples(
    st.lists(_any_char, min_size=2, max_size=2),
    st.lists(_digit, min_size=6, max_size=6),
    st.lists(_any_char, min_size=9, max_size=9),
).map(lambda parts: "".join(parts[0] + parts[1] + parts[2]))


@given(_first17)
def test_appending_the_check_character_gives_the_only_valid_code(first17: str) -> None:
    check = credit_code_check_character(first17)
    assert check in CREDIT_CODE_ALPHABET
    assert credit_code_problem(first17 + check, check_organisation_code=False) is None
    for other in CREDIT_CODE_ALPHABET:
        if other != check:
            problem = credit_code_problem(first17 + other, check_organisation_code=False)
            assert problem == f"position 18: check character is {other!r}, expected {check!r}"


@given(_first17)
def test_codes_with_both_check_characters_computed_are_valid(first17: str) -> None:
    first16 = first17[:16]
    first17 = first16 + organisation_code_check_character(first16[8:])
    code = first17 + credit_code_check_character(first17)
    assert credit_code_problem(code) is None


# --- industry classification --------------------------------------------------------------------


def _data_rows() -> list[dict[str, str]]:
    path = resources.files("subsidy_engine").joinpath("data", "gbt4754_2017.csv")
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


@pytest.mark.parametrize("code", ["C", "C30", "C307", "C3071", "C13", "A0111", "T9700", "S91"])
def test_existing_industry_codes_are_accepted(code: str) -> None:
    assert industry_code_problem(code) is None


def test_industry_names() -> None:
    assert industry_name("C") == "制造业"
    assert industry_name("C30") == "非金属矿物制品业"
    assert industry_name("C307") == "陶瓷制品制造"
    assert industry_name("C3071") == "建筑陶瓷制品制造"
    assert industry_name("C13") == "农副食品加工业"
    assert industry_name("C999") is None
    assert industry_name("c307") is None


@pytest.mark.parametrize(
    ("code", "why"),
    [
        pytest.param("C999", "the division C99 does not exist", id="unknown-division"),
        pytest.param(
            "Z01", "there is no section Z (sections run from A to T)", id="unknown-section"
        ),
        pytest.param("A30", "division 30 belongs to section C (C30)", id="wrong-section"),
        pytest.param(
            "C310",
            "the group C310 does not exist (division C31 has C311, C312, C313, C314)",
            id="unknown-group-names-its-siblings",
        ),
        pytest.param(
            "C3010",
            "the class C3010 does not exist (group C301 has C3011, C3012)",
            id="unknown-class-names-its-siblings",
        ),
    ],
)
def test_a_code_not_in_the_classification_is_refused_saying_why(code: str, why: str) -> None:
    assert industry_code_problem(code) == f"{code} is not a GB/T 4754-2017 code; {why}"


def test_lower_case_is_refused_but_normalising_fixes_it() -> None:
    assert industry_code_problem("c307") == "'c307' is not in canonical form; write it as 'C307'"
    assert normalise_industry_code("c307") == "C307"
    assert industry_code_problem(normalise_industry_code(" c 307\u3000")) is None


@pytest.mark.parametrize("code", ["", "C1", "C12345", "30", "CC30", "C-30"])
def test_malformed_industry_codes_are_refused(code: str) -> None:
    assert industry_code_problem(code) is not None


def test_industry_section() -> None:
    assert industry_section("C3071") == "C"
    assert industry_section("3071") == "C"
    assert industry_section("0111") == "A"
    assert industry_section("97") == "T"
    with pytest.raises(InputError, match="the division C99 does not exist"):
        industry_section("C999")
    with pytest.raises(InputError):
        industry_section("9999")


def test_data_has_every_level() -> None:
    rows = _data_rows()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    levels = Counter(len(code) for code in codes)
    # 20 sections, 97 divisions, 473 groups; the class count is 1381 in the source list (see the
    # module docs for the published 1380/1382 figures).
    assert levels == {1: 20, 3: 97, 4: 473, 5: 1381}
    for row in rows:
        assert row["name"] and row["name"] == row["name"].strip()
        assert industry_code_problem(row["code"]) is None


def test_section_ranges_agree_with_the_data_divisions() -> None:
    codes = {row["code"] for row in _data_rows()}
    assert {code for code in codes if len(code) == 1} == set(SECTION_DIVISIONS)
    expected = {
        f"{section}{division:02d}"
        for section, (first, last) in SECTION_DIVISIONS.items()
        for division in range(first, last + 1)
    }
    assert {code for code in codes if len(code) == 3} == expected


def test_data_hierarchy_is_closed() -> None:
    codes = {row["code"] for row in _data_rows()}
    for code in codes:
        if len(code) == 5:
            assert code[:4] in codes, f"class {code} has no group"
        if len(code) == 4:
            assert code[:3] in codes, f"group {code} has no division"
    for code in codes:
        if len(code) in (3, 4):
            assert any(len(c) == len(code) + 1 and c.startswith(code) for c in codes), code
