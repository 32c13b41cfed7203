"""The shape of a service hall's application log, read off the rulebook's deadline rules.

A deadline rule is a rule over a list of items (`for_each`) whose amount, or one of its
details, is `add_working_days(<item>.<date>, <parameter>)` and one of whose conditions is
`<item>.<field> == '<kind>'`. Each such rule declares one application kind, the parameter that
limits it in working days, and the quote it is cited by; the rulebook's working-day calendar
counts the days. Another city's rulebook with rules of that form needs no code change.

The body the deadlines bind is the subject kind the rulebook declares with
`role: application_log` under `subjects:` in rulebook.yaml; its results are one per department
of the log. A rulebook with deadline rules and no such kind is refused, naming the file and key.

When the date is only a detail and the amount is the parameter itself, the limit is a budget of
the government's working days (`ApplicationKind.budget`). The applicant's conditions (such as
is_private_enterprise) are facts of the enterprise, not of the log, and are not checked here.

The log itself has the columns `LOG_COLUMNS`: what happened to each application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from subsidy_engine.errors import InputError
from subsidy_engine.lang import ast
from subsidy_engine.rulebook.rulebook import Parameter, Rule, Rulebook
from subsidy_engine.workdays import CALENDAR_GAP_SUFFIX, WorkingDayCalendar

LOG_COLUMNS = ("id", "kind", "applied_on", "completed_on", "department")
"""One row per application; completed_on is empty while it is still open."""

LOG_ROLE = "application_log"
"""The role of the subject kind whose application log the deadline rules are checked over."""

OPTIONAL_COLUMNS = ("paused_working_days",)
"""For a budget kind only: the working days the file was held outside the government's count
(the enterprise's corrections, technical reviews, public notices); empty when not recorded."""


@dataclass(frozen=True, slots=True)
class LimitSpan:
    """The working days allowed to an application accepted from `start` to `end` (inclusive);
    None bounds are open."""

    start: date | None
    end: date | None
    working_days: int


@dataclass(frozen=True, slots=True)
class ApplicationKind:
    name: str
    rule: Rule
    parameter: Parameter
    spans: tuple[LimitSpan, ...]
    """Where the rule is in force and the parameter has a figure; outside them, no limit."""
    budget: bool = False
    """The limit is a budget of the government's own working days (the rule's amount is the
    parameter and the date is only a detail: the day it falls due if every step ran back to
    back). A completion by that date is on time; a later one may still be within the budget,
    since the time the enterprise or others held the file is not counted, and the log does not
    say how long that was."""

    def limit_on(self, applied_on: date) -> int | None:
        """The working days allowed to an application accepted on `applied_on`; None when the
        rule is not in force that day."""
        for span in self.spans:
            if (span.start is None or span.start <= applied_on) and (
                span.end is None or applied_on <= span.end
            ):
                return span.working_days
        return None


@dataclass(frozen=True, slots=True)
class LogShape:
    kinds: tuple[ApplicationKind, ...]
    calendar: WorkingDayCalendar
    subject_kind: str
    """The kind of body the deadlines bind: the one declared with `role: application_log`."""

    def kind(self, name: str) -> ApplicationKind:
        for kind in self.kinds:
            if kind.name == name:
                return kind
        raise KeyError(name)

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(kind.name for kind in self.kinds)

    @property
    def calendar_gap(self) -> str:
        """The name an answer needing a year the calendar lacks gives as its missing fact."""
        return self.calendar.name + CALENDAR_GAP_SUFFIX


def log_shape(rulebook: Rulebook) -> LogShape:
    """The application kinds of `rulebook`'s deadline rules, in rule order.

    Raises InputError when the rulebook has none, when two rules claim one kind, or when a
    deadline parameter has no figure where its rule is in force.
    """
    kinds: dict[str, ApplicationKind] = {}
    for rule in rulebook.rules:
        found = _deadline(rule)
        if found is None:
            continue
        kind_name, parameter_name, budget = found
        if kind_name in kinds:
            other = kinds[kind_name].rule.id
            raise InputError(f"rules {other} and {rule.id} both set the deadline of {kind_name!r}")
        parameter = rulebook.parameters[parameter_name]
        spans = _spans(rule, parameter)
        kinds[kind_name] = ApplicationKind(kind_name, rule, parameter, spans, budget)
    if not kinds:
        raise InputError(
            f"rulebook {rulebook.id} has no deadline rule "
            "(an amount add_working_days(<item>.<date>, <parameter>) with a kind test)"
        )
    return LogShape(tuple(kinds.values()), rulebook.calendar, _log_subject(rulebook))


def _log_subject(rulebook: Rulebook) -> str:
    """The subject kind declared with role application_log (the checker allows one at most)."""
    for kind, subject in rulebook.subjects.items():
        if subject.role == LOG_ROLE:
            return kind
    raise InputError(
        f"{rulebook.path / 'rulebook.yaml'}: subjects: no subject kind has role: {LOG_ROLE}; "
        "declare the kind of body the deadline rules bind (e.g. a service hall) with it"
    )


def _deadline(rule: Rule) -> tuple[str, str, bool] | None:
    """(kind, parameter, whether the limit is a budget) when `rule` is a deadline rule."""
    if rule.for_each is None:
        return None
    quantities = [rule.amount.node, *(q.node for q in rule.details.values())]
    parameters = [p for p in map(_deadline_parameter, quantities) if p is not None]
    if not parameters:
        return None
    kinds = [k for k in (_kind_test(c.node) for c in rule.conditions) if k is not None]
    if len(kinds) != 1:
        raise InputError(
            f"rule {rule.id}: a deadline rule needs exactly one condition "
            f"<item>.<field> == '<kind>', found {len(kinds)}"
        )
    return kinds[0], parameters[0], _deadline_parameter(rule.amount.node) is None


def _deadline_parameter(node: ast.Node | None) -> str | None:
    if not (isinstance(node, ast.Call) and node.func == "add_working_days"):
        return None
    start, count = node.args
    if isinstance(start, ast.ItemFieldRef) and isinstance(count, ast.ParamRef):
        return count.name
    return None


def _kind_test(node: ast.Node) -> str | None:
    if not (isinstance(node, ast.Compare) and node.ops == ("==",)):
        return None
    left, right = node.operands
    if isinstance(right, ast.ItemFieldRef):
        left, right = right, left
    if isinstance(left, ast.ItemFieldRef) and isinstance(right, ast.Literal):
        value = right.value
        return value if isinstance(value, str) else None
    return None


def _spans(rule: Rule, parameter: Parameter) -> tuple[LimitSpan, ...]:
    """The parameter's dated values, cut to the rule's period in force."""
    force = rule.spec.in_force
    spans: list[LimitSpan] = []
    for index, (start, value) in enumerate(parameter.values):
        following = parameter.values[index + 1][0] if index + 1 < len(parameter.values) else None
        end = following - timedelta(days=1) if following is not None else None
        lo = max(d for d in (start, force.from_) if d is not None)
        hi = min((d for d in (end, force.until) if d is not None), default=None)
        if hi is not None and hi < lo:
            continue
        if value is None:
            raise InputError(
                f"parameter {parameter.name} has no figure from {start}, "
                f"where rule {rule.id} needs a number of working days"
            )
        spans.append(LimitSpan(lo, hi, int(value)))
    return tuple(spans)
