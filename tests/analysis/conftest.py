"""What the analysis tests share: the gaps of a generated profile."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import reject

from subsidy_engine import Engine, ProfileError
from subsidy_engine.analysis.gaps import GapReport

GapsOf = Callable[[Engine, dict[str, Any], date], GapReport]


@pytest.fixture(scope="session")
def generated_gaps() -> GapsOf:
    """`generated_gaps(engine, profile, as_of)`: the engine's gaps on a profile drawn by
    hypothesis; a profile the engine refuses is rejected as an example, not failed."""

    def gaps(engine: Engine, profile: dict[str, Any], as_of: date) -> GapReport:
        try:
            return engine.gaps(profile, as_of=as_of)
        except ProfileError:
            reject()

    return gaps
