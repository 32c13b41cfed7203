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


BIG = "annual_sales * 1000000000000000000"  # up to 10^33 at scale 2: 39 digits at scale 6


@pytest.mark.parametrize(
    ("condition", "facts"),
    [
        (f"max({BIG}, 0.000001) > 0", ["annual_sales"]),
        (f"min({BIG}, annual_sales / 3) > 1", ["annual_sales"]),
        (f"({BIG} if employees > 0 else 0.000001) > 0", ["annual_sales", "employees"]),
        (f"{BIG} in {{0.000001, 1}}", ["annual_sales"]),
        (f"{BIG} not in {{0.000001, 1}}", ["annual_sales"]),
    ],
    ids=["max", "min", "if", "in", "not-in"],
)
def test_values_brought_to_a_finer_scale_leave_the_domain_alike(
    tmp_path: Path, condition: str, facts: list[str]
) -> None:
    engine = Engine(_book(tmp_path, condition, "1"))
    profile = {"annual_sales": 10**15, "employees": 5, "seriously_dishonest": False}
    scalar, vector = _both(engine, profile)
    assert scalar == vector
    assert scalar[0] == "undetermined" and scalar[2] == facts
    small = _both(engine, {**profile, "annual_sales": 10})  # 10^19 at scale 6: 25 digits
    assert small[0][0] == small[1][0] != "undetermined"
    assert small[0][2] == small[1][2] == []


def test_a_conditional_is_judged_by_the_branch_it_takes(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "employees >= 0", f"{BIG} if employees > 10 else 0.000001"))
    profile = {"annual_sales": 10**15, "seriously_dishonest": False}
    taken = _both(engine, {**profile, "employees": 11})
    assert taken[0] == taken[1] == ("eligible", None, ["annual_sales", "employees"])
    other = _both(engine, {**profile, "employees": 10})
    assert other[0] == ("eligible", Decimal("0.00"), [])
    assert other[1][::2] == ("eligible", [])  # (_both reads a zero amount as absent)


EXTREMES = Path(__file__).parents[1] / "batch" / "fixtures" / "extremes"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([10**18] * 9 + [223_372_036_854_775_807], ("eligible", Decimal(2**63 - 1))),
        ([10**18] * 9 + [223_372_036_854_775_808], ("undetermined", None)),
        ([10**18] * 10, ("undetermined", None)),
        ([-(10**18)] * 10 + [10**18] * 10, ("ineligible", Decimal(0))),
    ],
)
def test_a_total_of_integers_does_not_wrap(
    counts: list[int], expected: tuple[str, Decimal | None]
) -> None:
    engine = Engine(EXTREMES)
    profile = {"counts": counts, "above_scale_years": [], "seriously_dishonest": False}
    (one,) = [r for r in engine.evaluate(profile, AS_OF).results if r.rule_id == "m1.total"]
    scored = engine.score(pl.DataFrame([profile]), as_of=AS_OF, statuses="all")
    row = scored.results.filter(pl.col("rule_id") == "m1.total").row(0, named=True)
    assert (one.status.value, one.amount.value) == expected
    assert row["status"] == expected[0]
    if expected[0] == "eligible":
        assert row["amount"] == expected[1]
    missing = ["counts"] if expected[0] == "undetermined" else []
    assert sorted(one.missing_facts) == sorted(row["missing_facts"] or []) == missing


SQUARE = "annual_sales * annual_sales"  # scale 4: the domain holds it below 10^30


@pytest.mark.parametrize(
    ("amount", "sales", "computed"),
    [
        (f"{SQUARE} * 0.5000", Decimal(10**15), False),
        (f"{SQUARE} * 0.5000", Decimal("999999999999999.99"), True),
        (f"{SQUARE} * 1.5000", Decimal("816496580927726.03"), True),
        (f"{SQUARE} * 1.5000", Decimal("816496580927726.04"), False),
        (f"0.5000 * {SQUARE}", Decimal("999999999999999.99"), True),
        (f"{SQUARE} + 0.0001", Decimal("999999999999999.99"), True),
    ],
)
def test_a_constant_operand_near_the_bound_is_judged_alike(
    tmp_path: Path, amount: str, sales: Decimal, computed: bool
) -> None:
    # a product by a rate below one cannot leave the domain once its other operand fits:
    # `score` skips the check there, and must still agree with `evaluate` at the edge
    engine = Engine(_book(tmp_path, "employees >= 0", amount))
    scalar, vector = _both(
        engine, {"annual_sales": sales, "employees": 1, "seriously_dishonest": False}
    )
    assert scalar == vector
    assert (scalar[1] is not None) == computed
