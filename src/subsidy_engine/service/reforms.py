"""Reformed engines for requests that carry a reform, kept for the last few reforms only.

`Engine.with_reform` keeps every reform it is given, which suits one analyst; a service would
grow without bound on callers' distinct reforms, so it keeps the most recent `size` here.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date
from typing import Any

from subsidy_engine.analysis.whatif import Comparison, changed_profile, compare
from subsidy_engine.engine import Engine


class ReformedEngines:
    """`engine` under each reform asked for, the `size` most recently used kept."""

    def __init__(self, engine: Engine, size: int = 8) -> None:
        self.engine = engine
        self.size = size
        self._kept: OrderedDict[str, Engine] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, reform: Mapping[str, Any] | None) -> Engine:
        """The engine for `reform` (the plain engine for None); a bad reform raises the
        rulebook's diagnostics error."""
        if reform is None:
            return self.engine
        key = json.dumps(reform, sort_keys=True, ensure_ascii=False, default=str)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        from subsidy_engine.analysis.reform import apply_reform

        reformed = Engine(apply_reform(self.engine.rulebook, dict(reform)))
        with self._lock:
            self._kept[key] = reformed
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return reformed

    def what_if(
        self,
        profile: Mapping[str, Any],
        changes: Mapping[str, Any],
        as_of: date,
        reform: Mapping[str, Any] | None,
    ) -> Comparison:
        """As `Engine.what_if`: the profile as it is, against the changed one under `reform`."""
        facts = self.engine.validate(profile).model_dump(exclude_none=True)
        after = changed_profile(facts, changes)
        return compare(self.engine.evaluate(facts, as_of), self.get(reform).evaluate(after, as_of))
