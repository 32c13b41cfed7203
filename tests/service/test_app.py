"""The HTTP service through FastAPI's test client: every endpoint's answer, errors as JSON in the
caller's language, and the bounds on size and time."""

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from subsidy_engine import Engine
from subsidy_engine.profile_files import read_profile
from subsidy_engine.service.app import create_app
from subsidy_engine.service.limits import Limits
from subsidy_engine.service.requests import SCORE_LIMIT

ROOT = Path(__file__).parents[2]
HUAIREN = ROOT / "examples" / "huairen-ceramics-large.yaml"
DAY = "2019-12-31"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def huairen(engine: Engine) -> dict[str, Any]:
    profile = read_profile(HUAIREN, engine)
    return json.loads(profile.model_dump_json(exclude_none=True))


def test_evaluate_gives_what_the_library_gives(
    client: TestClient, engine: Engine, huairen: dict[str, Any]
) -> None:
    response = client.post("/evaluate", json={"profile": huairen, "as_of": DAY})
    assert response.status_code == 200
    expected = engine.evaluate(huairen, date(2019, 12, 31))
    assert response.json() == json.loads(expected.to_json())


def test_evaluate_options_shape_the_answer_as_to_json_does(
    client: TestClient, engine: Engine, huairen: dict[str, Any]
) -> None:
    options = {"statuses": ["eligible"], "citations": "ref", "traces": False}
    response = client.post("/evaluate", json={"profile": huairen, "as_of": DAY, "options": options})
    expected = engine.evaluate(huairen, date(2019, 12, 31)).to_json(**options)  # type: ignore[arg-type]
    assert response.json() == json.loads(expected)
    award = next(r for r in response.json()["results"] if r["rule_id"].startswith("m14.ceramic"))
    assert award["amount"] == {
        "unit": "cash",
        "status": "determined",
        "value": "7800000.00",
        "payer": ["city", "county"],
        "basis": "市、县(市、区)两级财政分级予以奖补",
        "label": None,
        "unspecified_parameters": [],
    }


