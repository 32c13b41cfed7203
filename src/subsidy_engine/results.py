"""What an evaluation returns: one `RuleResult` per rule (or per item), with its citation.

Results are slotted dataclasses, built fast during evaluation and serialised through pydantic
(`Evaluation.to_json`, `Evaluation.from_json`; the JSON Schema is in `schemas/`). An evaluation,
its results, their amounts and its totals are not frozen, because a frozen dataclass costs
several times more to build, but treat them as read-only:
the parts describing a rule (`RuleInfo`, `Citation`) are shared by every result of that rule.
Amounts are `Decimal` yuan, already rounded to the fen: rounding happens once, when a result is
made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

from pydantic import GetCoreSchemaHandler, TypeAdapter
from pydantic_core import core_schema

from subsidy_engine.rulebook.models import Payer, Unit
from subsidy_engine.tables import Tabular

if TYPE_CHECKING:
    import polars as pl

    from subsidy_engine.rulebook.rulebook import Rulebook

T = TypeVar("T")
_new = object.__new__


class Status(StrEnum):
    ELIGIBLE = "eligible"
    """Every condition holds."""
    INELIGIBLE = "ineligible"
    """Some condition fails (whatever the others are)."""
    UNDETERMINED = "undetermined"
    """No condition fails but some cannot be decided: `missing_facts` says what would (and
    `arithmetic` names an overflow or a division by zero that left one undecided)."""
    NOT_IN_FORCE = "not_in_force"
    """The rule is not in force on the `as_of` date."""
    EXCLUDED = "excluded"
    """Qualifies, but an exclusion rule withdraws it: see `excluded_by`."""
    ENDED = "ended"
    """Qualified for a period that ended before the `as_of` date: the amount is its last day.
    Not a live entitlement."""


class AmountStatus(StrEnum):
    DETERMINED = "determined"
    UNSPECIFIED = "unspecified"
    """The text gives no figure (or a parameter is unset): see `unspecified_parameters`."""
    UNKNOWN = "unknown"
    """The figure depends on facts the profile lacks (see the rule's `missing_facts`), or its
    arithmetic left the number domain (see the rule's `arithmetic`)."""
    NONE = "none"
    """A right or treatment that has no figure."""


@dataclass(frozen=True, slots=True)
class Citation:
    document: str
    document_number: str | None
    measure: int
    heading: str
    quotes: tuple[str, ...]
    lead_departments: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.document} 第{self.measure}条 {self.heading}"


@dataclass(slots=True)
class ConditionTrace:
    name: str
    expression: str
    outcome: bool | None
    """True, False, or None when unknown."""
    values: dict[str, Any]
    """The facts and parameters the condition read, with the values it saw (None: missing)."""
    arithmetic: tuple[str, ...] = ()
    """For an unknown outcome: the arithmetic faults (an overflow, a division by zero) that left
    it unknown, each with the expression's text."""


class LazyTuple(Sequence[T]):
    """A tuple written out by `_write()` when first read, then kept.

    Evaluation decides what a result needs cheaply and leaves the rest (the values each condition
    saw, the totals by payer) to be written out only for callers that read them. Each subclass
    names what it keeps until then (its own slots, set by its `pending` constructor) and how to
    write itself out from them (`_write`).
    """

    __slots__ = ("_items",)
    _item_type: ClassVar[type]

    def __init__(self, items: Iterable[T]) -> None:
        self._items: tuple[T, ...] | None = tuple(items)

    def _write(self) -> tuple[T, ...]:
        raise NotImplementedError  # only a pending one (made by a subclass's `pending`) writes

    def _all(self) -> tuple[T, ...]:
        items = self._items
        if items is None:
            items = self._items = self._write()
        return items

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyTuple):
            return self._all() == other._all()
        return isinstance(other, tuple | list) and list(self._all()) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._all())!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        items = core_schema.list_schema(handler.generate_schema(cls._item_type))
        return core_schema.no_info_after_validator_function(
            cls,
            items,
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=items
            ),
        )


