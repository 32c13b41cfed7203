"""Subjects other than the enterprise, and the obligations that bind them, once checked.

A rulebook may declare kinds of subject (a procuring body, a fund, the city), each with its own
facts file in the format of profile.yaml. An obligation is addressed to one kind: its required
and achieved figures are typed expressions over that kind's facts and the parameters, so the
scalar compiler runs them as it runs any rule's conditions.
"""

from __future__ import annotations

from dataclasses import dataclass

from subsidy_engine.lang import ast
from subsidy_engine.profile import ProfileSchema
from subsidy_engine.rulebook.cited import Cited
from subsidy_engine.rulebook.models import ObligationSpec


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str
    title: str
    title_en: str
    schema: ProfileSchema
    """Its declared facts: the model validating a subject's facts, and their types."""
    role: str | None = None
    """What else the kind is for (`SubjectSpec.role`), e.g. `application_log`."""


@dataclass(frozen=True, slots=True)
class Obligation(Cited[ObligationSpec]):
    required: ast.Node
    achieved: ast.Node
    source_file: str
    readings: tuple[str, ...] = ()
    """The reading parameters its figures depend on, in name order."""

    @property
    def subject(self) -> str:
        return self.spec.subject
