"""A rulebook reads only its own folder.

Every path a rulebook names (its source text, its measure and test files, found by listing)
must resolve inside the rulebook's folder: no absolute path, no `..`, no symbolic link that
leads out. A path that does not is refused without being opened, so no error can echo content
from outside the rulebook.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from subsidy_engine.errors import Diagnostic


def inside(root: Path, rel: str) -> Path | None:
    """`root / rel` when it stays inside `root` once links are followed, else None."""
    posix, windows = PurePosixPath(rel), PureWindowsPath(rel)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        return None
    if ".." in posix.parts or ".." in windows.parts:
        return None
    path = root / rel
    if not path.resolve().is_relative_to(root.resolve()):
        return None
    return path


def outside(rel: str, named_in: str | None = None) -> Diagnostic:
    where = f" (named in {named_in})" if named_in else ""
    return Diagnostic(
        "outside-rulebook",
        f"{rel}{where} is not a file inside the rulebook's folder; a rulebook may read only its "
        "own files (no absolute path, '..' or link out of the folder)",
    )
