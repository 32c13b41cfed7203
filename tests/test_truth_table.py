"""Rule-level semantics, exhaustively, through both backends.

For tiny generated rulebooks — one cash rule with one to three conditions, withdrawn by zero to
two exclusion rules, its amount a fact or a figure the text does not state — every combination
of true / false / unknown for each condition and each excluder is evaluated with
`Engine.evaluate` and scored with `Engine.score`. Both must give exactly what the semantics
(DESIGN.md, "three-valued") say, written out independently below:

* status: ineligible when some condition is false (whatever the others), eligible when all are
  true, else undetermined, naming the facts of its unknown conditions;
* exclusions, for a rule not ineligible: an excluder known true withdraws it (excluded), also
  when some of its own conditions are unknown, for no fact could give it back; an excluder
  unknown makes the rule
  undetermined and adds its facts to the missing ones; the first such excluder is reported;
* amount: determined when its fact is known, unknown (the fact missing) otherwise, unspecified
  when the text states no figure; a decided rule (ineligible, excluded) names no missing fact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from subsidy_engine import Engine
from subsidy_engine.backends.polars.dtypes import dtype_of

AS_OF = date(2019, 6, 1)
TRUTHS = (True, False, None)
AMOUNT = Decimal("1234.56")
SOURCE = "1.扶持企业。符合条件的企业给予奖励;有下列情形之一的,不予奖励。(市财政局牵头负责)\n"


@dataclass(frozen=True)
class Shape:
    conditions: int
    excluders: int
    amount_stated: bool

    @property
    def id(self) -> str:
        stated = "amount" if self.amount_stated else "no-figure"
        return f"{self.conditions}c-{self.excluders}x-{stated}"


SHAPES = [Shape(c, x, stated) for c in (1, 2, 3) for x in (0, 1, 2) for stated in (True, False)]


def _write_rulebook(root: Path, shape: Shape) -> Path:
    root.mkdir(parents=True)
    (root / "measures").mkdir()
    (root / "source.txt").write_text(SOURCE, encoding="utf-8")
    (root / "rulebook.yaml").write_text(
        "id: truth-table\ntitle: 真值表\ntitle_en: Truth table\nissuer: 测试市人民政府\n"
        "published: 2019-01-01\njurisdiction: 测试市\n"
        "measures:\n  - number: 1\n    heading: 扶持企业\n",
        encoding="utf-8",
    )
    names = [f"c{i}" for i in range(1, shape.conditions + 1)]
    names += [f"e{j}" for j in range(1, shape.excluders + 1)]
    fields = "".join(f"  {name}: {{type: bool}}\n" for name in names)
    (root / "profile.yaml").write_text(
        f"fields:\n{fields}  x: {{type: money, unit: yuan}}\n", encoding="utf-8"
    )
    when = "".join(f"      {n}: {n}\n" for n in names if n.startswith("c"))
    value = "value: x, " if shape.amount_stated else ""
    rules = (
        "  - id: m1.award\n    title: 奖励\n    title_en: Award\n"
        "    quote: 符合条件的企业给予奖励\n"
        f"    when:\n{when}"
        f"    amount: {{unit: cash, {value}payer: [city]}}\n"
    )
    for j in range(1, shape.excluders + 1):
        rules += (
            f"  - id: m1.exclusion_{j}\n    title: 不予奖励{j}\n    title_en: Exclusion {j}\n"
            "    kind: exclusion\n    quote: 有下列情形之一的,不予奖励\n"
            f"    when:\n      e{j}: e{j}\n    amount: {{unit: right}}\n"
            "    excludes: {units: [cash], reason: 不予奖励}\n"
        )
    (root / "measures" / "m1.yaml").write_text(
        f"measure: 1\nlead_departments: [市财政局]\nrules:\n{rules}", encoding="utf-8"
    )
    return root


def _expected(
    shape: Shape, conditions: tuple[bool | None, ...], excluders: tuple[bool | None, ...], x: bool
) -> dict[str, Any]:
    """The award's result as the semantics state it."""
    if False in conditions:
        status = "ineligible"
    elif all(c is True for c in conditions):
        status = "eligible"
    else:
        status = "undetermined"
    missing = {f"c{i}" for i, c in enumerate(conditions, 1) if c is None}
    excluded_by = None
    if status != "ineligible":
        certain = [j for j, e in enumerate(excluders, 1) if e is True]
        possible = [j for j, e in enumerate(excluders, 1) if e is None]
        missing |= {f"e{j}" for j in possible}
        if certain:
            status = "excluded"
            excluded_by = f"m1.exclusion_{certain[0]}"
        elif possible:
            status, excluded_by = "undetermined", f"m1.exclusion_{possible[0]}"
    if not shape.amount_stated:
        amount_status, amount = "unspecified", None
    elif x:
        amount_status, amount = "determined", AMOUNT
    else:
        amount_status, amount = "unknown", None
        missing.add("x")
    if status in ("ineligible", "excluded"):
        missing = set()
    return {
        "status": status,
        "missing_facts": sorted(missing),
        "excluded_by": excluded_by,
        "amount_status": amount_status,
        "amount": amount,
    }


