"""The printable notice: cash first by amount, with 支持标准, payer, 牵头部门 and the full
quote; then rights and deadlines; then what is still needed, by the facts' Chinese titles;
readings taken; provenance in the footer."""

from datetime import date
from pathlib import Path

from subsidy_engine import Engine, Status
from subsidy_engine.notice import notice_html
from subsidy_engine.profile_files import read_profile

ROOT = Path(__file__).parents[1]
DAY = date(2019, 12, 31)


def _notice(engine: Engine, facts: dict[str, object], language: str = "zh") -> str:
    return notice_html(engine.evaluate(facts, DAY), engine.rulebook, facts, language)


def test_cash_comes_first_largest_first_with_its_standard_and_quote(engine: Engine) -> None:
    facts = read_profile(ROOT / "examples/huairen-ceramics-large.yaml", engine).model_dump(
        exclude_none=True
    )
    page = _notice(engine, facts)
    evaluation = engine.evaluate(facts, DAY)
    cash = [r for r in evaluation.eligible if r.amount.unit == "cash"]
    assert page.index('id="cash"') < page.index('id="rights"') < page.index('id="open"')
    award, refund = page.index("780万元"), page.index("26万元")
    assert page.index('id="cash"') < award < refund < page.index('id="rights"')
    for result in cash:
        for quote in result.citation.quotes:
            assert quote.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "支持标准" in page and "牵头部门" in page and "市级、县级" in page
    assert "怀仁市华晟建筑陶瓷有限公司" in page and "91140681MA0K4D7U2Y" in page
    assert evaluation.provenance.rulebook_sha256[:16] in page


def test_what_is_still_needed_names_the_facts_in_chinese(engine: Engine) -> None:
    page = _notice(engine, {"employees": 30})
    needed = page[page.index('id="open"') :]
    for title in ("国民经济行业代码", "登记注册类型（所有制）", "具备相应行业资质"):
        assert title in needed
    assert "industry_code" not in needed


def test_nothing_named_is_said_so_and_text_is_escaped(engine: Engine) -> None:
    page = _notice(engine, {"name": "<b>甲</b>"})
    assert "&lt;b&gt;甲&lt;/b&gt;" in page and "<b>甲</b>" not in page
    assert "暂未确认资金类支持" in page


def test_the_english_notice(engine: Engine) -> None:
    page = _notice(engine, {"employees": 30, "industry_code": "C3071"}, "en")
    assert "Policy entitlements notice" in page and "More information needed" in page
    assert '<html lang="en">' in page


def test_withdrawn_entitlements_say_by_what(engine: Engine) -> None:
    facts = read_profile(ROOT / "examples/seriously-dishonest.yaml", engine).model_dump(
        exclude_none=True
    )
    evaluation = engine.evaluate(facts, DAY)
    assert evaluation.with_status(Status.EXCLUDED)
    page = _notice(engine, facts)
    assert "被排除的事项" in page and "m27.serious_dishonesty_exclusion" in page
