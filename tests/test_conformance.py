"""The conformance suite: every rulebook's YAML test cases, through every backend.

Each case's profile is evaluated alone (`Engine.evaluate`) and scored in a table with the other
cases of its date (`score`); both must give what the case expects, and the same results as
each other for every rule and item, named by the case or not.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from subsidy_engine import Engine
from subsidy_engine.batch.conformance import ScoredCases, score_cases
from subsidy_engine.cases import (
    BACKENDS,
    Backend,
    check_case,
    check_scored_case,
    run_cases,
)
from subsidy_engine.rulebook.loader import load_cases
from subsidy_engine.rulebook.models import CasesFile, ExpectedCase

ROOT = Path(__file__).resolve().parents[1]
RULEBOOKS = sorted(p.parent for p in (ROOT / "rules").glob("*/rulebook.yaml"))


@cache
def _case_files(path: Path) -> dict[str, CasesFile]:
    return load_cases(path)


def _params() -> list[Any]:
    """One test per (rulebook, case, backend); a rulebook or case file that does not load is a
    failing test, never a skip."""
    out = []
    for path in RULEBOOKS:
        try:
            files = _case_files(path)
        except Exception as error:  # reported as the test's failure
            out.append(pytest.param(path, None, "evaluate", error, id=f"{path.name}-cases-load"))
            continue
        for rel, cases_file in sorted(files.items()):
            for case in cases_file.cases:
                # obligations (a case naming a subject kind) run on the scalar backend only
                for backend in BACKENDS if case.subject is None else BACKENDS[:1]:
                    name = f"{path.name}/{rel}::{case.name}::{backend}"
                    out.append(pytest.param(path, case, backend, None, id=name))
    return out


@cache
def _engine(path: Path) -> Engine:
    return Engine(path)


@cache
def _scored(path: Path) -> ScoredCases:
    engine = _engine(path)
    cases = [c for f in _case_files(path).values() for c in f.cases]
    return score_cases(engine, cases)


@pytest.mark.parametrize(("path", "case", "backend", "error"), _params())
def test_case(
    path: Path, case: ExpectedCase | None, backend: Backend, error: Exception | None
) -> None:
    assert error is None, f"the test cases of {path} do not load: {error}"
    assert case is not None
    engine = _engine(path)
    if backend == "evaluate":
        failures = check_case(engine, case)
    else:
        failures = check_scored_case(engine, case, _scored(path).of(case))
    assert not failures, "\n".join([case.name, *failures])


def test_there_are_rulebooks_with_cases() -> None:
    assert any((path / "tests").is_dir() for path in RULEBOOKS)


def test_the_runner_reports_a_backend_that_differs() -> None:
    """The runner compares the backends on every rule, not only those a case names: a scored
    result that differs from evaluate's is a failure even where the case expects nothing."""
    path = RULEBOOKS[0]
    engine = _engine(path)
    case = next(c for f in _case_files(path).values() for c in f.cases)
    scored = _scored(path).of(case)
    assert scored is not None
    assert check_scored_case(engine, case, scored) == []
    key = sorted(k for k in scored if k[0] not in case.expect)[0]
    tampered = dict(scored)
    tampered[key] = {**scored[key], "status": "excluded", "missing_facts": ["x"]}
    failures = check_scored_case(engine, case, tampered)
    assert any(key[0] in f and "status" in f for f in failures), failures
    assert any("missing_facts" in f for f in failures), failures
    del tampered[key]
    assert any("only evaluate" in f for f in check_scored_case(engine, case, tampered))


def test_run_cases_runs_both_backends() -> None:
    path = RULEBOOKS[0]
    outcomes = list(run_cases(_engine(path)))
    assert outcomes
    assert all(o.passed for o in outcomes), [o for o in outcomes if not o.passed][:3]
