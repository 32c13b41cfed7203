"""A throwaway PostgreSQL cluster for the database tests (`subsidy_engine.postgres_cluster`),
one per test session. Without the server binaries the fixture fails (it never skips), saying
what to install (.ci/run installs Debian's `postgresql` package).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from subsidy_engine.postgres_cluster import ClusterUnavailableError, throwaway_cluster


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database for this test session."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_cluster())
        except ClusterUnavailableError as error:
            pytest.fail(str(error))
        yield url
