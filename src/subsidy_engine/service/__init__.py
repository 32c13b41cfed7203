"""The HTTP service and the policy self-test page (`subsidy-engine serve`)."""

from subsidy_engine.service.app import create_app
from subsidy_engine.service.limits import Limits

__all__ = ["Limits", "create_app"]
