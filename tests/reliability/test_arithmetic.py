"""One arithmetic in both backends: integers never wrap, decimals hold 38 digits, a value that
would leave the number domain (or a division by zero) is unknown for that arithmetic fault,
named with the expression and naming no fact the profile gave, in `evaluate` and `score` alike,
and what the domain cannot hold at all is refused by `lint`."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from rich.console import Console

from subsidy_engine import Engine
from subsidy_engine.backends.polars.plan import compile_plan
from subsidy_engine.batch.conformance import compared_columns
from subsidy_engine.cases import run_cases
from subsidy_engine.cli import main
from subsidy_engine.errors import ProfileError, RulebookError
from subsidy_engine.limits import MAX_LIST_ITEMS
from subsidy_engine.money import to_fen
from subsidy_engine.notice import notice_html
from subsidy_engine.report import rich_table
from subsidy_engine.wording import Wording

if TYPE_CHECKING:
    from conftest import TmpFile

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


def _bound_employees(root: Path, least: int, most: int) -> None:
    """Declare `employees` within `least` to `most` in the profile of the book at `root`."""
    profile_file = root / "profile.yaml"
    text = profile_file.read_text(encoding="utf-8")
    text = text.replace(
        "employees: {type: int, min: 0,", f"employees: {{type: int, min: {least}, max: {most},"
    )
    profile_file.write_text(text, encoding="utf-8")


def _leaf_names(engine: Engine) -> set[str | None]:
    """The names of the leaves `score`'s plan allocates (facts, parameters, faults)."""
    return {leaf.name for leaf in compile_plan(engine.rulebook, AS_OF).leaves.all}


def _both(engine: Engine, profile: dict[str, Any]) -> tuple[Any, Any]:
    """(evaluate's, score's) (status, amount, missing facts, arithmetic faults) of the probe
    rule."""
    (one,) = [r for r in engine.evaluate(profile, AS_OF).results if r.rule_id == PROBE]
    scalar = (one.status.value, one.amount.value, sorted(one.missing_facts), list(one.arithmetic))
    columns = compared_columns(engine.rulebook.profile.key)
    table = pl.DataFrame([profile])
    scored = engine.score(table, as_of=AS_OF, statuses="all", columns=columns)
    assert scored.rows_rejected == 0, scored.rejects
    row = scored.results.filter(pl.col("rule_id") == PROBE).row(0, named=True)
    vector = (
        row["status"],
        row["amount"] or row["potential_amount"],
        sorted(row["missing_facts"] or []),
        row["arithmetic"],
    )
    return scalar, vector


def test_an_integer_product_that_would_wrap_is_unknown_in_both(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "employees > 0", "employees * employees * employees"))
    scalar, vector = _both(engine, {"employees": 10_000_000})
    assert scalar == vector
    assert scalar[:2] == ("undetermined", None) and "employees" not in scalar[2]
    assert scalar[3] == ["overflow: employees * employees * employees"]
    small = _both(engine, {"employees": 1000})
    assert small[0] == small[1] and small[0][1] == Decimal("1000000000.00")
    assert small[0][3] == []


def test_a_long_product_in_a_condition_is_unknown_not_ineligible(tmp_path: Path) -> None:
    product = " * ".join(["employees"] * 50)
    engine = Engine(_book(tmp_path, f"{product} > 1", "1000"))
    scalar, vector = _both(engine, {"employees": 10})
    assert scalar == vector
    assert scalar[0] == "undetermined" and "employees" not in scalar[2]
    # the product leaves 64 bits at its 19th factor: 10^19 > 2^63 - 1
    assert scalar[3] == ["overflow: " + " * ".join(["employees"] * 19)]


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
    ("condition", "faulty"),
    [
        (f"max({BIG}, 0.000001) > 0", f"max({BIG}, 0.000001)"),
        (f"min({BIG}, annual_sales / 3) > 1", f"min({BIG}, annual_sales / 3)"),
        (f"({BIG} if employees > 0 else 0.000001) > 0", f"{BIG} if employees > 0 else 0.000001"),
        (f"{BIG} in {{0.000001, 1}}", f"{BIG} in {{0.000001, 1}}"),
        (f"{BIG} not in {{0.000001, 1}}", f"{BIG} not in {{0.000001, 1}}"),
    ],
    ids=["max", "min", "if", "in", "not-in"],
)
def test_values_brought_to_a_finer_scale_leave_the_domain_alike(
    tmp_path: Path, condition: str, faulty: str
) -> None:
    engine = Engine(_book(tmp_path, condition, "1"))
    profile = {"annual_sales": 10**15, "employees": 5, "seriously_dishonest": False}
    scalar, vector = _both(engine, profile)
    assert scalar == vector
    assert scalar[0] == "undetermined" and scalar[2] == []
    assert scalar[3] == [f"overflow: {faulty}"]
    small = _both(engine, {**profile, "annual_sales": 10})  # 10^19 at scale 6: 25 digits
    assert small[0][0] == small[1][0] != "undetermined"
    assert small[0][2:] == small[1][2:] == ([], [])


