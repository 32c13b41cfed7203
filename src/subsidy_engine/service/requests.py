"""Request bodies built around the rulebook's own profile model, so the OpenAPI document shows
every profile field with its title, description and bounds.

Each body is a static class (what the endpoints read) whose `profile` is given the rulebook's
model in a subclass made when the app is built."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from subsidy_engine.service.models import EvaluateOptions

SCORE_LIMIT = 100
"""Profiles in one `POST /score`; larger jobs go to `subsidy-engine score` on files."""

AsOf = Annotated[date, Field(description="The date to evaluate on, YYYY-MM-DD.")]
ReformIn = Annotated[
    dict[str, Any] | None,
    Field(description="A reform, as the content of a reform file (schemas/reform.schema.json)."),
]
Options = Annotated[
    EvaluateOptions,
    Field(default_factory=EvaluateOptions, description="What the evaluation's JSON includes."),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvaluateBody(_Body):
    """`POST /evaluate`; the profile's type is the rulebook's profile model."""

    profile: BaseModel
    as_of: AsOf
    reform: ReformIn = None
    options: Options


class GapsBody(_Body):
    profile: BaseModel
    as_of: AsOf


class WhatIfBody(_Body):
    profile: BaseModel
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Facts to change: field (or list[i].field) to its new value; null removes "
        "the fact.",
        max_length=200,
    )
    as_of: AsOf
    reform: ReformIn = None


class ScoreBody(_Body):
    profiles: list[dict[str, Any]] = Field(
        description=f"Up to {SCORE_LIMIT} profiles; each is validated on its own, so one bad "
        "profile refuses only itself.",
        max_length=SCORE_LIMIT,
    )
    as_of: AsOf
    reform: ReformIn = None
    options: Options


class NoticeBody(_Body):
    profile: BaseModel
    as_of: AsOf


@dataclass(frozen=True, slots=True)
class RequestModels:
    evaluate: type[BaseModel]
    gaps: type[BaseModel]
    what_if: type[BaseModel]
    score: type[BaseModel]
    notice: type[BaseModel]


def request_models(profile: type[BaseModel]) -> RequestModels:
    """The request bodies for a rulebook whose profile model is `profile`."""
    described = (profile, Field(description="The enterprise's facts; every one optional."))

    def with_profile(name: str, base: type[BaseModel]) -> type[BaseModel]:
        return create_model(name, __base__=base, profile=described)

    return RequestModels(
        with_profile("EvaluateRequest", EvaluateBody),
        with_profile("GapsRequest", GapsBody),
        with_profile("WhatIfRequest", WhatIfBody),
        create_model("ScoreRequest", __base__=ScoreBody),
        with_profile("NoticeRequest", NoticeBody),
    )
