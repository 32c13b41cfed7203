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
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from subsidy_engine.errors import InputError

if TYPE_CHECKING:
    from subsidy_engine.analysis.gaps import GapReport
    from subsidy_engine.analysis.whatif import Comparison
from subsidy_engine.backends.python.evaluate import ScalarEvaluator
from subsidy_engine.results import Evaluation
from subsidy_engine.rulebook.loader import load_rulebook
from subsidy_engine.rulebook.rulebook import Rulebook

DEFAULT_RULEBOOK = "shuozhou-2019"
Reform = str | Path | Mapping[str, Any]
"""A reform: a YAML file's path, or the same content as a dict."""


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
        self._model = rulebook.profile.model  # evaluate's check for an already-valid profile
        self._reformed: dict[object, Engine] = {}

    @property
    def profile_model(self) -> type[BaseModel]:
        """The pydantic model of this rulebook's enterprise profile."""
        return self.rulebook.profile.model

    def validate(self, profile: Mapping[str, Any] | BaseModel) -> BaseModel:
        """A validated profile; ProfileError names every bad field and why."""
        return self.rulebook.profile.validate(profile)

    def with_reform(self, reform: Reform) -> Engine:
        """An engine for this rulebook with a reform applied (a file path or a dict).

        The reformed engine is kept, so passing the same reform again costs nothing; a reform
        file is known by its content, so an edited file is applied afresh.
        """
        from subsidy_engine.analysis.reform import apply_reform, reform_key

        cache_key = reform_key(reform)
        engine = self._reformed.get(cache_key)
        if engine is None:
            engine = Engine(apply_reform(self.rulebook, reform))
            self._reformed[cache_key] = engine
        return engine

    def what_if(
        self,
        profile: Mapping[str, Any] | BaseModel,
        changes: Mapping[str, Any] | None = None,
        *,
        as_of: date | None = None,
        reform: Reform | None = None,
    ) -> Comparison:
        """Evaluate `profile` and a copy with `changes` (fields, or `list[i].field`; None
        removes a fact), under `reform` if given, and report what differs rule by rule."""
        from subsidy_engine.analysis.whatif import changed_profile, compare

        day = as_of or date.today()
        facts = self._plain(profile)
        after = changed_profile(facts, changes or {})
        return compare(self.evaluate(facts, day), self.evaluate(after, day, reform=reform))

    def gaps(
        self, profile: Mapping[str, Any] | BaseModel, *, as_of: date | None = None
    ) -> GapReport:
        """For every rule the profile does not qualify for, the smallest change that would
        make it (closest first), and the facts to ask for next."""
        from subsidy_engine.analysis.gaps import find_gaps
        from subsidy_engine.analysis.whatif import changed_profile

        day = as_of or date.today()
        facts = self._plain(profile)
        validated = self.validate(facts)
        evaluation = self.evaluate(validated, day)

        def reevaluate(changes: Mapping[str, Any]) -> tuple[Mapping[str, Any], Evaluation]:
            changed = self.validate(changed_profile(facts, changes))
            return changed.__dict__, self.evaluate(changed, day)

        return find_gaps(self._evaluator, validated.__dict__, evaluation, reevaluate)

    def _plain(self, profile: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
        return self.validate(profile).model_dump(exclude_none=True)

    def evaluate(
        self,
        profile: Mapping[str, Any] | BaseModel,
        as_of: date | None = None,
        *,
        reform: Reform | None = None,
    ) -> Evaluation:
        """Every rule's result for one profile (a model or a plain dict), as of a date.

        `as_of` defaults to today. A plain dict is validated first (ProfileError if bad).
        With `reform` (a reform file or dict), the reformed rulebook decides.
        """
        if reform is not None:
            return self.with_reform(reform).evaluate(profile, as_of)
        validated = profile if profile.__class__ is self._model else self.validate(profile)
        facts = validated.__dict__
        key_field = self.rulebook.profile.key
        key_value = facts.get(key_field) if key_field else None
        key = None if key_value is None else str(key_value)
        return self._evaluator.evaluate(facts, as_of or date.today(), key)

    def score(
        self,
        table: Any,
        as_of: date | None = None,
        *,
        statuses: Any = ("eligible", "undetermined", "excluded"),
        summary: bool = False,
        mapping: Any = None,
        reform: Reform | None = None,
        columns: Any = None,
    ) -> Any:
        """Score a whole table of profiles (Polars, pandas, Arrow; one row per enterprise) as of
        a date (default today): a `batch.ScoreResult` with results, rejects and totals.
        `mapping` (profile field -> column) renames columns named differently; with `reform`,
        the reformed rulebook decides; `columns` (e.g. `["row", "rule_id", "amount"]`) chooses
        the result columns, and only what they need is computed."""
        from subsidy_engine.batch import score

        engine = self if reform is None else self.with_reform(reform)
        day = as_of or date.today()
        return score(
            engine,
            table,
            day,
            statuses=statuses,
            summary=summary,
            mapping=mapping,
            columns=columns,
        )
