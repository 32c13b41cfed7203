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


def test_applications_add_measure_6_and_their_refused_rows(client: TestClient) -> None:
    def application(id_: str, applied: str, completed: str | None) -> dict[str, object]:
        return {
            "id": id_,
            "kind": "business_registration",
            "applied_on": applied,
            "completed_on": completed,
            "department": "市行政审批局",
        }

    body = {
        "period": "2020Q1",
        "subjects": [],
        "applications": [
            application("on-time", "2020-03-02", "2020-03-05"),
            application("late", "2020-03-09", "2020-03-13"),
            application("pending", "2020-03-30", None),
            application("bad-date", "2020-02-30", None),
        ],
    }
    answer = client.post("/obligations", json=body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    [result] = data["results"]
    assert (result["rule_id"], result["subject_kind"], result["status"]) == (
        "m6.business_registration_3_days",
        "service_hall",
        "not_met",
    )
    assert (result["required"], result["achieved"], result["shortfall"]) == ("3", "1", "1")
    assert data["rollup"][0]["not_met"] == 1
    log = data["log"]
    assert (log["rows_read"], log["in_period"], log["rows_rejected"]) == (4, 3, 1)
    assert log["rejected"] == [
        {"row": 4, "id": "bad-date", "reason": "applied_on '2020-02-30' is not a date YYYY-MM-DD"}
    ]


def test_a_report_without_applications_has_no_log(client: TestClient) -> None:
    answer = client.post("/obligations", json={"period": "2020Q1", "subjects": []})
    assert answer.status_code == 200, answer.text
    assert "log" not in answer.json()