def test_a_conditional_is_judged_by_the_branch_it_takes(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "employees >= 0", f"{BIG} if employees > 10 else 0.000001"))
    profile = {"annual_sales": 10**15, "seriously_dishonest": False}
    taken = _both(engine, {**profile, "employees": 11})
    fault = f"overflow: {BIG} if employees > 10 else 0.000001"
    assert taken[0] == taken[1] == ("eligible", None, [], [fault])
    other = _both(engine, {**profile, "employees": 10})
    assert other[0] == ("eligible", Decimal("0.00"), [], [])
    assert other[1][::2] == ("eligible", [])  # (_both reads a zero amount as absent)
    assert other[1][3] == []


EXTREMES = Path(__file__).parents[1] / "batch" / "fixtures" / "extremes"


@pytest.mark.parametrize(
    ("counts", "years", "expected"),
    [
        ([10**18] * 9 + [223_372_036_854_775_807], [], ("eligible", Decimal(2**63 - 1))),
        ([10**18] * 9 + [223_372_036_854_775_808], [], ("undetermined", None)),
        ([10**18] * 10, [], ("undetermined", None)),
        ([-(10**18)] * 10 + [10**18] * 10, [], ("ineligible", Decimal(0))),
        # as many of the latest years as a list may hold: a total the bounds prove in range
        ([1001], [2200] * MAX_LIST_ITEMS, ("eligible", Decimal(1001 + 2200 * MAX_LIST_ITEMS))),
    ],
)
def test_a_total_of_integers_does_not_wrap(
    counts: list[int], years: list[int], expected: tuple[str, Decimal | None]
) -> None:
    engine = Engine(EXTREMES)
    profile = {"counts": counts, "above_scale_years": years, "seriously_dishonest": False}
    (one,) = [r for r in engine.evaluate(profile, AS_OF).results if r.rule_id == "m1.total"]
    columns = compared_columns(engine.rulebook.profile.key)
    table = pl.DataFrame([profile])
    scored = engine.score(table, as_of=AS_OF, statuses="all", columns=columns)
    row = scored.results.filter(pl.col("rule_id") == "m1.total").row(0, named=True)
    assert (one.status.value, one.amount.value) == expected
    assert row["status"] == expected[0]
    if expected[0] == "eligible":
        assert row["amount"] == expected[1]
    assert list(one.missing_facts) == row["missing_facts"] == []
    faults = ["overflow: sum(counts)"] if expected[0] == "undetermined" else []
    assert list(one.arithmetic) == row["arithmetic"] == faults


def test_a_total_is_checked_only_where_its_items_may_carry_it_out_of_range() -> None:
    # counts: integers within 10^18 each, whose total may pass 2^63; years: at most 2200
    leaves = _leaf_names(Engine(EXTREMES))
    assert "overflow: sum(counts)" in leaves
    assert "overflow: sum(above_scale_years)" not in leaves


def test_the_arithmetic_cases_pass_in_both_backends() -> None:
    """The fixture's YAML cases of division by zero and overflow, through `evaluate` and
    `score`, each held to the case and to the other backend."""
    outcomes = list(run_cases(Engine(EXTREMES)))
    arithmetic = [o for o in outcomes if o.file == "tests/arithmetic.yaml"]
    assert len(arithmetic) >= 6
    assert all(o.passed for o in outcomes), [o for o in outcomes if not o.passed]


def test_a_division_by_zero_names_the_division_not_the_facts_it_read(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "annual_sales / (employees - employees) > 1", "1000"))
    given = {"annual_sales": 5, "employees": 10, "seriously_dishonest": False}
    scalar, vector = _both(engine, given)
    assert scalar == vector
    assert scalar[2:] == ([], ["division_by_zero: annual_sales / (employees - employees)"])
    lacking = _both(engine, {**given, "annual_sales": None})
    assert lacking[0] == lacking[1]
    assert lacking[0][2:] == (["annual_sales"], [])  # a missing fact stays a missing fact
    (zero,) = [
        r for r in engine.evaluate({**given, "employees": 0}, AS_OF).results if r.rule_id == PROBE
    ]
    fault = "division_by_zero: annual_sales / (employees - employees)"
    assert zero.arithmetic == (fault,)
    (trace,) = zero.conditions
    assert (trace.outcome, trace.arithmetic) == (None, (fault,))
    assert trace.values == {"annual_sales": Decimal(5), "employees": 0}