def test_a_reform_changes_the_answer(client: TestClient, huairen: dict[str, Any]) -> None:
    reform = {
        "id": "award-50",
        "title": "粉煤灰奖励50万元",
        "parameters": {"fly_ash_award_amount": [{"value": "50万", "reference": "draft"}]},
    }
    body = {"profile": huairen, "as_of": DAY, "reform": reform}
    response = client.post("/evaluate", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["provenance"]["reform"]
    fly_ash = next(
        r for r in response.json()["results"] if r["rule"]["id"] == "m31.fly_ash_ceramic_award"
    )
    assert fly_ash["amount"]["value"] == "500000.00"


def test_a_bad_profile_is_named_field_by_field_in_chinese(client: TestClient) -> None:
    body = {"profile": {"employees": -3, "employes": 5}, "as_of": DAY}
    response = client.post("/evaluate", json=body, headers=ZH)
    assert response.status_code == 422
    error = response.json()
    assert (error["code"], error["message"]) == ("bad-profile", "企业信息未通过校验。")
    assert (error["field"], error["location"]) == ("employees", "body.profile.employees")
    assert [(p["field"], p["message"]) for p in error["problems"]] == [
        ("employees", "低于下限"),
        ("employes", "未知字段"),
    ]


def test_the_same_error_in_english(client: TestClient) -> None:
    body = {"profile": {"employees": "many"}, "as_of": "2019-13-01"}
    error = client.post("/evaluate", json=body, headers=EN).json()
    assert error["message"] == "The profile was refused."
    by_location = {p["location"]: p for p in error["problems"]}
    assert by_location["body.profile.employees"]["message"] == "must be a whole number"
    assert by_location["body.as_of"]["code"] == "bad-request"


def test_a_bad_reform_is_refused_with_its_place(client: TestClient) -> None:
    reform = {
        "id": "typo",
        "title": "拼写错误",
        "parameters": {"fly_ash_award_amout": [{"value": "50万", "reference": "draft"}]},
    }
    response = client.post(
        "/evaluate", json={"profile": {}, "as_of": DAY, "reform": reform}, headers=EN
    )
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "bad-reform"
    assert any("fly_ash_award_amount" in (p["hint"] or "") for p in error["problems"])


def test_json_that_does_not_parse_is_a_json_error(client: TestClient) -> None:
    response = client.post(
        "/evaluate", content=b"{not json", headers={"Content-Type": "application/json", **ZH}
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["message"] == "不是有效的JSON"


def test_gaps_ask_first_for_the_fact_that_decides_most(client: TestClient) -> None:
    response = client.post("/gaps", json={"profile": {"employees": 30}, "as_of": DAY})
    assert response.status_code == 200
    questions = response.json()["questions"]
    counts = [len(q["decides"]) for q in questions]
    assert counts == sorted(counts, reverse=True) and counts[0] > 1
    # the credit status decides every cash rule, through measure 27's exclusion
    assert questions[0]["fact"] == "credit_status"
    assert questions[0]["title"] == "信用状况"


def test_what_if_reports_a_gained_rule(client: TestClient, huairen: dict[str, Any]) -> None:
    body = {"profile": huairen, "changes": {"employees": 480}, "as_of": DAY}
    changes = client.post("/what-if", json=body).json()["changes"]
    kinds = {c["rule_id"]: c["kind"] for c in changes}
    assert kinds["m25.ceramic_loan_interest_subsidy"] == "lost"


def test_score_refuses_only_the_bad_profile(client: TestClient, huairen: dict[str, Any]) -> None:
    body = {
        "profiles": [huairen, {"employees": -1}, {}],
        "as_of": DAY,
        "options": {"statuses": ["eligible"], "traces": False},
    }
    answer = client.post("/score", json=body, headers=ZH).json()
    assert (answer["evaluated"], answer["refused"]) == (2, 1)
    refused = answer["items"][1]
    assert refused["evaluation"] is None
    assert refused["error"]["location"] == "body.profiles[1].employees"
    assert answer["items"][0]["evaluation"]["profile_key"] == huairen["credit_code"]


def test_score_has_a_stated_limit(client: TestClient) -> None:
    at_limit = {"profiles": [{}] * SCORE_LIMIT, "as_of": DAY, "options": {"traces": False}}
    assert client.post("/score", json=at_limit).status_code == 200
    over = {"profiles": [{}] * (SCORE_LIMIT + 1), "as_of": DAY}
    response = client.post("/score", json=over, headers=EN)
    assert response.status_code == 422
    assert response.json()["problems"][0]["location"] == "body.profiles"


def test_rules_and_one_rule_in_detail(client: TestClient, engine: Engine) -> None:
    rules = client.get("/rules").json()
    assert [r["id"] for r in rules] == [r.id for r in engine.rulebook.rules]
    detail = client.get("/rules/m36.above_scale_award_2y").json()
    assert detail["rule"]["citation"]["measure"] == 36
    assert [c["name"] for c in detail["conditions"]][:2] == ["industrial", "small_or_micro"]
    assert detail["fields"]["operating_revenue"] == ["is_small_or_micro"]
    assert detail["fields"]["above_scale_years"] == []
    assert any("上规入统后连续N年" in reading for reading in detail["readings"])


def test_an_unknown_rule_is_404_json(client: TestClient) -> None:
    response = client.get("/rules/m99.nothing", headers=ZH)
    assert response.status_code == 404
    assert response.json()["message"] == "没有该条规则。"
    assert response.json()["field"] == "rule_id"


def test_fields_for_one_rule(client: TestClient) -> None:
    rows = client.get("/fields", params={"rule": "m14.inclusive_tax_relief"}).json()
    # decided by the tax definitions: 小型微利企业 (its staff limit by sector), a small-scale
    # VAT taxpayer, or a technology start-up
    assert {r["field"] for r in rows} == {
        "industry_code",
        "employees",
        "taxable_income",
        "total_assets",
        "vat_small_scale_taxpayer",
        "is_tech_startup",
    }


def test_parameters_coverage_and_health(client: TestClient, engine: Engine) -> None:
    parameters = {p["name"]: p for p in client.get("/parameters").json()}
    assert set(parameters) == set(engine.rulebook.parameters)
    award = parameters["above_scale_award_2y_amount"]["values"]
    assert award[0]["value"] == "200000" and award[0]["reference"]
    coverage = client.get("/coverage").json()
    assert [c["measure"] for c in coverage] == list(range(1, 49))
    health = client.get("/health").json()
    assert (health["status"], health["rulebook_sha256"]) == ("ok", engine.rulebook.sha256)


def test_docs_are_served_from_packaged_assets(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower()
    for asset in (
        "/static-offline-docs/swagger-ui-bundle.js",
        "/static-offline-docs/swagger-ui.css",
    ):
        assert asset in page
        assert client.get(asset).status_code == 200
    assert "/static-offline-docs/redoc.standalone.js" in client.get("/redoc").text
    assert client.get("/openapi.json").json()["info"]["title"] == "subsidy-engine"


def test_the_self_test_page_and_its_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "惠企政策自测" in page.text
    for asset in ("/static/selftest.js", "/static/selftest.css"):
        assert client.get(asset).status_code == 200


def test_an_unknown_path_and_method_are_json(client: TestClient) -> None:
    missing = client.get("/nothing", headers=EN)
    assert (missing.status_code, missing.json()["code"]) == (404, "not-found")
    wrong = client.get("/evaluate", headers=ZH)
    assert (wrong.status_code, wrong.json()["message"]) == (405, "不支持该请求方法。")


def test_a_body_over_the_limit_is_refused_before_it_is_read(engine: Engine) -> None:
    small = TestClient(create_app(engine, Limits(max_body_bytes=2_000)))
    fits = {"profile": {"name": "x" * 1_000}, "as_of": DAY, "options": {"traces": False}}
    assert small.post("/evaluate", json=fits).status_code == 200
    too_big = {"profile": {"name": "x" * 3_000}, "as_of": DAY}
    response = small.post("/evaluate", json=too_big, headers=ZH)
    assert response.status_code == 413
    assert response.json() == {
        "code": "too-large",
        "message": "请求内容过大。",
        "field": None,
        "location": None,
        "problems": [],
    }

    def chunks() -> Any:
        yield b'{"profile": {"name": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}, "as_of": "2019-12-31"}'

    streamed = small.post(
        "/evaluate", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_a_request_over_its_time_is_503_json(engine: Engine) -> None:
    hurried = TestClient(create_app(engine, Limits(seconds=0.000_001)))
    started = time.perf_counter()
    response = hurried.post("/gaps", json={"profile": {}, "as_of": DAY}, headers=EN)
    assert response.status_code == 503
    assert response.json()["code"] == "timeout"
    assert time.perf_counter() - started < 5


def test_an_unexpected_failure_is_json_without_a_trace(engine: Engine) -> None:
    app = create_app(engine)

    @app.get("/fail")
    def fail() -> None:
        raise RuntimeError("secret internals")

    response = TestClient(app, raise_server_exceptions=False).get("/fail", headers=EN)
    assert response.status_code == 500
    assert response.json()["code"] == "internal"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_the_notice_is_html_in_the_callers_language(
    client: TestClient, huairen: dict[str, Any]
) -> None:
    body = {"profile": huairen, "as_of": DAY}
    chinese = client.post("/notice", json=body, headers=ZH)
    assert chinese.headers["content-type"].startswith("text/html")
    assert "惠企政策告知书" in chinese.text and "780万元" in chinese.text
    english = client.post("/notice", json=body, headers=EN).text
    assert "Policy entitlements notice" in english


def test_reformed_engines_are_kept_for_the_latest_reforms_only(engine: Engine) -> None:
    from subsidy_engine.service.reforms import ReformedEngines

    def reform(amount: int) -> dict[str, Any]:
        values = [{"value": amount, "reference": "draft"}]
        return {"id": f"r{amount}", "title": "试算", "parameters": {"fly_ash_award_amount": values}}

    kept = ReformedEngines(engine, size=2)
    assert kept.get(None) is engine
    first = kept.get(reform(1))
    assert kept.get(reform(1)) is first
    kept.get(reform(2))
    kept.get(reform(3))
    assert kept.get(reform(1)) is not first  # pushed out by two newer reforms
    assert len(kept._kept) == 2
