"""A rulebook's words for people, in one language: fact titles and the values a trace saw.

The rule language and the JSON speak in field names and enum values (`ownership`, `private`);
a person reads titles and labels (登记注册类型（所有制）, 私营企业), both taken from the rulebook
(`title:` and `labels:` in profile.yaml and derived.yaml). In English a field keeps its name, as
the titles are Chinese; an enum value shows its English label where it has one.

>>> words = Wording.plain("zh")
>>> words.value("in_park", True), words.value("employees", None)
('是', '缺失')
>>> Wording.plain("en").title("projects[0].area")
'projects[0].area'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from subsidy_engine.i18n import translator, yuan_text
from subsidy_engine.lang.numbers import DIVISION_BY_ZERO, OVERFLOW
from subsidy_engine.rulebook.labels import ValueLabels
from subsidy_engine.rulebook.models import ScalarFieldSpec

if TYPE_CHECKING:
    from subsidy_engine.results import ConditionTrace, ItemRef, RuleResult
    from subsidy_engine.rulebook.rulebook import Rulebook


@dataclass(frozen=True, slots=True)
class Wording:
    language: str
    titles: Mapping[str, str] = field(default_factory=dict)
    """Chinese titles by field path (`ownership`, `projects`, `projects.kind`) and of derived
    facts (`sme_size_class`)."""
    labels: ValueLabels = field(default_factory=ValueLabels)
    money: frozenset[str] = frozenset()
    """Field paths holding amounts of yuan, shown as 780万元 in Chinese."""
    items: Mapping[str, str] = field(default_factory=dict)
    """The list each per-item rule's variable runs over (`project` -> `projects`), so that a
    trace's `project.kind` reads as the field `projects.kind`."""

    @classmethod
    def of(cls, rulebook: Rulebook, language: str) -> Wording:
        """The words of `rulebook` in `language` ('zh' or 'en')."""
        translator(language)  # refuses an unknown language here, not at first use
        titles: dict[str, str] = {}
        money: set[str] = set()
        for name, spec in rulebook.profile.spec.fields.items():
            if spec.title:
                titles[name] = spec.title
            if isinstance(spec, ScalarFieldSpec):
                if spec.type == "money":
                    money.add(name)
                continue
            for item, item_spec in (spec.fields or {}).items():
                if item_spec.title:
                    titles[f"{name}.{item}"] = item_spec.title
                if item_spec.type == "money":
                    money.add(f"{name}.{item}")
        derived = rulebook.sources.derived if rulebook.sources else None
        for name, fact in (derived.derived if derived else {}).items():
            if fact.title:
                titles[name] = fact.title
        lists: dict[str, set[str]] = {}
        for rule in rulebook.rules:
            if rule.for_each is not None:
                lists.setdefault(rule.for_each.var, set()).add(rule.for_each.list_field)
        items = {var: next(iter(names)) for var, names in lists.items() if len(names) == 1}
        return cls(language, titles, rulebook.labels, frozenset(money), items)

    @classmethod
    def plain(cls, language: str = "en") -> Wording:
        """Names and values as they are, with only the catalog's words translated."""
        return cls(language)

    def gettext(self, message: str) -> str:
        return translator(self.language).gettext(message)

    def title(self, fact: str) -> str:
        """`projects[0].area` -> `项目（第1项）用地面积` in Chinese; the fact itself in English."""
        if self.language != "zh":
            return fact
        path = self._field(fact)
        head, _, rest = path.partition(".")
        list_name, bracket, index = head.partition("[")
        if bracket and rest:
            number = index.rstrip("]")
            where = f"（第{int(number) + 1}项）" if number.isdigit() else ""
            inner = self.titles.get(f"{list_name}.{rest}", rest)
            return f"{self.titles.get(list_name, list_name)}{where}{inner}"
        return self.titles.get(path, fact)

    def fault(self, fault: str) -> str:
        """An arithmetic fault (`overflow: a * b`, `lang.numbers.fault`) as a person reads it.

        >>> Wording.plain("zh").fault("division_by_zero: a / b")
        '除数为零：a / b'
        """
        kind, _, expression = fault.partition(": ")
        words = {
            OVERFLOW: self.gettext("too large to compute exactly: %(expression)s"),
            DIVISION_BY_ZERO: self.gettext("division by zero: %(expression)s"),
        }
        return words[kind] % {"expression": expression}

    def undecided_by(self, result: RuleResult, language: str | None = None) -> list[str]:
        """What leaves `result` undecided: the facts to supply by their titles, the parameters
        without a figure, and the arithmetic faults, worded in `language` (default: this
        wording's own)."""
        faults = Wording.plain(language).fault if language else self.fault
        return [
            *(self.title(fact) for fact in result.missing_facts),
            *result.missing_parameters,
            *(faults(fault) for fault in result.arithmetic),
        ]

    def value(self, fact: str, value: Any) -> str:
        """A value `fact` took, as a person reads it: 私营企业, 是, 780万元, 缺失."""
        gettext = self.gettext
        if value is None:
            return gettext("missing")
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, list):
            if value and hasattr(value[0], "__dict__"):
                return gettext("[%(count)s items]") % {"count": len(value)}
            if self.language != "zh":
                return str(value)
            return "、".join(self.value(fact, v) for v in value) if value else gettext("none")
        if isinstance(value, Decimal) and self._is_money(fact):
            return yuan_text(value, self.language)
        return self.labels.label(self._field(fact), value, self.language)

    def item(self, item: ItemRef) -> str:
        """An item a per-item result is for: `投资项目（第1项）岩板生产线项目` in Chinese,
        `projects[0] (岩板生产线项目)` in English."""
        if self.language != "zh":
            return str(item)
        where = f"{self.titles.get(item.list_field, item.list_field)}（第{item.index + 1}项）"
        return where + (item.label or "")

    def seen(self, trace: ConditionTrace) -> str:
        """The values a condition saw: `所有制=私营企业, 从业人员（人）=86`."""
        return ", ".join(f"{self.title(k)}={self.value(k, v)}" for k, v in trace.values.items())

    def _field(self, fact: str) -> str:
        """A per-item rule's `project.kind` as the field path `projects.kind`."""
        head, dot, rest = fact.partition(".")
        return f"{self.items[head]}.{rest}" if dot and head in self.items else fact

    def _is_money(self, fact: str) -> bool:
        head, _, rest = self._field(fact).partition(".")
        path = f"{head.partition('[')[0]}.{rest}" if rest else head
        return path in self.money
