"""Profiles read from YAML or JSON files, with errors placed at the offending line."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from subsidy_engine.engine import Engine
from subsidy_engine.errors import Diagnostic, InputError, ProfileError, RulebookError
from subsidy_engine.limits import MAX_PROFILE_NODES
from subsidy_engine.rulebook.yaml_source import YamlDocument, load_yaml

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def read_profile(path: str | Path, engine: Engine) -> BaseModel:
    """The validated profile in `path` (YAML or JSON); errors name file, line and field."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no profile file {path}")
    return _read(path, engine, None)


def read_profile_text(text: str, engine: Engine, name: str = "<stdin>") -> BaseModel:
    """The validated profile in YAML or JSON `text` (e.g. standard input); errors name lines."""
    return _read(Path(name), engine, text)


def _read(path: Path, engine: Engine, text: str | None) -> BaseModel:
    try:
        document = load_yaml(path, text=text, max_nodes=MAX_PROFILE_NODES)
    except RulebookError as error:  # a YAML syntax error, reported the same way
        raise ProfileError(error.diagnostics) from None
    if not isinstance(document.data, dict):
        raise ProfileError(
            [
                Diagnostic(
                    "bad-profile", "a profile must be a mapping of fields", document.span_of([])
                )
            ]
        )
    try:
        return engine.validate(document.data)
    except ProfileError as error:
        raise ProfileError([_placed(d, document) for d in error.diagnostics]) from None


def _placed(diagnostic: Diagnostic, document: YamlDocument) -> Diagnostic:
    if not diagnostic.yaml_path:
        return diagnostic
    parts: list[str | int] = [
        name if name else int(index) for name, index in _PATH_PART.findall(diagnostic.yaml_path)
    ]
    placed = document.diagnostic(diagnostic.code, diagnostic.message, parts, hint=diagnostic.hint)
    return placed
