"""The service-log shape of the bundled rulebook, read once for the folder."""

import pytest

from subsidy_engine import Engine
from subsidy_engine.service_log import LogShape, log_shape


@pytest.fixture(scope="session")
def shape() -> LogShape:
    return log_shape(Engine().rulebook)
