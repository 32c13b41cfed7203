"""The public surface: what `import subsidy_engine` offers, guarded against accidental change."""

import re
from pathlib import Path

import subsidy_engine

README = Path(__file__).parents[1] / "README.md"


def _documented_names() -> set[str]:
    """The names the README's paragraph "Public names of `subsidy_engine`" lists."""
    text = README.read_text(encoding="utf-8")
    paragraph = text[text.index("Public names of `subsidy_engine`") :].split("\n\n")[0]
    return set(re.findall(r"`(\w+)`", paragraph)) - {"subsidy_engine"}


PUBLIC = _documented_names()


def test_public_names_are_exactly_the_documented_ones() -> None:
    assert set(subsidy_engine.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(subsidy_engine, name) is not None


def test_errors_share_one_base() -> None:
    for name in (
        "DiagnosticsError",
        "ExpressionError",
        "InputError",
        "ProfileError",
        "RulebookError",
    ):
        assert issubclass(getattr(subsidy_engine, name), subsidy_engine.SubsidyEngineError)