def test_every_view_names_the_fault_that_left_a_result_undetermined(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "annual_sales / (employees - employees) > 1", "1000"))
    profile = {"annual_sales": 5, "employees": 10, "seriously_dishonest": False}
    evaluation = engine.evaluate(profile, AS_OF)
    expression = "annual_sales / (employees - employees)"
    chinese = f"除数为零：{expression}"
    console = Console(record=True, width=400)
    console.print(rich_table(evaluation, language="zh", wording=Wording.of(engine.rulebook, "zh")))
    assert chinese in console.export_text()
    escaped = expression.replace("_", "\\_")  # Markdown shows the underscores as written
    assert f"division by zero: {escaped}" in evaluation.to_markdown()
    assert f"除数为零：{escaped}" in evaluation.to_markdown("zh", engine.rulebook)
    assert chinese in evaluation.to_html("zh", engine.rulebook)
    assert chinese in notice_html(evaluation, engine.rulebook, profile, "zh")


def test_the_amount_and_the_trace_show_the_fault(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "employees * employees > 0", "annual_sales / (employees - 1)"))
    given = {"annual_sales": 5, "employees": 0, "seriously_dishonest": False}
    (one,) = [r for r in engine.evaluate(given, AS_OF).results if r.rule_id == PROBE]
    assert one.status.value == "ineligible" and one.arithmetic == ()
    assert [c.arithmetic for c in one.conditions] == [()]
    by_zero = "division_by_zero: annual_sales / (employees - 1)"
    scalar, vector = _both(engine, {**given, "employees": 1})
    assert scalar == vector == ("eligible", None, [], [by_zero])
    (paid,) = [
        r for r in engine.evaluate({**given, "employees": 1}, AS_OF).results if r.rule_id == PROBE
    ]
    assert paid.amount.status.value == "unknown" and paid.arithmetic == (by_zero,)
    assert [c.arithmetic for c in paid.conditions] == [()]
    big = {**given, "employees": 4_000_000_000}  # its square leaves 64 bits
    (two,) = [r for r in engine.evaluate(big, AS_OF).results if r.rule_id == PROBE]
    assert (two.status.value, two.amount.status.value) == ("undetermined", "determined")
    assert two.arithmetic == ("overflow: employees * employees",)
    assert [c.arithmetic for c in two.conditions] == [("overflow: employees * employees",)]
    written = json.loads(engine.evaluate(big, AS_OF).to_json())
    (shown,) = [r for r in written["results"] if r["rule"]["id"] == PROBE]
    assert shown["arithmetic"] == ["overflow: employees * employees"]
    assert shown["conditions"][0]["arithmetic"] == ["overflow: employees * employees"]


@pytest.mark.parametrize("years", [7_980, 7_981, 10_000_000])
def test_a_date_shifted_past_year_9999_is_an_overflow_in_both(tmp_path: Path, years: int) -> None:
    engine = Engine(_book(tmp_path, "add_years(as_of, employees) > as_of", "1000"))
    scalar, vector = _both(engine, {"employees": years, "seriously_dishonest": False})
    assert scalar == vector
    if years == 7_980:  # 2019-12-31 + 7980 years is 9999-12-31
        assert scalar == ("eligible", Decimal("1000.00"), [], [])
    else:
        fault = "overflow: add_years(as_of, employees)"
        assert scalar == ("undetermined", Decimal("1000.00"), [], [fault])


@pytest.mark.parametrize(
    ("least", "most", "edge", "checked"),
    [
        (0, 7_980, 7_980, False),
        (0, 7_981, 7_981, True),
        (-2_018, 0, -2_018, False),
        (-2_019, 0, -2_019, True),
    ],
)
def test_a_date_shift_the_field_bounds_keep_within_the_calendar_agrees_at_the_edge(
    tmp_path: Path, least: int, most: int, edge: int, checked: bool
) -> None:
    # 2019-12-31 shifted by -2018 to 7980 years stays within years 1 to 9999: with the bounds
    # declared inside that span, no accepted value can leave it, so `score` reads no fault
    root = _book(tmp_path, "add_years(as_of, employees) > date('0001-01-01')", "1000")
    _bound_employees(root, least, most)
    engine = Engine(root)
    fault = "overflow: add_years(as_of, employees)"
    assert (fault in _leaf_names(engine)) is checked
    scalar, vector = _both(engine, {"employees": edge, "seriously_dishonest": False})
    assert scalar == vector
    if checked:
        assert scalar == ("undetermined", Decimal("1000.00"), [], [fault])
    else:
        assert scalar == ("eligible", Decimal("1000.00"), [], [])


