"""`Engine`: the entry point. Loads a rulebook once; evaluates profiles against it.

>>> engine = Engine()                                   # the bundled rulebook
>>> evaluation = engine.evaluate({"employees": 30}, as_of=date(2019, 6, 1))
>>> evaluation.provenance.rulebook_id
'shuozhou-2019'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from subsidy_engine.errors import InputError
from subsidy_engine.evaluate import ScalarEvaluator
from subsidy_engine.results import Evaluation
from subsidy_engine.rulebook.loader import load_rulebook
from subsidy_engine.rulebook.rulebook import Rulebook

DEFAULT_RULEBOOK = "shuozhou-2019"


def bundled_rulebook_path(name: str = DEFAULT_RULEBOOK) -> Path:
    """The folder of a rulebook shipped with the package (or in the source tree)."""
    packaged = resources.files("subsidy_engine").joinpath("_bundled", "rules", name)
    if packaged.is_dir():
        return Path(str(packaged))
    in_tree = Path(__file__).resolve().parents[2] / "rules" / name
    if in_tree.is_dir():
        return in_tree
    raise InputError(f"no bundled rulebook named {name!r}")


class Engine:
    """A loaded, type-checked rulebook, ready to evaluate enterprise profiles.

    `Engine()` loads the bundled rulebook; `Engine("path/to/rulebook")` any other; a
    `Rulebook` already loaded is taken as is.
    """

    def __init__(self, rulebook: Rulebook | str | Path | None = None) -> None:
        if rulebook is None:
            rulebook = load_rulebook(bundled_rulebook_path())
        elif not isinstance(rulebook, Rulebook):
            rulebook = load_rulebook(rulebook)
        self.rulebook = rulebook
        self._evaluator = ScalarEvaluator(rulebook)

    @property
    def profile_model(self) -> type[BaseModel]:
        """The pydantic model of this rulebook's enterprise profile."""
        return self.rulebook.profile.model

    def validate(self, profile: Mapping[str, Any] | BaseModel) -> BaseModel:
        """A validated profile; ProfileError names every bad field and why."""
        return self.rulebook.profile.validate(profile)

    def evaluate(
        self, profile: Mapping[str, Any] | BaseModel, as_of: date | None = None
    ) -> Evaluation:
        """Every rule's result for one profile (a model or a plain dict), as of a date.

        `as_of` defaults to today. A plain dict is validated first (ProfileError if bad).
        """
        validated = self.validate(profile)
        facts = validated.__dict__
        key_field = self.rulebook.profile.key
        key_value = facts.get(key_field) if key_field else None
        key = None if key_value is None else str(key_value)
        return self._evaluator.evaluate(facts, as_of or date.today(), key)
