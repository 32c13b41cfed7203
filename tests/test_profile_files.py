"""Profiles read from files: a path given as text or as a Path."""

from pathlib import Path

import pytest

from subsidy_engine import Engine
from subsidy_engine.errors import InputError
from subsidy_engine.profile_files import read_profile

EXAMPLE = Path(__file__).parents[1] / "examples" / "software-startup.yaml"


def test_a_profile_path_may_be_text_or_a_path() -> None:
    engine = Engine()
    assert read_profile(str(EXAMPLE), engine) == read_profile(EXAMPLE, engine)
    with pytest.raises(InputError, match="no profile file"):
        read_profile("no-such-profile.yaml", engine)