@pytest.mark.parametrize("employees", [0, 1])
def test_a_conditional_whose_branches_stay_in_the_domain_names_no_fault(
    tmp_path: Path, employees: int
) -> None:
    # half of any money amount, and a literal, both fit the conditional's type: no branch can
    # leave the number domain, so no fault of the conditional is ever named
    amount = "annual_sales * 0.5 if employees > 0 else 0.25"
    engine = Engine(_book(tmp_path, "employees >= 0", amount))
    assert f"overflow: {amount}" not in _leaf_names(engine)
    sales = Decimal("999999999999999.99")
    profile = {"annual_sales": sales, "employees": employees, "seriously_dishonest": False}
    scalar, vector = _both(engine, profile)
    assert scalar == vector
    paid = to_fen(sales * Decimal("0.5")) if employees else Decimal("0.25")
    assert scalar == ("eligible", paid, [], [])


def test_the_report_lists_the_fault_among_what_would_decide(tmp_path: Path) -> None:
    engine = Engine(_book(tmp_path, "annual_sales / (employees - 1) > 0", "1"))
    profile = {"annual_sales": 5, "employees": 1, "seriously_dishonest": False}
    report = engine.evaluate(profile, AS_OF).to_markdown()
    (line,) = [line for line in report.splitlines() if line.startswith("- probe")]
    assert "division" in line and "(employees - 1)" in line
    decided = engine.evaluate({**profile, "employees": 2}, AS_OF).to_markdown()
    assert "division" not in decided


def test_the_score_command_writes_the_faults_in_their_column(
    tmp_path: Path, tmp_file: TmpFile
) -> None:
    registry = tmp_file(
        "reg.csv",
        "credit_code,annual_sales,employees,share,seriously_dishonest\n"
        "91350100M000100Y43,50000000,10,0.5,false\n"
        "91350100M000100Y43,50000000,11,0.5,false\n",
    )
    out = tmp_path / "out.parquet"
    columns = "row,rule_id,status,missing_facts,arithmetic"
    argv = [
        "score",
        str(registry),
        "-o",
        str(out),
        "--rulebook",
        str(EXTREMES),
        "--min-fields",
        "0",
    ]
    assert main([*argv, "--as-of", "2019-12-31", "--columns", columns]) == 0
    written = pl.read_parquet(out).filter(pl.col("rule_id") == "m1.quotient")
    assert written.columns == columns.split(",")
    assert written.rows() == [
        (
            0,
            "m1.quotient",
            "undetermined",
            [],
            ["division_by_zero: annual_sales / (employees - 10)"],
        ),
        (1, "m1.quotient", "eligible", [], []),
    ]


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


CUBE = "employees * employees * employees"
CUBE_ROOT = 2_097_151
"""The largest number whose cube fits 64 bits."""


@pytest.mark.parametrize("declared", [True, False], ids=["bounded-field", "kind-default"])
def test_a_product_the_field_bounds_prove_safe_agrees_at_the_edge(
    tmp_path: Path, declared: bool
) -> None:
    # with `max: CUBE_ROOT` declared, no accepted value can make the cube overflow, so `score`
    # computes it unchecked; without it, the cube is checked; each side of the edge must come
    # out the same in both backends either way
    root = _book(tmp_path, "employees >= 0", CUBE)
    if declared:
        _bound_employees(root, 0, CUBE_ROOT)
    engine = Engine(root)
    fault = f"overflow: {CUBE}"
    assert (fault in _leaf_names(engine)) is not declared
    base = {"seriously_dishonest": False}
    inside = _both(engine, {**base, "employees": CUBE_ROOT})
    assert inside[0] == inside[1] == ("eligible", Decimal(CUBE_ROOT**3), [], [])
    past = {**base, "employees": CUBE_ROOT + 1}
    if declared:
        with pytest.raises(ProfileError, match=f"less than or equal to {CUBE_ROOT}"):
            engine.evaluate(past, AS_OF)
        scored = engine.score(pl.DataFrame([past]), as_of=AS_OF)
        assert (scored.rows_scored, scored.rows_rejected) == (0, 1)
    else:
        scalar, vector = _both(engine, past)
        assert scalar == vector == ("eligible", None, [], [fault])
