"""schemathesis against the service's own OpenAPI document: over every endpoint, generated
requests (valid and not) never get a 5xx, and every answer matches its documented schema,
status code and content type."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from subsidy_engine.service.app import create_app

APP = create_app()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ENDPOINTS = {
    ("POST", "/evaluate"),
    ("POST", "/gaps"),
    ("POST", "/what-if"),
    ("POST", "/score"),
    ("POST", "/notice"),
    ("POST", "/obligations"),
    ("GET", "/rules"),
    ("GET", "/rules/{rule_id}"),
    ("GET", "/parameters"),
    ("GET", "/coverage"),
    ("GET", "/fields"),
    ("GET", "/health"),
}


def test_the_document_lists_every_endpoint() -> None:
    listed = {
        (method.upper(), path)
        for path, operations in APP.openapi()["paths"].items()
        for method in operations
    }
    assert listed == ENDPOINTS


@SCHEMA.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_endpoint_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
