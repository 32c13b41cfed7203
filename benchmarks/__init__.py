"""Benchmarks: `python -m benchmarks [suite ...]` (or `python3 dev.py bench`)."""
