"""Reading a rulebook's ``synthetic.yaml`` (or a configuration given in code)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from subsidy_engine.errors import RulebookError
from subsidy_engine.rulebook.rulebook import Rulebook
from subsidy_engine.rulebook.yaml_source import load_yaml
from subsidy_engine.synthetic.check import Checker
from subsidy_engine.synthetic.config import SyntheticConfig

CONFIG_FILE = "synthetic.yaml"


def load_config(rulebook: Rulebook, path: str | Path | None = None) -> SyntheticConfig:
    """The synthetic-registry configuration of `rulebook`: `path`, else ``synthetic.yaml`` in the
    rulebook's folder, else the generic defaults. Raises `RulebookError` naming file, line and
    key for a configuration that is malformed or does not fit the profile."""
    file = Path(path) if path is not None else rulebook.path / CONFIG_FILE
    if path is None and not file.is_file():
        return SyntheticConfig()
    document = load_yaml(file)
    try:
        config = SyntheticConfig.model_validate(document.data or {})
    except ValidationError as error:
        from subsidy_engine.rulebook.loader import schema_diagnostics

        raise RulebookError(schema_diagnostics(document, error)) from None
    Checker(rulebook, document).check(config)
    return config


def as_config(
    rulebook: Rulebook, config: SyntheticConfig | Mapping[str, Any] | str | Path | None
) -> SyntheticConfig:
    if config is None or isinstance(config, str | Path):
        return load_config(rulebook, config)
    parsed = (
        config if isinstance(config, SyntheticConfig) else SyntheticConfig.model_validate(config)
    )
    Checker(rulebook, None).check(parsed)
    return parsed
