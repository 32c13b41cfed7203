"""Outputs that appear whole or not at all.

Every file a run writes is first written under a hidden temporary name in its target folder
(`.NAME.partial-PID-RANDOM`), and all of a run's files are renamed into place together, only
once the whole run has succeeded. A run that fails or is interrupted deletes its temporary
files and leaves the previous outputs untouched; a run killed outright leaves only files whose
names say they are partial.

Before anything is read, `check_targets` refuses an output that is one of the run's inputs
(symlinks and hard links included), two outputs on one path, and an output that is a folder.

    with Outputs(inputs=[registry]) as outputs:
        results = outputs.add(Path("out.parquet"))   # the temporary path to write to
        ...write results...
    # on a clean exit every file is renamed into place; on an exception none is
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from subsidy_engine import interrupt
from subsidy_engine.errors import InputError

PARTIAL = ".partial-"
"""Part of every temporary output's name."""


def check_targets(outputs: Iterable[Path | str], inputs: Iterable[Path | str] = ()) -> None:
    """InputError when an output is an input, two outputs are one file, or an output is a
    folder (or not a regular file that could be replaced)."""
    seen: dict[Path, Path] = {}
    sources = [Path(p) for p in inputs]
    for given in outputs:
        target = Path(given)
        if target.is_dir():
            raise InputError(f"{target}: is a folder; name a file to write")
        if target.exists() and not target.is_file():
            raise InputError(f"{target}: is not a regular file; name a file to write")
        for source in sources:
            if _same_file(source, target):
                raise InputError(f"{target}: is also an input ({source}); it would be overwritten")
        resolved = _resolved(target)
        if resolved in seen:
            other = "" if str(seen[resolved]) == str(target) else f" (as {seen[resolved]})"
            raise InputError(f"{target}: given for two outputs{other}; each needs its own file")
        seen[resolved] = target


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _same_file(a: Path, b: Path) -> bool:
    if _resolved(a) == _resolved(b):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


class Outputs(contextlib.AbstractContextManager["Outputs"]):
    """The files of one run, written under temporary names and renamed into place together."""

    def __init__(self, inputs: Iterable[Path | str] = ()) -> None:
        self._inputs = [Path(p) for p in inputs]
        self._pending: dict[Path, Path] = {}
        self._made: list[Path] = []
        """Folders made for the outputs, removed again when the run fails."""

    def add(self, target: Path | str) -> Path:
        """The temporary path to write `target` to (its folder is created if need be)."""
        final = Path(target)
        check_targets([*self._pending, final], self._inputs)
        folder = final.parent
        self._made += reversed([p for p in (folder, *folder.parents) if not p.exists()])
        folder.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(f".{final.name}{PARTIAL}{os.getpid()}-{secrets.token_hex(4)}")
        self._pending[final] = temporary
        return temporary

    def commit(self) -> None:
        """Rename every file written into place; a target never written is left as it was.
        KeyboardInterrupt instead when Ctrl-C was pressed during the run, even if swallowed."""
        interrupt.check()
        pending, self._pending = self._pending, {}
        with interrupt.deferred():
            for final, temporary in pending.items():
                if temporary.exists():
                    os.replace(temporary, final)

    def discard(self) -> None:
        """Delete every temporary file, and the folders made for them if they are empty; the
        targets keep their previous content."""
        pending, self._pending = self._pending, {}
        for temporary in pending.values():
            temporary.unlink(missing_ok=True)
        made, self._made = self._made, []
        for folder in reversed(made):
            with contextlib.suppress(OSError):  # not empty: something else was put there
                folder.rmdir()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            try:
                self.commit()
                self._made = []
            finally:
                self.discard()
        else:
            self.discard()


def write_bytes(target: Path | str, data: bytes) -> Path:
    """Write one whole file atomically; returns its path."""
    with Outputs() as outputs:
        outputs.add(target).write_bytes(data)
    return Path(target)


def write_text(target: Path | str, text: str) -> Path:
    """Write one whole UTF-8 text file atomically; returns its path."""
    return write_bytes(target, text.encode("utf-8"))
