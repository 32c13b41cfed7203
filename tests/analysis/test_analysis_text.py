"""Gaps and what-if read in Chinese with --lang zh: facts by their titles, values by their
labels, rules by their titles and measures; English stays the analysts' terse form."""

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).parents[2]
HUAIREN = str(ROOT / "examples" / "huairen-ceramics-large.yaml")
LOGISTICS = str(ROOT / "examples" / "small-logistics-firm.yaml")
Cli = Callable[..., tuple[int, str, str]]
"""The `cli` fixture: (*args, stdin="") -> (exit code, out, err)."""


def _run(cli: Cli, *args: str) -> str:
    code, out, _ = cli(*args)
    assert code == 0
    return out


def _what_if(cli: Cli, assignment: str, *options: str) -> str:
    """The large ceramics firm at the end of 2019 with one fact set otherwise."""
    return _run(cli, "what-if", HUAIREN, "--as-of", "2019-12-31", "--set", assignment, *options)


def test_what_if_in_chinese(cli: Cli) -> None:
    out = _what_if(cli, "employees=480", "--lang", "zh")
    assert (
        "失去：年销售收入5000万元、就业岗位500个以上陶瓷企业银行贷款贴息：可申报 → 暂不符合" in out
    )
    assert "jobs：满足 → 不满足（从业人员（人）=1200 → 480" in out
    # a derived fact's enum values by their labels: 480 staff make the firm medium-sized
    assert "企业规模（2011年划型标准）=大型 → 中型" in out
    assert "eligible" not in out and "lost" not in out


def test_what_if_in_english_keeps_ids_and_values(cli: Cli) -> None:
    out = _what_if(cli, "employees=480")
    assert "   lost  m25.ceramic_loan_interest_subsidy: eligible → ineligible" in out


def test_no_change_is_said_in_chinese(cli: Cli) -> None:
    out = _what_if(cli, "employees=1200", "--lang", "zh")
    assert out.strip() == "没有政策的结果发生变化。"


def test_gaps_in_chinese(cli: Cli) -> None:
    out = _run(cli, "gaps", LOGISTICS, "--as-of", "2019-12-31", "--lang", "zh")
    lines = out.splitlines()
    assert lines[0] == "可以达成的变化（由近及远）："
    # an item's enum field by its titles and both values by their labels
    assert any(
        "政务服务申请（第1项）事项类别 不动产查封、抵押、注销登记 → 新开办企业 — 第6条" in line
        for line in lines
    )
    assert "政府性工程拖欠款项 0.00元 → 0.01元（+0.01元）" in out
    assert "Changes within reach" not in out and "service_applications[0]" not in out


def test_gaps_in_english_are_unchanged(cli: Cli) -> None:
    out = _run(cli, "gaps", LOGISTICS, "--as-of", "2019-12-31")
    assert out.splitlines()[0] == "Changes within reach, closest first:"
    assert "service_applications[0].kind" in out


def test_gaps_in_chinese_say_every_requirement_in_chinese(
    cli: Cli,
) -> None:
    out = _run(cli, "gaps", LOGISTICS, "--as-of", "2019-12-31", "--lang", "zh")
    assert "投资项目（第1项）项目类型 须为以下之一：教育、医疗卫生、养老" in out
    assert "国民经济行业代码 代码须以 C307 开头" in out
    assert "参加展销活动 须至少填写一项" in out
    assert "本企业无法达成（所需条件属于企业的历史情况）：获得奖项 须至少填写一项" in out
    for english in ("one of", "at least one item", "starting with", "out of reach", "须满足"):
        assert english not in out
    later = _run(cli, "gaps", LOGISTICS, "--as-of", "2030-12-31", "--lang", "zh")
    assert "不在施行期内（施行期：2018-12-10至2020-04-30）" in later
    assert "in force" not in later