class ConditionTraces(LazyTuple[ConditionTrace]):
    """The trace of a rule's conditions, in order.

    Each condition's outcome is decided during evaluation; the values it saw are read from the
    (immutable) profile and its derived facts when the trace is first looked at or serialised,
    which keeps evaluation cheap for callers that only need statuses and amounts. A pending one
    is `pending(write, outcomes, frame)`: its outcomes are known without writing it out.
    """

    __slots__ = ("_frame", "_outcomes", "_writer")
    _item_type = ConditionTrace
    _writer: Callable[[list[bool | None], Any], tuple[ConditionTrace, ...]]
    _outcomes: list[bool | None]
    _frame: Any

    @classmethod
    def pending(
        cls,
        writer: Callable[[list[bool | None], Any], tuple[ConditionTrace, ...]],
        outcomes: list[bool | None],
        frame: Any,
    ) -> Self:
        """The traces `writer(outcomes, frame)` will write out when first read."""
        lazy = _new(cls)
        lazy._items, lazy._writer, lazy._outcomes, lazy._frame = None, writer, outcomes, frame
        return lazy

    def _write(self) -> tuple[ConditionTrace, ...]:
        items = self._writer(self._outcomes, self._frame)
        del self._writer, self._frame  # the profile is no longer held
        return items

    @property
    def outcomes(self) -> tuple[bool | None, ...]:
        """Each condition's outcome, without writing out the traces."""
        if self._items is not None:
            return tuple(t.outcome for t in self._items)
        return tuple(self._outcomes)

    def __len__(self) -> int:
        return len(self._outcomes) if self._items is None else len(self._items)


@dataclass(slots=True)
class Amount:
    unit: Unit
    status: AmountStatus
    value: Decimal | date | None = None
    payer: tuple[Payer, ...] = ()
    basis: str | None = None
    label: str | None = None
    unspecified_parameters: tuple[str, ...] = ()


@dataclass(slots=True)
class ItemRef:
    list_field: str
    index: int
    label: str | None = None

    def __str__(self) -> str:
        where = f"{self.list_field}[{self.index}]"
        return f"{where} ({self.label})" if self.label else where


@dataclass(frozen=True, slots=True)
class ExclusionRef:
    rule_id: str
    reason: str
    citation: Citation
    certain: bool
    """False when the exclusion itself is undetermined (then the result is undetermined too)."""


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class Reading:
    """The reading a result used where the text admits several: the parameter choosing it, the
    reading's name and its gloss, and the names of the others."""

    parameter: str
    name: str | None
    """None when the parameter has no value on the `as_of` date."""
    gloss: str | None
    alternatives: tuple[str, ...] = ()
    gloss_zh: str | None = None
    """The gloss in Chinese, where the rulebook gives one."""

    def __str__(self) -> str:
        return f"{self.parameter}={self.name or 'unset'}"


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a result's rule is: shared by every result of the rule."""

    id: str
    title: str
    title_en: str
    kind: str
    citation: Citation
    in_force: Period
    interpretation: str | None = None
    readings: tuple[Reading, ...] = ()
    """The readings of the text the rule depends on, as chosen on the `as_of` date."""
    interpretation_zh: str | None = None
    """The interpretation in Chinese."""

    def interpretation_in(self, language: str) -> str | None:
        """The interpretation in `language`; in Chinese, the English where none is written."""
        if language == "zh":
            return self.interpretation_zh or self.interpretation
        return self.interpretation


@dataclass(slots=True)
class RuleResult:
    rule: RuleInfo
    status: Status
    amount: Amount
    conditions: ConditionTraces
    """Every condition of the rule, in order, with its outcome and the values it saw."""
    missing_facts: tuple[str, ...] = ()
    """The profile facts that would decide an undetermined result (or an unknown amount)."""
    missing_parameters: tuple[str, ...] = ()
    """Parameters without a value in force that a condition needed."""
    item: ItemRef | None = None
    details: dict[str, Amount] | None = None
    excluded_by: ExclusionRef | None = None
    arithmetic: tuple[str, ...] = ()
    """The arithmetic faults that left the result (or its amount) undetermined, each with the
    expression's text: `"division_by_zero: annual_sales / employees"`, `"overflow: …"`."""

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def citation(self) -> Citation:
        return self.rule.citation

    @property
    def readings(self) -> tuple[Reading, ...]:
        """The readings of the text this result used (`parameter=reading`)."""
        return self.rule.readings


@dataclass(slots=True)
class PayerTotal:
    payer: str
    """A payer level, or levels joined by '+' where the text names several together."""
    amount: Decimal
    counted: int
    """Entitlements whose figure is in `amount`."""
    unspecified: int
    """Eligible cash entitlements left out because their figure is unspecified or unknown."""


