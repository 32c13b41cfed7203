"""`POST /obligations`: the report for a period over HTTP, and refusals as JSON 422s."""

import pytest
from fastapi.testclient import TestClient

from subsidy_engine.service.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_the_worked_example_over_http(client: TestClient) -> None:
    body = {
        "period": "2020Q1",
        "subjects": [
            {
                "kind": "procuring_body",
                "name": "市教育局",
                "facts": {"procurement_budget": "1000万", "sme_reserved": "250万"},
            }
        ],
    }
    answer = client.post("/obligations", json=body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    sme = data["results"][0]
    assert (sme["status"], sme["required"], sme["achieved"], sme["shortfall"]) == (
        "not_met",
        "3000000.00",
        "2500000.00",
        "500000.00",
    )
    assert data["results"][1]["missing_facts"] == ["small_micro_reserved"]
    assert data["rollup"][0]["not_met"] == 1
    assert data["period"]["end"] == "2020-03-31"


@pytest.mark.parametrize(
    ("subject", "period", "field"),
    [
        (
            {"kind": "procuring_body", "name": "x", "facts": {"procurement_budget": "x"}},
            "2020Q1",
            "procurement_budget",
        ),
        ({"kind": "hall", "name": "x", "facts": {}}, "2020Q1", None),
        ({"kind": "city", "name": "x", "facts": {}}, "2020Q5", None),
    ],
)
def test_refusals_are_422s_naming_the_problem(
    client: TestClient, subject: dict[str, object], period: str, field: str | None
) -> None:
    answer = client.post("/obligations", json={"period": period, "subjects": [subject]})
    assert answer.status_code == 422, answer.text
    if field is not None:
        assert field in answer.text
