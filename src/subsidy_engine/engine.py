"""`Engine`: the entry point. Loads a rulebook once; evaluates profiles against it.

>>> engine = Engine()                                   # the one installed rulebook
>>> evaluation = engine.evaluate({"employees": 30}, as_of=date(2019, 6, 1))
>>> evaluation.provenance.rulebook_id
'shuozhou-2019'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from subsidy_engine.arguments import as_of_date
from subsidy_engine.lang import types as t
from subsidy_engine.limits import MAX_LIST_ITEMS, check_profile_size

if TYPE_CHECKING:
    import polars as pl

    from subsidy_engine.analysis.gaps import GapReport
    from subsidy_engine.analysis.whatif import Comparison
    from subsidy_engine.batch.inputs import Table
    from subsidy_engine.batch.mapping import MappingLike
    from subsidy_engine.batch.scoring import ScoreResult
    from subsidy_engine.obligations.report import ObligationReport
    from subsidy_engine.results import Period
from subsidy_engine.backends.python.evaluate import ScalarEvaluator
from subsidy_engine.backends.python.items import checked_profile
from subsidy_engine.optional import require
from subsidy_engine.results import Evaluation, Status
from subsidy_engine.rulebook.loader import load_rulebook
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebooks import BUNDLED, installed_rulebooks, rulebook_path

Reform = str | Path | Mapping[str, Any]
"""A reform: a YAML file's path, or the same content as a dict."""


def bundled_rulebook_path(name: str = BUNDLED) -> Path:
    """The folder of an installed rulebook (by default the one the engine ships)."""
    return rulebook_path(name)


class Engine:
    """A loaded, type-checked rulebook, ready to evaluate enterprise profiles.

    `Engine()` loads the one installed rulebook (an error lists them when there are several);
    `Engine("shuozhou-2019")` an installed one by id; `Engine("path/to/rulebook")` a folder; a
    `Rulebook` already loaded is taken as is.
    """

    def __init__(self, rulebook: Rulebook | str | Path | None = None) -> None:
        if rulebook is None:
            rulebook = load_rulebook(rulebook_path())
        elif isinstance(rulebook, str) and _is_installed_id(rulebook):
            rulebook = load_rulebook(rulebook_path(rulebook))
        elif not isinstance(rulebook, Rulebook):
            rulebook = load_rulebook(rulebook)
        self.rulebook = rulebook
        self._evaluator = ScalarEvaluator(rulebook)
        self._profile = checked_profile(rulebook)  # the declared fields and the item checks
        self._model = self._profile.model  # evaluate's check for an already-valid profile
        self._lists = tuple(
            name for name, ty in rulebook.profile.types.items() if isinstance(ty, t.List)
        )  # a model built without validation may still hold an over-long list
        self._reformed: dict[object, Engine] = {}

    @property
    def profile_model(self) -> type[BaseModel]:
        """The pydantic model of this rulebook's enterprise profile."""
        return self._profile.model

    def validate(self, profile: Mapping[str, Any] | BaseModel) -> BaseModel:
        """A validated profile; ProfileError names every bad field and why (a list longer than
        `limits.MAX_LIST_ITEMS` included)."""
        check_profile_size(profile)
        return self._profile.validate(profile)

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

        day = as_of_date(as_of)
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

        day = as_of_date(as_of)
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
        day = as_of_date(as_of)
        if profile.__class__ is self._model:
            facts = profile.__dict__
            if any(len(facts.get(name) or ()) > MAX_LIST_ITEMS for name in self._lists):
                check_profile_size(profile)
        validated = profile if profile.__class__ is self._model else self.validate(profile)
        facts = validated.__dict__
        key_field = self.rulebook.profile.key
        key_value = facts.get(key_field) if key_field else None
        key = None if key_value is None else str(key_value)
        return self._evaluator.evaluate(facts, day, key)

    def score(
        self,
        table: Table,
        as_of: date | None = None,
        *,
        statuses: Iterable[str | Status] | str = ("eligible", "undetermined", "excluded"),
        summary: bool = False,
        mapping: MappingLike | None = None,
        reform: Reform | None = None,
        columns: Iterable[str] | str | None = None,
    ) -> ScoreResult:
        """Score a whole table of profiles (Polars, pandas, Arrow; one row per enterprise) as of
        a date (default today): a `batch.ScoreResult` with results, rejects and totals.
        `mapping` (profile field -> column) renames columns named differently; with `reform`,
        the reformed rulebook decides; `columns` (e.g. `["row", "rule_id", "amount"]`) chooses
        the result columns, and only what they need is computed."""
        require("polars", extra="batch")
        from subsidy_engine.batch import score

        engine = self if reform is None else self.with_reform(reform)
        day = as_of_date(as_of)
        return score(
            engine,
            table,
            day,
            statuses=statuses,
            summary=summary,
            mapping=mapping,
            columns=columns,
        )

    def obligations(
        self,
        subjects: str | Path | Sequence[Mapping[str, Any]],
        period: str | Period | None = None,
        log: str | Path | pl.DataFrame | None = None,
    ) -> ObligationReport:
        """Every obligation of government bodies for the subjects given (a facts file, or a
        list of `{kind, name, facts}`) over `period` (e.g. `2020Q1`), with the city roll-up;
        with `log`, a service hall's application log, its deadline duties too."""
        from subsidy_engine.obligations.api import check_obligations

        return check_obligations(self.rulebook, subjects, period, log)


def _is_installed_id(name: str) -> bool:
    """An installed rulebook's id, and not a folder of that name here."""
    return not Path(name).exists() and name in installed_rulebooks()