class PayerTotals(LazyTuple[PayerTotal]):
    """An evaluation's totals by payer, in payer order, summed when first read."""

    __slots__ = ("_adder", "_keys", "_results")
    _item_type = PayerTotal
    _adder: Callable[[dict[str, str], tuple[RuleResult, ...]], tuple[PayerTotal, ...]]
    _keys: dict[str, str]
    _results: tuple[RuleResult, ...]

    @classmethod
    def pending(
        cls,
        adder: Callable[[dict[str, str], tuple[RuleResult, ...]], tuple[PayerTotal, ...]],
        keys: dict[str, str],
        results: tuple[RuleResult, ...],
    ) -> Self:
        """The totals `adder(keys, results)` will sum when first read (`keys`: each counted
        rule's payer key, by rule id)."""
        lazy = _new(cls)
        lazy._items, lazy._adder, lazy._keys, lazy._results = None, adder, keys, results
        return lazy

    def _write(self) -> tuple[PayerTotal, ...]:
        items = self._adder(self._keys, self._results)
        del self._adder, self._keys, self._results
        return items


@dataclass(frozen=True, slots=True)
class Provenance:
    rulebook_id: str
    rulebook_sha256: str
    engine_version: str
    as_of: date
    reform: str | None = None


@dataclass(slots=True)
class Evaluation(Tabular):
    profile_key: str | None
    provenance: Provenance
    results: tuple[RuleResult, ...]
    totals: PayerTotals

    def __iter__(self) -> Iterator[RuleResult]:
        return iter(self.results)

    def with_status(self, *statuses: Status) -> list[RuleResult]:
        return [r for r in self.results if r.status in statuses]

    @property
    def eligible(self) -> list[RuleResult]:
        return self.with_status(Status.ELIGIBLE)

    @property
    def undetermined(self) -> list[RuleResult]:
        return self.with_status(Status.UNDETERMINED)

    def result(self, rule_id: str, item: int | None = None) -> RuleResult:
        """The result of one rule (and item, for per-item rules); KeyError if absent."""
        for candidate in self.results:
            index = candidate.item.index if candidate.item else None
            if candidate.rule_id == rule_id and (item is None or index == item):
                return candidate
        raise KeyError(rule_id if item is None else f"{rule_id}[{item}]")

    def to_json(
        self,
        *,
        indent: int | None = None,
        statuses: Iterable[str] | None = None,
        citations: str = "full",
        traces: bool = True,
    ) -> str:
        """JSON text; `statuses` keeps only those results, `citations="ref"` lists each rule
        once in a `rules` table (`"id"`: rule ids only), `traces=False` leaves out the
        condition traces; InputError over `limits.MAX_JSON_RESULTS` results (`to_polars()`
        holds any number)."""
        from subsidy_engine.limits import check_json_size

        check_json_size(len(self.results))
        if statuses is None and citations == "full" and traces:
            return _adapter().dump_json(self, indent=indent).decode()
        from pydantic_core import to_json

        from subsidy_engine.views import evaluation_view

        view = evaluation_view(self, statuses=statuses, citations=citations, traces=traces)
        return to_json(view, indent=indent).decode()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _adapter().dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, text: str | bytes) -> Evaluation:
        return _adapter().validate_json(text)

    def to_polars(self) -> pl.DataFrame:
        from subsidy_engine.optional import require
        from subsidy_engine.report import evaluation_frame

        require("polars", extra="batch")
        return evaluation_frame(self)

    def to_markdown(self, language: str = "en", rulebook: Rulebook | None = None) -> str:
        """A report for a person, in `language` ('en' or 'zh'); given the `rulebook` the
        evaluation came from, facts read by their titles and enum values by their labels."""
        from subsidy_engine.report import markdown
        from subsidy_engine.wording import Wording

        return markdown(
            self, Wording.of(rulebook, language) if rulebook else Wording.plain(language)
        )

    def to_html(self, language: str = "en", rulebook: Rulebook | None = None) -> str:
        """The results as an HTML table, in `language`, with `rulebook`'s titles if given."""
        from subsidy_engine.report import html
        from subsidy_engine.wording import Wording

        return html(self, Wording.of(rulebook, language) if rulebook else Wording.plain(language))

    def _repr_html_(self) -> str:
        return self.to_html()


@cache
def _adapter() -> TypeAdapter[Evaluation]:
    return TypeAdapter(Evaluation)
