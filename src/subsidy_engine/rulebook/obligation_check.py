"""Check the subject kinds a manifest declares and the obligations addressed to them.

Obligations get the checks every rule gets, each a located diagnostic: the measure is in the
manifest; quotes and lead departments are verbatim; ids are unique (among rules too); the
subject kind is declared; the required and achieved figures are numbers, and read only the
subject's own facts and the parameters (an enterprise field or derived fact is unknown there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from subsidy_engine.errors import did_you_mean
from subsidy_engine.lang import ast
from subsidy_engine.lang import types as t
from subsidy_engine.lang.checker import Scope
from subsidy_engine.profile import build_profile_schema, profile_types
from subsidy_engine.rulebook.models import ListFieldSpec, ObligationSpec
from subsidy_engine.rulebook.rulebook import Parameter
from subsidy_engine.rulebook.subjects import Obligation, Subject

if TYPE_CHECKING:
    from subsidy_engine.rulebook.check import _Checker

MANIFEST = "rulebook.yaml"
ENTERPRISE = "enterprise"
"""The kind every rule addresses unless it says otherwise; its facts are profile.yaml."""


def check_subjects(checker: _Checker, parameters: Mapping[str, Parameter]) -> dict[str, Subject]:
    """Each declared subject kind with its compiled facts model."""
    out: dict[str, Subject] = {}
    manifest = checker.src.manifest
    roles: dict[str, str] = {}
    for kind, spec in manifest.subjects.items():
        where = ["subjects", kind]
        if kind == ENTERPRISE:
            message = f"'{ENTERPRISE}' is the default subject; its facts are profile.yaml"
            checker.report(MANIFEST, "duplicate-name", message, where, at_key=True)
            continue
        if spec.role is not None and roles.setdefault(spec.role, kind) != kind:
            message = f"role {spec.role} is already declared by subject kind '{roles[spec.role]}'"
            checker.report(MANIFEST, "duplicate-name", message, [*where, "role"])
        facts = checker.src.subjects.get(kind)
        if facts is None:
            continue  # the loader reported the file
        for name, field_spec in facts.fields.items():
            if isinstance(field_spec, ListFieldSpec) and field_spec.checks:
                message = "a subject's list fields take no item checks"
                checker.report(spec.facts, "schema", message, ["fields", name, "checks"])
            if name in parameters:
                message = f"fact '{name}' has the name of a parameter"
                checker.report(spec.facts, "duplicate-name", message, ["fields", name], at_key=True)
        schema = build_profile_schema(facts)
        out[kind] = Subject(kind, spec.title, spec.title_en, schema, spec.role)
    return out


def check_obligations(
    checker: _Checker,
    subjects: Mapping[str, Subject],
    parameters: Mapping[str, Parameter],
    rule_ids: set[str],
) -> list[Obligation]:
    """Every obligation of the rulebook's obligation files, typed; problems are reported."""
    measures = {m.number: m for m in checker.src.manifest.measures}
    param_types = {name: p.ty for name, p in parameters.items()}
    seen = set(rule_ids)
    out: list[Obligation] = []
    for rel, model in checker.src.obligation_files.items():
        measure = measures.get(model.measure)
        if measure is None:
            message = f"measure {model.measure} is not in rulebook.yaml"
            checker.report(rel, "unknown-measure", message, ["measure"])
            continue
        for index, department in enumerate(model.lead_departments):
            checker.verbatim(rel, department, ["lead_departments", index], "lead department")
        for index, spec in enumerate(model.obligations):
            path: list[Any] = ["obligations", index]
            if spec.id in seen:
                message = f"id {spec.id} is already used by a rule or obligation"
                checker.report(rel, "duplicate-id", message, [*path, "id"], rule_id=spec.id)
            seen.add(spec.id)
            subject = subjects.get(spec.subject)
            if subject is None and spec.subject not in checker.src.manifest.subjects:
                guess = did_you_mean(spec.subject, list(checker.src.manifest.subjects))
                checker.report(
                    rel,
                    "unknown-name",
                    f"'{spec.subject}' is not a subject kind declared in rulebook.yaml",
                    [*path, "subject"],
                    rule_id=spec.id,
                    hint=f"did you mean '{guess}'?" if guess else None,
                )
            obligation = _obligation(checker, rel, path, spec, subject, param_types)
            if obligation is not None:
                lead = spec.lead_departments or model.lead_departments
                citation = checker.citation(measure, spec.quotes, lead)
                readings = _readings(obligation, parameters)
                out.append(Obligation(spec, measure, citation, *obligation, rel, readings))
    return out


def _obligation(
    checker: _Checker,
    rel: str,
    path: list[Any],
    spec: ObligationSpec,
    subject: Subject | None,
    param_types: Mapping[str, t.Type],
) -> tuple[ast.Node, ast.Node] | None:
    """The typed required and achieved figures, or None when anything about it is wrong."""
    before = len(checker.problems)
    for index, quote in enumerate(spec.quotes):
        where = [*path, "quote"] + ([index] if isinstance(spec.quote, list) else [])
        checker.verbatim(rel, quote, where, "quote", spec.id)
    if subject is None:
        return None
    fields, _ = profile_types(subject.schema.spec)
    scope = Scope(fields=fields, params=param_types)
    nodes = []
    for key in ("required", "achieved"):
        where = [*path, key]
        node = checker.expression(rel, where, getattr(spec, key), scope, None, spec.id)
        if node is not None and not t.is_numeric(node.ty or t.BOOL):
            message = f"the {key} figure must be a number, found {node.ty}"
            checker.report(rel, "type-mismatch", message, where, rule_id=spec.id)
        nodes.append(node)
    required, achieved = nodes
    if len(checker.problems) > before or required is None or achieved is None:
        return None
    return required, achieved


def _readings(
    figures: tuple[ast.Node, ast.Node], parameters: Mapping[str, Parameter]
) -> tuple[str, ...]:
    found = {
        node.name
        for root in figures
        for node in root.walk()
        if isinstance(node, ast.ParamRef) and parameters[node.name].is_reading
    }
    return tuple(sorted(found))
