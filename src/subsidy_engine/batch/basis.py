"""What a run's results depend on besides the registry's rows: the rulebook (id and content
hash), the `as_of` date and the reform. An unchanged row has the same results only under the
same basis, so a change-only run checks it before it re-scores only the changed rows.

A basis also records what the run kept (`Kept`: its statuses and units, e.g. `--eligible-only`,
`--units cash`). That does not decide whether a row's results can be kept, but what can be
compared: a change-only run keeps the new results as the previous run kept its own, so that an
entitlement the previous run left out does not look gained.

A scored Parquet file keeps its basis in the file's metadata (`METADATA_KEY`), another scored
file in a sidecar beside it (`OUTPUT.run.json`), a database run in the runs table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from subsidy_engine.batch.scoring import status_names
from subsidy_engine.errors import InputError
from subsidy_engine.results import Status
from subsidy_engine.rulebook.rulebook import Rulebook

METADATA_KEY = "subsidy_engine.run"
"""The Parquet metadata key that holds a scored file's basis (JSON)."""
SIDECAR_SUFFIX = ".run.json"


@dataclass(frozen=True, slots=True)
class Kept:
    """The results a run kept: those of these statuses, of rules of these units (None: all)."""

    statuses: tuple[str, ...]
    units: tuple[str, ...] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None, where: str) -> Kept | None:
        """A recorded `Kept` (None: not recorded)."""
        try:
            return _kept(None if text is None else json.loads(text))
        except (ValueError, TypeError):
            raise InputError(f"{where}: what the run kept cannot be read ({text})") from None

    def shown(self) -> str:
        units = ", ".join(self.units) if self.units is not None else "all"
        return f"statuses {', '.join(self.statuses)}; units {units}"


@dataclass(frozen=True, slots=True)
class RunBasis:
    """What a run's results depend on besides the registry's rows, and what it kept of them
    (`kept`: None when the run did not record it)."""

    rulebook_id: str
    rulebook_sha256: str
    as_of: str
    reform: str | None
    kept: Kept | None = None

    @classmethod
    def of(cls, rulebook: Rulebook, as_of: date, kept: Kept | None = None) -> RunBasis:
        return cls(rulebook.id, rulebook.sha256, as_of.isoformat(), rulebook.reform_label, kept)

    def differences(self, now: RunBasis) -> list[str]:
        """Each way `now` differs from this basis, as `what: before -> now`."""
        found = []
        for name, label in _LABELS.items():
            before, after = getattr(self, name), getattr(now, name)
            if before != after:
                found.append(f"{label} {before or 'none'} -> {after or 'none'}")
        return found

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes, where: str) -> RunBasis:
        try:
            data = json.loads(text)
            return cls(
                str(data["rulebook_id"]),
                str(data["rulebook_sha256"]),
                str(data["as_of"]),
                None if data.get("reform") is None else str(data["reform"]),
                _kept(data.get("kept")),
            )
        except (ValueError, KeyError, TypeError):
            message = f"{where}: the run's record cannot be read (not the JSON a run writes)"
            raise InputError(message) from None


def _kept(data: object) -> Kept | None:
    """A recorded `Kept`; None for a run recorded before runs said what they kept."""
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("statuses"), list):
        raise TypeError("kept")
    units = data.get("units")
    if units is not None and not isinstance(units, list):
        raise TypeError("kept")
    return Kept(
        tuple(str(s) for s in data["statuses"]),
        None if units is None else tuple(str(u) for u in units),
    )


_LABELS = {
    "rulebook_id": "rulebook",
    "rulebook_sha256": "rulebook content hash",
    "as_of": "as_of",
    "reform": "reform",
}


def kept_of(statuses: Iterable[str | Status] | str, units: Iterable[str] | None) -> Kept:
    """What a run given these `statuses` and `units` (as `score` takes them) keeps."""
    return Kept(status_names(statuses), None if units is None else tuple(sorted(set(units))))


def sidecar(path: Path) -> Path:
    """Where a scored file other than Parquet keeps its basis."""
    return path.with_name(path.name + SIDECAR_SUFFIX)
