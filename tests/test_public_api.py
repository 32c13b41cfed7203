"""The public surface: what `import subsidy_engine` offers, guarded against accidental change."""

import subsidy_engine

PUBLIC = {
    "Amount",
    "AmountStatus",
    "Citation",
    "ConditionTrace",
    "DiagnosticsError",
    "Engine",
    "Evaluation",
    "ExpressionError",
    "InputError",
    "ProfileError",
    "RuleResult",
    "Rulebook",
    "RulebookError",
    "Status",
    "SubsidyEngineError",
    "__version__",
    "bundled_rulebook_path",
    "load_rulebook",
}


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
