"""The service speaks to people in their words: enum values by their labels in /fields and in
the profile schema the self-test page builds its choices from; readings in Chinese in
/rules/{id}."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from subsidy_engine import Engine
from subsidy_engine.service.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Engine()), raise_server_exceptions=False)


def _row(rows: list[dict[str, Any]], field: str) -> dict[str, Any]:
    return next(r for r in rows if r["field"] == field)


def test_fields_give_each_enum_values_labels(client: TestClient) -> None:
    rows = client.get("/fields").json()
    ownership = _row(rows, "ownership")
    assert ownership["labels"]["private"] == {"zh": "私营企业", "en": None}
    assert ownership["item_labels"] == {}
    assert _row(rows, "county")["labels"]["应县"] == {"zh": "应县", "en": "Ying County"}
    assert _row(rows, "employees")["labels"] == {}
    awards = _row(rows, "awards")
    assert awards["labels"] == {}
    assert set(awards["item_labels"]) == {"kind", "level"}
    assert awards["item_labels"]["kind"]["specialised_sme"]["zh"] == "“专精特新”企业"


def test_the_openapi_profile_carries_the_labels(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    profile = schemas["EnterpriseProfile"]["properties"]
    assert profile["credit_status"]["labels"]["seriously_dishonest"] == "严重失信"
    assert schemas["ProjectsItem"]["properties"]["land_tenure"]["labels"]["allocated"] == "划拨"


def test_a_rule_gives_its_readings_in_chinese(client: TestClient) -> None:
    detail = client.get("/rules/m37.procurement_small_micro_set_aside").json()
    assert detail["rule"]["interpretation_zh"].startswith("预留份额是各采购单位的义务")
    assert len(detail["readings_zh"]) == len(detail["readings"])
    assert detail["readings_zh"][0] == detail["rule"]["interpretation_zh"]
    assert any(
        r.startswith("企业规模（2011年划型标准）：每一规模档") for r in detail["readings_zh"]
    )
