"""Request bodies built around the rulebook's own profile model, so the OpenAPI document shows
every profile field with its title, description and bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from subsidy_engine.service.models import EvaluateOptions

SCORE_LIMIT = 100
"""Profiles in one `POST /score`; larger jobs go to `subsidy-engine score` on files."""

_AS_OF = (date, Field(description="The date to evaluate on, YYYY-MM-DD."))
_REFORM = (
    dict[str, Any] | None,
    Field(
        default=None,
        description="A reform, as the content of a reform file (schemas/reform.schema.json).",
    ),
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class RequestModels:
    evaluate: type[BaseModel]
    gaps: type[BaseModel]
    what_if: type[BaseModel]
    score: type[BaseModel]
    notice: type[BaseModel]


def request_models(profile: type[BaseModel]) -> RequestModels:
    """The request bodies for a rulebook whose profile model is `profile`."""
    profile_field = (profile, Field(description="The enterprise's facts; every one optional."))
    options = (EvaluateOptions, Field(default_factory=EvaluateOptions, description="Output."))
    evaluate = create_model(
        "EvaluateRequest",
        __base__=_Body,
        profile=profile_field,
        as_of=_AS_OF,
        reform=_REFORM,
        options=options,
    )
    gaps = create_model("GapsRequest", __base__=_Body, profile=profile_field, as_of=_AS_OF)
    what_if = create_model(
        "WhatIfRequest",
        __base__=_Body,
        profile=profile_field,
        changes=(
            dict[str, Any],
            Field(
                default_factory=dict,
                description="Facts to change: field (or list[i].field) to its new value; null "
                "removes the fact.",
                max_length=200,
            ),
        ),
        as_of=_AS_OF,
        reform=_REFORM,
    )
    score = create_model(
        "ScoreRequest",
        __base__=_Body,
        profiles=(
            list[dict[str, Any]],
            Field(
                description=f"Up to {SCORE_LIMIT} profiles; each is validated on its own, "
                "so one bad profile refuses only itself.",
                max_length=SCORE_LIMIT,
            ),
        ),
        as_of=_AS_OF,
        reform=_REFORM,
        options=options,
    )
    notice = create_model(
        "NoticeRequest", __base__=_Body, profile=profile_field, as_of=_AS_OF
    )
    return RequestModels(evaluate, gaps, what_if, score, notice)
