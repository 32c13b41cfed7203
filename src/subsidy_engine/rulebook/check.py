"""Validated rulebook files -> `Rulebook`: every expression parsed and type-checked.

Checks made here, each a diagnostic with file, line, column and rule id: names unique across
fields, derived facts and parameters; derived facts free of cycles; every expression well typed;
every quote, basis and lead department verbatim in the source text; every rule's measure in the
manifest; every per-item rule with dated items bounded by one of them or saying why not;
every measure either encoded or marked government-only; rule ids unique.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from subsidy_engine.errors import (
    Diagnostic,
    ErrorCode,
    ExpressionError,
    InputError,
    RulebookError,
    Span,
    did_you_mean,
)
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.checker import AS_OF, Scope, check, literal_type
from subsidy_engine.lang.functions import FUNCTIONS
from subsidy_engine.lang.numbers import scale_problems
from subsidy_engine.lang.parser import parse
from subsidy_engine.lang.unparse import unparse
from subsidy_engine.money import exact_decimal
from subsidy_engine.profile import build_profile_schema, profile_types
from subsidy_engine.results import Citation
from subsidy_engine.rulebook.bounds import BOUND_CONDITION, bound_condition
from subsidy_engine.rulebook.figures import parameter_value
from subsidy_engine.rulebook.labels import (
    derived_label_problems,
    profile_label_problems,
    value_labels,
)
from subsidy_engine.rulebook.models import (
    DerivedSpec,
    ListFieldSpec,
    MeasureSpec,
    ParameterSpec,
    QuantitySpec,
    RuleFile,
    RuleSpec,
)
from subsidy_engine.rulebook.obligation_check import check_obligations, check_subjects
from subsidy_engine.rulebook.readings import reading_problems, reading_type, rule_readings
from subsidy_engine.rulebook.rulebook import (
    Condition,
    DerivedFact,
    ForEach,
    ItemCheck,
    Parameter,
    Quantity,
    Rule,
    Rulebook,
)
from subsidy_engine.rulebook.sources import Sources, measure_label, with_measures
from subsidy_engine.workdays import WorkingDayCalendar

YamlPath = Sequence[Any]
"""Keys and indexes into a YAML document (keys may be dates, as in dated values)."""


def check_rulebook(sources: Sources) -> Rulebook:
    """Type-check everything in `sources`; raise RulebookError listing every problem."""
    return _Checker(sources).run()


class _Checker:
    def __init__(self, sources: Sources) -> None:
        self.src = sources
        self.problems: list[Diagnostic] = []
        self.field_types, self.records = profile_types(sources.profile)
        self.quoted: str | None = None
        """Another text quotes may come from (a reform's own wording, for the rules it adds)."""
        self.broken: set[str] = set()
        """Derived facts already reported as wrong; expressions using them are not re-reported."""

    def citation(
        self, measure: MeasureSpec, quotes: Sequence[str], lead_departments: Sequence[str]
    ) -> Citation:
        """Where a rule or an obligation of `measure` stands in the policy document."""
        manifest = self.src.manifest
        return Citation(
            document=manifest.title,
            document_number=manifest.document_number,
            measure=measure.number,
            heading=measure.heading,
            quotes=tuple(quotes),
            lead_departments=tuple(lead_departments),
        )

    # Reporting --------------------------------------------------------------------------------

    def report(
        self,
        rel: str,
        code: ErrorCode,
        message: str,
        path: YamlPath,
        *,
        rule_id: str | None = None,
        hint: str | None = None,
        at_key: bool = False,
    ) -> None:
        document = self.src.documents.get(rel)
        if document is None:
            self.problems.append(Diagnostic(code, message, Span(rel, 1, 1), rule_id, hint=hint))
            return
        self.problems.append(
            document.diagnostic(
                code, message, list(path), rule_id=rule_id, hint=hint, at_key=at_key
            )
        )

    def with_measures(self, problems: list[Diagnostic]) -> list[Diagnostic]:
        """Each rule's diagnostics with the measure the rule encodes."""
        labels: dict[str, str] = {}
        for source in self.src.rule_files.values():
            label = measure_label(source.model.measure, self.src.manifest)
            for spec in source.model.rules:
                labels.setdefault(spec.id, label)
        for duties in self.src.obligation_files.values():
            label = measure_label(duties.measure, self.src.manifest)
            for duty in duties.obligations:
                labels.setdefault(duty.id, label)
        return with_measures(problems, labels)

    def expression(
        self,
        rel: str,
        path: YamlPath,
        text: object,
        scope: Scope,
        expected: type[t.Type] | None = None,
        rule_id: str | None = None,
    ) -> ast.Node | None:
        """Parse and check one expression written at `path` in file `rel`; None on error."""
        document = self.src.documents[rel]
        source = _expression_text(text)
        origin = document.span_of(list(path))
        try:
            tree = parse(source, origin)
            if any(isinstance(n, ast.Name) and n.id in self.broken for n in tree.walk()):
                return None
            checked = check(tree, scope, expected)
            too_fine = scale_problems(checked)
            if too_fine:
                raise ExpressionError(too_fine)
            return checked
        except ExpressionError as error:
            for problem in error.diagnostics:
                span = problem.span
                line = document.line(span.line) if span and span.file else None
                self.problems.append(
                    Diagnostic(
                        problem.code,
                        problem.message,
                        span,
                        rule_id,
                        _path_text(path),
                        problem.hint,
                        source_line=line,
                    )
                )
            return None

    # Stages -----------------------------------------------------------------------------------

    def run(self) -> Rulebook:
        calendar = self.calendar()
        self.check_measures()
        parameters = self.parameters()
        param_types = {name: p.ty for name, p in parameters.items()}
        self.check_unique_names(param_types)
        derived = self.derived(param_types)
        scope = Scope(
            fields=self.field_types,
            derived={name: fact.node.ty for name, fact in derived.items() if fact.node.ty},
            params=param_types,
        )
        rules = [
            replace(rule, readings=rule_readings(rule, derived, parameters))
            for rule in self.rules(scope)
        ]
        item_checks = self.item_checks()
        subjects = check_subjects(self, parameters)
        obligations = check_obligations(self, subjects, parameters, {r.id for r in rules})
        self.check_labels(derived)
        if self.problems:
            raise RulebookError(self.with_measures(self.problems))
        assert calendar is not None
        return Rulebook(
            path=self.src.root,
            manifest=self.src.manifest,
            source_text=self.src.source_text,
            profile=build_profile_schema(self.src.profile),
            parameters=parameters,
            derived=derived,
            rules=tuple(rules),
            calendar=calendar,
            sha256=self.src.sha256,
            item_checks=tuple(item_checks),
            sources=self.src,
            subjects=subjects,
            obligations=tuple(obligations),
            labels=value_labels(self.src.profile, self.src.derived),
        )

    def check_labels(self, derived: Mapping[str, DerivedFact]) -> None:
        """Every label names a value its enum field or derived fact can take."""
        for path, message in profile_label_problems(self.src.profile):
            self.report("profile.yaml", "unknown-enum-value", message, path, at_key=True)
        if self.src.derived is None:
            return
        values_of = {
            name: fact.node.ty.values
            for name, fact in derived.items()
            if isinstance(fact.node.ty, t.Enum)
        }
        for path, message in derived_label_problems(self.src.derived, values_of):
            self.report("derived.yaml", "unknown-enum-value", message, path, at_key=True)

    def calendar(self) -> WorkingDayCalendar | None:
        try:
            return WorkingDayCalendar.bundled(self.src.manifest.calendar)
        except InputError as error:
            self.report("rulebook.yaml", "unknown-calendar", str(error), ["calendar"])
            return None

    def check_measures(self) -> None:
        seen: set[int] = set()
        encoded = {f.model.measure for f in self.src.rule_files.values()}
        for index, measure in enumerate(self.src.manifest.measures):
            path = ["measures", index]
            if measure.number in seen:
                self.report(
                    "rulebook.yaml",
                    "duplicate-measure",
                    f"measure {measure.number} is listed twice",
                    path,
                )
            seen.add(measure.number)
            self.verbatim("rulebook.yaml", measure.heading, [*path, "heading"], "heading")
            for item, left_out in enumerate(measure.not_encoded):
                where = [*path, "not_encoded", item, "quote"]
                self.verbatim("rulebook.yaml", left_out.quote, where, "quote")
            if measure.number in encoded and measure.government_only:
                self.report(
                    "rulebook.yaml",
                    "coverage",
                    f"measure {measure.number} has rules but is marked government_only",
                    [*path, "government_only"],
                )
            uncovered = measure.number not in encoded and not measure.government_only
            if uncovered and self.src.check_coverage:
                self.report(
                    "rulebook.yaml",
                    "coverage",
                    f"measure {measure.number} has no rule and no government_only reason",
                    path,
                )

    def check_unique_names(self, param_types: Mapping[str, t.Type]) -> None:
        derived_names = set(self.src.derived.derived) if self.src.derived else set()
        reserved = {AS_OF, *FUNCTIONS}
        for name in derived_names:
            if name in self.field_types or name in reserved:
                self.broken.add(name)
                self.report(
                    "derived.yaml",
                    "duplicate-name",
                    f"derived fact '{name}' has the name of a profile field or built-in",
                    ["derived", name],
                    at_key=True,
                )
        for name in param_types:
            if name in self.field_types or name in derived_names or name in reserved:
                self.report(
                    "parameters.yaml",
                    "duplicate-name",
                    f"parameter '{name}' has the name of a field, derived fact or built-in",
                    ["parameters", name],
                    at_key=True,
                )

    def parameters(self) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        if self.src.parameters is None:
            return out
        for name, spec in self.src.parameters.parameters.items():
            values: list[tuple[date, Any]] = []
            for start, dated in sorted(spec.values.items()):
                path = ["parameters", name, "values", start, "value"]
                if dated.value is None:  # no figure from this date on
                    values.append((start, None))
                    continue
                try:
                    values.append((start, parameter_value(spec, dated.value)))
                except ValueError as error:
                    self.report("parameters.yaml", "bad-parameter", str(error), path)
            given = [v for _, v in values if v is not None]
            ty = _parameter_type(spec, given)
            if spec.readings is not None:
                for where, problem in reading_problems(spec, values):
                    path = ["parameters", name, *where]
                    self.report("parameters.yaml", "bad-parameter", problem, path)
                ty = reading_type(spec)
            out[name] = Parameter(name, spec, ty, tuple(values))
        return out

    def derived(self, param_types: Mapping[str, t.Type]) -> dict[str, DerivedFact]:
        if self.src.derived is None:
            return {}
        specs = self.src.derived.derived
        order = self.dependency_order(specs)
        types: dict[str, t.Type] = {}
        out: dict[str, DerivedFact] = {}
        for name in order:
            if name in self.broken:
                continue
            spec = specs[name]
            scope = Scope(fields=self.field_types, derived=types, params=param_types)
            node = self.derived_node(name, spec, scope)
            if node is not None and node.ty is not None:
                types[name] = node.ty
                out[name] = DerivedFact(
                    name, spec.description, node, spec.interpretation, spec.interpretation_zh
                )
            else:
                self.broken.add(name)
        return out

    def dependency_order(self, specs: Mapping[str, DerivedSpec]) -> list[str]:
        """Derived facts so that each comes after those it uses; a cycle is reported."""
        uses: dict[str, list[str]] = {}
        for name, spec in specs.items():
            if name in self.broken:
                continue
            texts = [spec.expr] if spec.expr is not None else []
            for case in spec.cases or []:
                texts += [case.when] + ([case.then] if case.then is not None else [])
            names: list[str] = []
            for text in texts:
                try:
                    tree = parse(_expression_text(text))
                except ExpressionError:
                    continue  # reported when the fact itself is checked
                names += [n.id for n in tree.walk() if isinstance(n, ast.Name) and n.id in specs]
            uses[name] = [n for n in dict.fromkeys(names) if n not in self.broken]
        order: list[str] = []
        state: dict[str, str] = {}

        def visit(name: str, trail: list[str]) -> None:
            if state.get(name) == "done":
                return
            if state.get(name) == "active":
                cycle = [*trail[trail.index(name) :], name]
                self.broken.update(cycle)
                self.report(
                    "derived.yaml",
                    "cycle",
                    "derived facts depend on each other: " + " -> ".join(cycle),
                    ["derived", name],
                    at_key=True,
                )
                return
            state[name] = "active"
            for used in uses[name]:
                visit(used, [*trail, name])
            state[name] = "done"
            order.append(name)

        for name in uses:
            visit(name, [])
        return order

    def derived_node(self, name: str, spec: DerivedSpec, scope: Scope) -> ast.Node | None:
        base = ["derived", name]
        if spec.expr is not None:
            return self.expression("derived.yaml", [*base, "expr"], spec.expr, scope)
        assert spec.cases is not None
        tests: list[ast.Node | None] = []
        branches: list[ast.Node | None] = []
        for index, case in enumerate(spec.cases):
            path = [*base, "cases", index]
            tests.append(self.expression("derived.yaml", [*path, "when"], case.when, scope, t.Bool))
            if case.then is not None:
                branches.append(self.expression("derived.yaml", [*path, "then"], case.then, scope))
            else:
                branches.append(self.literal(case.value, [*path, "value"]))
        fallback = self.literal(spec.otherwise, [*base, "else"])
        checked = [n for n in branches if n is not None]
        if fallback is None or None in tests or len(checked) < len(branches):
            return None
        result_type = self.cases_type(name, spec, [*checked, fallback])
        if result_type is None:
            return None
        node: ast.Node = _retyped(fallback, result_type)
        for test, branch in reversed(list(zip(tests, branches, strict=True))):
            assert test is not None and branch is not None
            node = ast.Cond(
                span=test.span,
                ty=result_type,
                test=test,
                then=_retyped(branch, result_type),
                otherwise=node,
            )
        return node

    def literal(self, value: Any, path: YamlPath) -> ast.Node | None:
        span = self.src.documents["derived.yaml"].span_of(list(path)) or Span("derived.yaml", 1, 1)
        if isinstance(value, float):
            value = exact_decimal(value)
        if not isinstance(value, bool | int | str | date | Decimal):
            self.report("derived.yaml", "type-mismatch", f"{value!r} is not a literal value", path)
            return None
        return ast.Literal(span=span, ty=literal_type(value), value=value)

    def cases_type(self, name: str, spec: DerivedSpec, branches: list[ast.Node]) -> t.Type | None:
        types = [b.ty for b in branches if b.ty is not None]
        if all(isinstance(b, ast.Literal) and isinstance(b.value, str) for b in branches):
            values = spec.values or list(
                dict.fromkeys(str(b.value) for b in branches if isinstance(b, ast.Literal))
            )
            for branch in branches:
                assert isinstance(branch, ast.Literal)
                if branch.value not in values:
                    self.report(
                        "derived.yaml",
                        "unknown-enum-value",
                        f"{branch.value!r} is not one of the declared values",
                        ["derived", name, "values"],
                    )
            return t.Enum(tuple(values))
        if all(t.is_numeric(x) for x in types):
            return t.unify_numeric(types)
        if len(set(types)) == 1:
            return types[0]
        self.report(
            "derived.yaml",
            "type-mismatch",
            "the cases give values of different types: "
            + ", ".join(sorted({str(x) for x in types})),
            ["derived", name],
        )
        return None

    def rules(self, scope: Scope) -> list[Rule]:
        measures = {m.number: m for m in self.src.manifest.measures}
        seen: dict[str, str] = {}
        withdrawn: list[tuple[str, list[Any], str, str]] = []
        out: list[Rule] = []
        for key, source in self.src.rule_files.items():
            rel, prefix, rule_file = source.document, list(source.prefix), source.model
            self.quoted = source.quoted_text
            measure = measures.get(rule_file.measure)
            if measure is None:
                self.report(
                    rel,
                    "unknown-measure",
                    f"measure {rule_file.measure} is not in rulebook.yaml",
                    [*prefix, "measure"],
                )
                continue
            for index, department in enumerate(rule_file.lead_departments):
                where = [*prefix, "lead_departments", index]
                self.verbatim(rel, department, where, "lead department")
            for index, spec in enumerate(rule_file.rules):
                path: list[Any] = [*prefix, "rules", index]
                if spec.id in seen:
                    self.report(
                        rel,
                        "duplicate-id",
                        f"rule id {spec.id} is also used in {seen[spec.id]}",
                        [*path, "id"],
                        rule_id=spec.id,
                    )
                seen[spec.id] = key
                withdrawn += [
                    (rel, [*path, "excludes", "rules", i], spec.id, rule_id)
                    for i, rule_id in enumerate(spec.excludes.rules if spec.excludes else [])
                ]
                rule = self.rule(rel, path, spec, rule_file, measure, scope)
                if rule is not None:
                    if source.cited_document:
                        citation = replace(
                            rule.citation, document=source.cited_document, document_number=None
                        )
                        rule = replace(rule, citation=citation)
                    out.append(rule)
        for rel, path, rule_id, named in withdrawn:
            if named not in seen:
                guess = did_you_mean(named, seen)
                message = f"it withdraws an unknown rule {named}"
                hint = f"did you mean '{guess}'?" if guess else None
                self.report(rel, "unknown-name", message, path, rule_id=rule_id, hint=hint)
        self.quoted = None
        return out

    def rule(
        self,
        rel: str,
        path: list[Any],
        spec: RuleSpec,
        rule_file: RuleFile,
        measure: MeasureSpec,
        scope: Scope,
    ) -> Rule | None:
        problems_before = len(self.problems)
        for index, quote in enumerate(spec.quotes):
            where = [*path, "quote"] + ([index] if isinstance(spec.quote, list) else [])
            self.verbatim(rel, quote, where, "quote", spec.id)
        for_each = self.for_each(rel, path, spec)
        if for_each is not None and spec.kind == "exclusion":
            self.report(
                rel,
                "schema",
                "an exclusion rule applies to the whole enterprise; it cannot be a per-item rule",
                [*path, "for_each"],
                rule_id=spec.id,
            )
        record = self.records[for_each.list_field] if for_each is not None else None
        if for_each is not None and record is not None:
            scope = Scope(
                scope.fields,
                scope.derived,
                scope.params,
                {for_each.var: (for_each.list_field, record)},
            )
        conditions = []
        bound, problems = bound_condition(spec, for_each, record)
        for problem in problems:
            where = [*path, problem.key]
            self.report(rel, problem.code, problem.message, where, rule_id=spec.id)
        if bound is not None:
            node = self.expression(rel, [*path, "bounded_by"], bound, scope, t.Bool, spec.id)
            if node is not None:
                conditions.append(Condition(BOUND_CONDITION, bound, node, _leaves(node)))
        for name, text in spec.when.items():
            node = self.expression(rel, [*path, "when", name], text, scope, t.Bool, spec.id)
            if node is not None:
                conditions.append(Condition(name, _expression_text(text), node, _leaves(node)))
        amount = self.quantity(rel, [*path, "amount"], spec.amount, scope, spec.id)
        details = {
            name: self.quantity(rel, [*path, "details", name], q, scope, spec.id)
            for name, q in spec.details.items()
        }
        if len(self.problems) > problems_before:
            return None
        lead = spec.lead_departments or rule_file.lead_departments
        citation = self.citation(measure, spec.quotes, lead)
        return Rule(spec, measure, citation, tuple(conditions), amount, details, for_each, rel)

    def for_each(self, rel: str, path: list[Any], spec: RuleSpec) -> ForEach | None:
        if spec.for_each is None:
            return None
        var, _, list_field = (part.strip() for part in spec.for_each.partition(" in "))
        if list_field not in self.records:
            lists = [
                n
                for n, s in self.src.profile.fields.items()
                if isinstance(s, ListFieldSpec) and s.fields
            ]
            self.report(
                rel,
                "unknown-name",
                f"'{list_field}' is not a profile list of records",
                [*path, "for_each"],
                rule_id=spec.id,
                hint=f"lists: {', '.join(lists)}",
            )
            return None
        list_spec = self.src.profile.fields[list_field]
        label = list_spec.label if isinstance(list_spec, ListFieldSpec) else None
        return ForEach(var, list_field, label)

    def quantity(
        self, rel: str, path: list[Any], spec: QuantitySpec, scope: Scope, rule_id: str
    ) -> Quantity:
        if spec.basis is not None:
            self.verbatim(rel, spec.basis, [*path, "basis"], "basis", rule_id)
        if spec.value is None:
            return Quantity(spec, None)
        if spec.unit.is_date:
            node = self.expression(rel, [*path, "value"], spec.value, scope, t.Date, rule_id)
        elif spec.unit.is_number:
            node = self.expression(rel, [*path, "value"], spec.value, scope, None, rule_id)
            if node is not None and not t.is_numeric(node.ty or t.BOOL):
                self.report(
                    rel,
                    "type-mismatch",
                    f"a {spec.unit} amount must be a number, found {node.ty}",
                    [*path, "value"],
                    rule_id=rule_id,
                )
        else:
            self.report(
                rel, "schema", f"a {spec.unit} has no value", [*path, "value"], rule_id=rule_id
            )
            node = None
        return Quantity(spec, node)

    def verbatim(
        self, rel: str, text: str, path: YamlPath, what: str, rule_id: str | None = None
    ) -> None:
        source = self.src.source_text
        if text in source or (self.quoted is not None and text in self.quoted):
            return
        matched = _longest_prefix_in(text, source)
        hint = (
            (
                f"the source has the first {matched} characters; they differ from "
                f"'{text[matched : matched + 12]}'"
            )
            if matched
            else "no part of it is in the source"
        )
        self.report(
            rel,
            "not-verbatim",
            f"the {what} is not verbatim in {self.src.manifest.source}",
            path,
            rule_id=rule_id,
            hint=hint,
        )

    def item_checks(self) -> list[ItemCheck]:
        out: list[ItemCheck] = []
        for name, spec in self.src.profile.fields.items():
            if not isinstance(spec, ListFieldSpec) or spec.fields is None:
                continue
            record = self.records[name]
            scope = Scope(fields=dict(record.fields))  # a check reads the item's own fields
            for index, item_check in enumerate(spec.checks):
                path = ["fields", name, "checks", index, "expr"]
                node = self.expression("profile.yaml", path, item_check.expr, scope, t.Bool)
                if node is not None:
                    out.append(ItemCheck(name, "item", node, item_check.message))
        return out


def _expression_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _path_text(path: YamlPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _leaves(node: ast.Node) -> tuple[tuple[str, ast.Node], ...]:
    """The values a trace shows for a condition: what it reads, named as written."""
    found: dict[str, ast.Node] = {}
    tables = {id(n.table) for n in node.walk() if isinstance(n, ast.Lookup)}
    for sub in node.walk():
        if isinstance(sub, ast.Lookup | ast.FieldRef | ast.ItemFieldRef | ast.DerivedRef):
            found.setdefault(unparse(sub), sub)
        elif isinstance(sub, ast.ParamRef) and id(sub) not in tables:
            found.setdefault(sub.name, sub)
    return tuple(found.items())


def _retyped(node: ast.Node, ty: t.Type) -> ast.Node:
    if isinstance(node, ast.Literal) and isinstance(ty, t.Enum | t.Dec):
        value = node.value
        return ast.Literal(span=node.span, ty=ty, value=value)
    return node


def _longest_prefix_in(text: str, source: str) -> int:
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text[:middle] in source:
            low = middle
        else:
            high = middle - 1
    return low


def _parameter_type(spec: ParameterSpec, values: list[Any]) -> t.Type:
    base = _parameter_base_type(spec, values)
    if spec.list:
        return t.List(base)
    if spec.table_key:
        return t.Table(t.INT if spec.table_key == "int" else t.STR, base)
    return base


def _parameter_base_type(spec: ParameterSpec, values: list[Any]) -> t.Type:
    if spec.type == "int":
        return t.INT
    if spec.type in ("decimal", "money", "ratio"):
        scalars: list[Any] = []
        for value in values:
            scalars += (
                list(value.values())
                if isinstance(value, dict)
                else list(value)
                if isinstance(value, list)
                else [value]
            )
        return t.unify_numeric([t.DEC0, *(literal_type(v) for v in scalars)])
    return {"text": t.STR, "date": t.DATE, "bool": t.BOOL}[spec.type]
