"""Rulebooks: rule-file models, loading and cross-checks."""
