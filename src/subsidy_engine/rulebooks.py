"""Installed rulebooks, found through the `subsidy_engine.rulebooks` entry-point group.

A rulebook is data, not code: a distribution ships a rulebook folder and registers it under its
id, as the engine registers the Shuozhou rulebook it bundles::

    [project.entry-points."subsidy_engine.rulebooks"]
    shuozhou-2019 = "subsidy_engine.rulebooks:bundled_shuozhou_2019"

The object named is a function of no arguments returning the folder. A second city's rulebook
is installed the same way and found with no change to the engine. `Engine()` uses the one
installed rulebook and, when there are several, asks which (`Engine("id")`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from importlib.metadata import entry_points
from os import PathLike
from pathlib import Path

from subsidy_engine.errors import InputError

GROUP = "subsidy_engine.rulebooks"
BUNDLED = "shuozhou-2019"


def installed_rulebooks() -> dict[str, Callable[[], str | PathLike[str]]]:
    """Every installed rulebook: its id -> the function returning its folder.

    The engine's own rulebook is always among them, also when the engine runs from a source
    tree whose installed metadata predates the group.
    """
    found: dict[str, Callable[[], object]] = {}
    for entry in entry_points(group=GROUP):
        found.setdefault(entry.name, entry.load)
    found.setdefault(BUNDLED, lambda: bundled_shuozhou_2019)
    return {name: _caller(load) for name, load in sorted(found.items())}


def _caller(load: Callable[[], object]) -> Callable[[], str | PathLike[str]]:
    def folder() -> str | PathLike[str]:
        target = load()
        if not callable(target):
            raise InputError(f"a {GROUP} entry point must name a function, not {target!r}")
        path = target()
        if not isinstance(path, str | PathLike):
            raise InputError(f"a {GROUP} entry point returned {path!r}, not a folder")
        return path

    return folder


def rulebook_path(name: str | None = None) -> Path:
    """The folder of installed rulebook `name`, or of the only one installed when None."""
    installed = installed_rulebooks()
    if name is None:
        if len(installed) > 1:
            names = ", ".join(installed)
            raise InputError(
                f"several rulebooks are installed ({names}): say which, e.g. "
                f"Engine({next(iter(installed))!r})"
            )
        (name,) = installed
    folder = installed.get(name)
    if folder is None:
        raise InputError(f"no installed rulebook {name!r}; installed: {', '.join(installed)}")
    path = Path(folder())
    if not path.is_dir():
        raise InputError(f"installed rulebook {name!r} has no folder at {path}")
    return path


def bundled_shuozhou_2019() -> Path:
    """The Shuozhou 2019 rulebook: inside the wheel, or in the source tree's `rules/`."""
    packaged = resources.files("subsidy_engine").joinpath("_bundled", "rules", BUNDLED)
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules" / BUNDLED
