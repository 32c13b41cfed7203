"""One arithmetic in both backends: integers never wrap, decimals hold 38 digits, a value that
would leave the number domain is unknown (naming the facts it reads) in `evaluate` and `score`
alike, and what the domain cannot hold at all is refused by `lint`."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.errors import RulebookError
from subsidy_engine.money import to_fen

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
AS_OF = date(2019, 12, 31)
PROBE = "m1.probe"


def _book(tmp_path: Path, condition: str, amount: str) -> Path:
    root = tmp_path / "book"
    shutil.copytree(MINI, root)
    rules = root / "measures" / "m1.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + f"""  - id: {PROBE}
    title: probe
    title_en: probe
    quote: 对参加展会的企业、每个展位给予补助
    when:
      c: {condition}
    amount: {{unit: cash, value: {amount}, payer: [city]}}
""",
        encoding="utf-8",
    )
    return root


def _both(engine: Engine, profile: dict[str, Any]) -> tuple[Any, Any]:
    """(evaluate's, score's) (status, amount, missing facts) of the probe rule."""
    (one,) = [r for r in engine.evaluate(profile, AS_OF).results if r.rule_id == PROBE]
    scalar = (one.status.value, one.amount.value, sorted(one.missing_facts))
    scored = engine.score(pl.DataFrame([profile]), as_of=AS_OF, statuses="all")
    assert scored.rows_rejected == 0, scored.rejects
    row = scored.results.filter(pl.col("rule_id") == PROBE).row(0, named=True)
    vector = (
        row["status"],
        row["amount"] or row["potential_amount"],
        sorted(row["missing_facts"] or []),
    )
    return scalar, vector


def test_an_integer_product_that_would_wrap_is_unknown_in_both(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "employees > 0", "employees * employees * employees"))
    scalar, vector = _both(engine, {"employees": 10_000_000})
    assert scalar == vector
    assert scalar[:2] == ("undetermined", None) and "employees" in scalar[2]
    small = _both(engine, {"employees": 1000})
    assert small[0] == small[1] and small[0][1] == Decimal("1000000000.00")


def test_a_long_product_in_a_condition_is_unknown_not_ineligible(tmp_path: Path) -> None:
    product = " * ".join(["employees"] * 50)
    engine = Engine(_book(tmp_path, f"{product} > 1", "1000"))
    scalar, vector = _both(engine, {"employees": 10})
    assert scalar == vector
    assert scalar[0] == "undetermined" and "employees" in scalar[2]


def test_amounts_of_10_to_the_26_are_computed_not_a_crash(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "annual_sales > 0", "annual_sales * annual_sales"))
    scalar, vector = _both(engine, {"annual_sales": 10**15})
    assert scalar == vector
    assert scalar[1] == Decimal(10**30)
    assert to_fen(Decimal(10) ** 30) == Decimal("1000000000000000000000000000000.00")


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (" * ".join(["annual_sales"] * 30) + " > 1", "decimal places"),
        ("annual_sales > " + "9" * 5000, "is too long"),
        ("annual_sales > " + "9" * 30 + "亿", "larger than a rule's number may be"),
        ("annual_sales > 1" + "0" * 19, "larger than a rule's number may be"),
        ("annual_sales > 0.0000000000001", "more than 12 decimal places"),
        ("add_days(as_of, 1000000000000000000000000000000) > as_of", "larger than"),
    ],
)
def test_what_the_domain_cannot_hold_is_refused_at_lint(
    tmp_path: Path, condition: str, words: str
) -> None:
    root = _book(tmp_path, condition, "1000")
    with pytest.raises(RulebookError) as caught:
        Engine(root)
    message = caught.value.render()
    assert "[number-domain]" in message and words in message and "m1.yaml" in message


@pytest.mark.parametrize("booths", [[], [1], [3, 999, 1000], [997] * 300])
def test_a_total_beyond_28_digits_is_exact_and_equal_in_both(
    tmp_path: Path, booths: list[int]
) -> None:
    book = _book(tmp_path, "annual_sales > 0", "annual_sales * annual_sales")
    rules = book / "measures" / "m1.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + """  - id: m1.per_booth
    title: per booth
    title_en: per booth
    quote: 对参加展会的企业、每个展位给予补助
    for_each: exhibition in exhibitions
    unbounded: a probe of totals, not of periods
    when:
      c: exhibition.booths > 0
    amount: {unit: cash, value: annual_sales * annual_sales * exhibition.booths, payer: [city]}
""",
        encoding="utf-8",
    )
    engine = Engine(book)
    sales = 10**15 - 3  # its square has 30 digits
    profile = {
        "credit_code": "91350100M000100Y43",
        "industry_code": "C3071",
        "seriously_dishonest": False,
        "annual_sales": sales,
        "exhibitions": [{"name": f"e{i}", "booths": n} for i, n in enumerate(booths)],
    }
    evaluation = engine.evaluate(profile, AS_OF)
    (city,) = [t for t in evaluation.totals if t.payer == "city"]
    assert city.amount == sales * sales * (1 + sum(booths)) + 500_000  # Python's exact ints
    assert city.counted == 2 + len(booths)
    assert len(city.amount.as_tuple().digits) > 28
    scored = engine.score(pl.DataFrame([profile]), as_of=AS_OF, summary=True)
    assert scored.summary is not None
    assert scored.summary["amount_city"].to_list() == [city.amount]
