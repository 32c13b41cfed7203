"""Optional dependencies: a feature that needs one says which extra to install.

>>> require("json", extra="batch").__name__
'json'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from subsidy_engine.errors import MissingDependencyError


def require(module: str, *, extra: str) -> ModuleType:
    """`module`, imported; MissingDependencyError naming `subsidy-engine[extra]` when it (or a
    package it is part of) is not installed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or not (module + ".").startswith(error.name + "."):
            raise  # the module is there but something it imports is broken: not ours to hide
        raise MissingDependencyError(
            f"this needs {module.split('.', maxsplit=1)[0]}, which is not installed: "
            f'pip install "subsidy-engine[{extra}]"'
        ) from error
