"""A rulebook (and an optional reform) packed to travel to Spark executors, and the per-worker
cache of the engines built from it.

`ship` reads the files of a rulebook folder (everything but its `tests/` folder and hidden
files: a few hundred kilobytes) into a `ShippedRulebook`, a small frozen, picklable value
keyed by a sha256 of its content. It travels inside the `mapInArrow` function's closure (Spark
broadcasts a closure over 1 MB by itself). On a Python worker, `ShippedRulebook.engine()`
writes the files to a temporary folder, loads them with the ordinary loader (so a worker's
rulebook is checked exactly as on one machine), applies the reform, deletes the folder and
keeps the `Engine` in a module-level cache keyed by the content hash: one build per worker
process and content, however many tasks and batches the worker runs (Spark reuses its Python
workers by default, `spark.python.worker.reuse`).

Each build is counted in `BUILDS` (per worker process). With the environment variable
`SUBSIDY_ENGINE_SPARK_BUILD_LOG` set to a folder (e.g. through
`spark.executorEnv.SUBSIDY_ENGINE_SPARK_BUILD_LOG`), each build also appends a line
`<pid> <digest>` to `builds.log` in it, so the builds of every worker can be counted.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from subsidy_engine.engine import Engine, Reform
from subsidy_engine.errors import InputError
from subsidy_engine.rulebook.loader import TESTS_DIR
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebooks import rulebook_path

BUILD_LOG_ENV = "SUBSIDY_ENGINE_SPARK_BUILD_LOG"
"""A folder: each engine build on a worker appends `<pid> <digest>` to `builds.log` in it."""
BUILDS: Counter[str] = Counter()
"""Engines built in this process, by content digest."""
_ENGINES: OrderedDict[str, Engine] = OrderedDict()
_CACHED = 8

RulebookSource = Engine | Rulebook | str | Path | None
"""What `ship` takes: an Engine, a loaded Rulebook, a rulebook folder, or None (bundled)."""


@dataclass(frozen=True, slots=True)
class ShippedRulebook:
    """A rulebook's files (and a reform), by content: what executors need to build the Engine.

    `reform` is a reform file as (file name, content), or a reform given as a mapping.
    """

    name: str
    files: tuple[tuple[str, bytes], ...]
    reform: tuple[str, bytes] | Mapping[str, Any] | None
    digest: str

    def engine(self) -> Engine:
        """The Engine for these files and this reform: built on first use in this process,
        then taken from the cache."""
        engine = _ENGINES.get(self.digest)
        if engine is not None:
            _ENGINES.move_to_end(self.digest)
            return engine
        engine = self._build()
        _ENGINES[self.digest] = engine
        while len(_ENGINES) > _CACHED:
            _ENGINES.popitem(last=False)
        BUILDS[self.digest] += 1
        _log_build(self.digest)
        return engine

    def _build(self) -> Engine:
        with tempfile.TemporaryDirectory(prefix="subsidy-engine-") as folder:
            root = Path(folder) / "rulebook" / self.name
            for rel, content in self.files:
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            engine = Engine(root)
            if self.reform is None:
                return engine
            if isinstance(self.reform, tuple):
                file_name, content = self.reform
                reform_path = Path(folder) / file_name
                reform_path.write_bytes(content)
                return engine.with_reform(reform_path)
            return engine.with_reform(self.reform)


def ship(source: RulebookSource = None, reform: Reform | None = None) -> ShippedRulebook:
    """`source`'s rulebook files and `reform`, packed for executors.

    An Engine or Rulebook is shipped from the folder it was loaded from; a reformed one is
    refused (pass the base rulebook and the reform separately).
    """
    root = _root(source)
    files = _files(root)
    shipped_reform = _reform(reform)
    digest = hashlib.sha256()
    for rel, content in files:
        digest.update(f"{rel}\0{len(content)}\0".encode())
        digest.update(content)
    digest.update(b"\0reform\0")
    if isinstance(shipped_reform, tuple):
        digest.update(f"{shipped_reform[0]}\0".encode())
        digest.update(shipped_reform[1])
    elif shipped_reform is not None:
        digest.update(repr(sorted(shipped_reform.items())).encode())
    return ShippedRulebook(root.name, files, shipped_reform, digest.hexdigest())


def _root(source: RulebookSource) -> Path:
    if source is None:
        return rulebook_path()
    if isinstance(source, str | Path):
        root = Path(source)
        if not root.is_dir():
            raise InputError(f"no rulebook folder {root}")
        return root
    rulebook = source.rulebook if isinstance(source, Engine) else source
    if rulebook.reform_label is not None:
        raise InputError(
            f"this rulebook carries reform {rulebook.reform_label}: pass the base rulebook "
            "and the reform separately (reform=...) so that executors can rebuild it"
        )
    if rulebook.sources is None:
        raise InputError("this rulebook was not loaded from files; it cannot be shipped")
    return Path(rulebook.sources.root)


def _files(root: Path) -> tuple[tuple[str, bytes], ...]:
    """Every file of the rulebook folder but its test cases, hidden files and caches."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        parts = rel.parts
        if parts[0] == TESTS_DIR or any(p.startswith(".") or p == "__pycache__" for p in parts):
            continue
        if path.is_file():
            out.append((rel.as_posix(), path.read_bytes()))
    return tuple(out)


def _reform(reform: Reform | None) -> tuple[str, bytes] | Mapping[str, Any] | None:
    if reform is None:
        return None
    if isinstance(reform, str | Path):
        path = Path(reform)
        if not path.is_file():
            raise InputError(f"no reform file {path}")
        return (path.name, path.read_bytes())
    return dict(reform)


def _log_build(digest: str) -> None:
    folder = os.environ.get(BUILD_LOG_ENV)
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    with (Path(folder) / "builds.log").open("a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {digest}\n")
