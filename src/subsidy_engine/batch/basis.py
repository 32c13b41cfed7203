"""What a run's results depend on besides the registry's rows: the rulebook (id and content
hash), the `as_of` date and the reform. An unchanged row has the same results only under the
same basis, so a change-only run checks it before it re-scores only the changed rows.

A scored Parquet file keeps its basis in the file's metadata (`METADATA_KEY`), another scored
file in a sidecar beside it (`OUTPUT.run.json`), a database run in the runs table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from subsidy_engine.errors import InputError
from subsidy_engine.rulebook.rulebook import Rulebook

METADATA_KEY = "subsidy_engine.run"
"""The Parquet metadata key that holds a scored file's basis (JSON)."""
SIDECAR_SUFFIX = ".run.json"


@dataclass(frozen=True, slots=True)
class RunBasis:
    """What a run's results depend on besides the registry's rows."""

    rulebook_id: str
    rulebook_sha256: str
    as_of: str
    reform: str | None

    @classmethod
    def of(cls, rulebook: Rulebook, as_of: date) -> RunBasis:
        return cls(rulebook.id, rulebook.sha256, as_of.isoformat(), rulebook.reform_label)

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
            )
        except (ValueError, KeyError, TypeError):
            message = f"{where}: the run's record cannot be read (not the JSON a run writes)"
            raise InputError(message) from None


_LABELS = {
    "rulebook_id": "rulebook",
    "rulebook_sha256": "rulebook content hash",
    "as_of": "as_of",
    "reform": "reform",
}


def sidecar(path: Path) -> Path:
    """Where a scored file other than Parquet keeps its basis."""
    return path.with_name(path.name + SIDECAR_SUFFIX)
