"""What a checked rule and a checked obligation share: the spec they were read from, their
measure, and the citation of the sentence that grants or imposes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from subsidy_engine.results import Citation
from subsidy_engine.rulebook.models import MeasureSpec


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


SpecT = TypeVar("SpecT", bound=_Identified)


@dataclass(frozen=True, slots=True)
class Cited(Generic[SpecT]):
    spec: SpecT
    measure: MeasureSpec
    citation: Citation

    @property
    def id(self) -> str:
        return self.spec.id
