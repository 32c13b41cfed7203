"""Gaps and what-if comparisons as lines a person reads, in English or Chinese.

In Chinese each fact reads by its title and each value by its label (from `Wording`), each rule
by its Chinese title and measure, statuses through the gettext catalog; English keeps the
terse form with field names and rule ids that analysts script against.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from subsidy_engine.analysis.gap_planner import FactChange
from subsidy_engine.analysis.gaps import Gap, GapReport
from subsidy_engine.analysis.whatif import Comparison, RuleChange
from subsidy_engine.i18n import yuan_text
from subsidy_engine.wording import Wording

_CHECKS = {True: " ✓ checked", False: " ✗ not enough", None: ""}


def gaps_lines(report: GapReport, words: Wording) -> list[str]:
    """What the enterprise could change, what it should supply, what is out of its reach."""
    gettext = words.gettext
    lines = [gettext("Changes within reach, closest first:")]
    for gap in report.within_reach:
        if words.language == "zh":
            check = {True: "（已验证）", False: "（仍不足）", None: ""}[gap.verified]
            lines.append(f"  {_gap_text(gap, words)}{check}")
        else:
            lines.append(f"  {gap} [distance {gap.distance:.3g}]{_CHECKS[gap.verified]}")
    if report.questions:
        lines.append(gettext("Facts to supply, the one that decides the most rules first:"))
        for question in report.questions:
            lines.append(
                "  "
                + gettext("%(fact)s: decides %(count)s rule(s)")
                % {"fact": words.title(question.fact), "count": len(question.decides)}
            )
    if report.out_of_reach:
        lines.append(gettext("Out of reach for this enterprise:"))
        for gap in report.out_of_reach:
            lines.append(f"  {_gap_text(gap, words) if words.language == 'zh' else gap}")
    return lines


def _gap_text(gap: Gap, words: Wording) -> str:
    where = f"{words.gettext('measure %(number)s') % {'number': gap.measure}} {gap.title}"
    if gap.item:
        where += f"（{gap.item.label or gap.item}）"
    if not gap.reachable:
        return f"{where}：{_unreachable_text(gap, words)}"
    what = "；".join(_change_text(c, words) for c in gap.changes)
    if not what:
        what = "需补充：" + "、".join(words.title(f) for f in gap.missing_facts)
    notes = [gap.note] if gap.note else []
    if gap.unspecified_parameters:
        notes.append("以下参数尚未设值：" + "、".join(gap.unspecified_parameters))
    return f"{what} — {where}" + (f"（{'；'.join(notes)}）" if notes else "")


def _unreachable_text(gap: Gap, words: Wording) -> str:
    if gap.history:
        needs = "；".join(_change_text(c, words) for c in gap.history)
        return f"本企业无法达成（所需条件属于企业的历史情况）：{needs}"
    if gap.in_force is not None:
        first, last = gap.in_force
        return f"不在施行期内（施行期：{first or '…'}至{last or '…'}）"
    return gap.note


_RELATIONS = {
    "one of": "须为以下之一：{}",
    "none of": "不得为：{}",
    "starting with": "代码须以 {} 开头",
    "not starting with": "代码不得以 {} 开头",
}


def _change_text(change: FactChange, words: Wording) -> str:
    title = words.title(change.fact)
    if change.relation == "at least one item":
        return f"{title} 须至少填写一项"
    if change.relation in _RELATIONS:
        shown = "、".join(words.value(change.fact, option) for option in change.options)
        return f"{title} {_RELATIONS[change.relation].format(shown)}"
    if change.target is None and change.requirement in ("true", "false"):
        return f"{title} {'须成立' if change.requirement == 'true' else '须不成立'}"
    if change.target is None:
        return f"{title} 须满足 {change.requirement}"
    target = _shown(change, change.target, words)
    if change.current is None:
        return f"{title} → {target}"
    delta = change.delta
    more = f"（{'+' if delta > 0 else ''}{_shown(change, delta, words)}）" if delta else ""
    return f"{title} {_shown(change, change.current, words)} → {target}{more}"


def _shown(change: FactChange, value: Any, words: Wording) -> str:
    if change.money and isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
        sign = "-" if number < 0 else ""
        return sign + yuan_text(abs(number), words.language)
    return words.value(change.fact, value)


def what_if_lines(comparison: Comparison, words: Wording) -> list[str]:
    """Each rule whose result changes: its status and figure before and after, and the
    conditions that flipped, with the values they saw."""
    if not comparison.changes:
        return [words.gettext("No rule's result changes.")]
    lines: list[str] = []
    for change in comparison.changes:
        if words.language == "zh":
            lines += _change_lines_zh(change, words)
        else:
            lines += _change_lines_en(change)
    return lines


def _change_lines_en(change: RuleChange) -> list[str]:
    before = change.before.status if change.before else "—"
    after = change.after.status if change.after else "—"
    delta = change.amount_delta
    figures = [
        "no figure" if a is None else f"{a} yuan"
        for a in (change.amount_before, change.amount_after)
    ]
    money = f", {figures[0]} → {figures[1]} ({delta:+} yuan)" if delta else ""
    lines = [
        f"{change.kind:>7}  {change.rule_id}{' ' + str(change.item) if change.item else ''}:"
        f" {before} → {after}{money}"
    ]
    for flipped in change.flipped:
        lines.append(
            f"           {flipped.name}: {flipped.before} → {flipped.after}  ({flipped.expression})"
        )
    return lines


_KINDS = {"gained": "新增", "lost": "失去", "amount": "金额变化", "status": "状态变化"}
_OUTCOMES = {True: "满足", False: "不满足", None: "待定"}


def _change_lines_zh(change: RuleChange, words: Wording) -> list[str]:
    gettext = words.gettext
    before = gettext(str(change.before.status)) if change.before else "—"
    after = gettext(str(change.after.status)) if change.after else "—"
    title = change.title + (f"（{change.item.label or change.item}）" if change.item else "")
    money = ""
    delta = change.amount_delta
    if delta:
        figures = [
            "无金额" if a is None else yuan_text(a, "zh")
            for a in (change.amount_before, change.amount_after)
        ]
        sign = "+" if delta > 0 else "-"
        money = f"，{figures[0]} → {figures[1]}（{sign}{yuan_text(abs(delta), 'zh')}）"
    lines = [f"{_KINDS.get(change.kind, change.kind)}：{title}：{before} → {after}{money}"]
    for flipped in change.flipped:
        seen = ", ".join(
            f"{words.title(k)}={words.value(k, flipped.values_before.get(k))}"
            f" → {words.value(k, flipped.values_after.get(k))}"
            for k in dict.fromkeys([*flipped.values_before, *flipped.values_after])
        )
        lines.append(
            f"    {flipped.name}：{_OUTCOMES[flipped.before]} → {_OUTCOMES[flipped.after]}"
            + (f"（{seen}）" if seen else "")
        )
    return lines