def _profiles(shape: Shape) -> list[tuple[tuple[Any, ...], tuple[Any, ...], bool]]:
    return [
        (conditions, excluders, x)
        for conditions in itertools.product(TRUTHS, repeat=shape.conditions)
        for excluders in itertools.product(TRUTHS, repeat=shape.excluders)
        for x in ((True, False) if shape.amount_stated else (True,))
    ]


def _facts(conditions: tuple[Any, ...], excluders: tuple[Any, ...], x: bool) -> dict[str, Any]:
    facts: dict[str, Any] = {f"c{i}": c for i, c in enumerate(conditions, 1)}
    facts |= {f"e{j}": e for j, e in enumerate(excluders, 1)}
    facts["x"] = AMOUNT if x else None
    return facts


@pytest.fixture(scope="module", params=SHAPES, ids=lambda shape: shape.id)
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    shape: Shape = request.param
    engine = Engine(_write_rulebook(tmp_path_factory.mktemp("books") / shape.id, shape))
    return shape, engine


def test_evaluate_follows_the_truth_table(case: tuple[Shape, Engine]) -> None:
    shape, engine = case
    for conditions, excluders, x in _profiles(shape):
        facts = {k: v for k, v in _facts(conditions, excluders, x).items() if v is not None}
        result = engine.evaluate(facts, AS_OF).result("m1.award")
        got = {
            "status": result.status.value,
            "missing_facts": list(result.missing_facts),
            "excluded_by": result.excluded_by.rule_id if result.excluded_by else None,
            "amount_status": result.amount.status.value,
            "amount": result.amount.value,
        }
        assert got == _expected(shape, conditions, excluders, x), (conditions, excluders, x)


def test_score_follows_the_truth_table(case: tuple[Shape, Engine]) -> None:
    shape, engine = case
    profiles = _profiles(shape)
    schema = {name: dtype_of(t) for name, t in engine.rulebook.profile.types.items()}
    table = pl.DataFrame([_facts(*p) for p in profiles], schema=schema)
    scored = engine.score(table, AS_OF, statuses="all")
    assert scored.rows_rejected == 0
    award = scored.results.filter(pl.col("rule_id") == "m1.award").sort("row")
    assert award["row"].to_list() == list(range(len(profiles)))
    for record, (conditions, excluders, x) in zip(
        award.iter_rows(named=True), profiles, strict=True
    ):
        got = {
            "status": str(record["status"]),
            "missing_facts": list(record["missing_facts"]),
            "excluded_by": None if record["excluded_by"] is None else str(record["excluded_by"]),
            "amount_status": str(record["amount_status"]),
            # an undetermined entitlement's figure is its potential amount
            "amount": record["amount"] or record["potential_amount"],
        }
        want = _expected(shape, conditions, excluders, x)
        if want["status"] not in ("eligible", "undetermined"):  # figures only where payable
            want["amount"] = None
        assert got == want, (conditions, excluders, x)


def test_every_outcome_is_reached() -> None:
    """The table is not vacuous: each status, and each amount status, occurs."""
    shape = Shape(2, 2, True)
    outcomes = {
        (e["status"], e["amount_status"], e["excluded_by"] is not None)
        for e in (_expected(shape, *p) for p in _profiles(shape))
    }
    statuses = {status for status, _, _ in outcomes}
    assert statuses == {"eligible", "ineligible", "undetermined", "excluded"}
    assert ("undetermined", "determined", True) in outcomes  # a possible exclusion
    assert ("undetermined", "unknown", True) in outcomes
