"""A real browser (Debian's chromium and chromium-driver, through selenium) drives the policy
self-test page of a running service for three enterprises, answering each question it asks
from the enterprise's facts, to the entitlements the engine gives those facts; and renders a
notice, checking that its Chinese is drawn as distinct glyphs, not boxes.

These tests fail, not skip, when the browser is missing: `.ci/run` installs it
(`apt-get install chromium chromium-driver fonts-noto-cjk`).
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from subsidy_engine import Engine
from subsidy_engine.notice import CHROMIUM_QUIET
from subsidy_engine.profile_files import read_profile
from subsidy_engine.rulebook.models import ScalarFieldSpec
from subsidy_engine.views import plain

pytestmark = pytest.mark.xdist_group("browser")

ROOT = Path(__file__).parents[2]
DAY = date(2019, 12, 31)
ENTERPRISES = ["huairen-ceramics-large", "small-logistics-firm", "software-startup"]
CHROME_FLAGS = ["--headless=new", *CHROMIUM_QUIET, "--window-size=1100,1600"]


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        f"none of {', '.join(names)} is installed: the browser tests need Debian's chromium "
        "and chromium-driver (apt-get install chromium chromium-driver fonts-noto-cjk)",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "subsidy_engine.service.app:worker_app",  # as `subsidy-engine serve` runs it
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the service did not start", pytrace=False)
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = _binary("chromium", "chromium-browser")
    driver_path = _binary("chromedriver", "chromium-driver")
    with tempfile.TemporaryDirectory(prefix="selftest-browser-") as profile:
        for flag in [*CHROME_FLAGS, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(driver_path))
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()


def _scalar_facts(engine: Engine, name: str) -> dict[str, Any]:
    """The enterprise's facts the page can ask about: every fact but the lists."""
    facts = read_profile(ROOT / "examples" / f"{name}.yaml", engine).model_dump(exclude_none=True)
    fields = engine.rulebook.profile.spec.fields
    return {k: v for k, v in facts.items() if isinstance(fields[k], ScalarFieldSpec)}


def _answer(driver: WebDriver, value: Any) -> None:
    if isinstance(value, bool):
        driver.find_element(By.ID, "answer-yes" if value else "answer-no").click()
    else:
        field = driver.find_element(By.ID, "answer-input")
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        if field.tag_name == "select":
            Select(field).select_by_value(text)
        else:
            field.clear()
            field.send_keys(text)
    driver.find_element(By.ID, "submit-answer").click()


def _settled(driver: WebDriver, asked: str) -> bool:
    if driver.find_element(By.ID, "done").is_displayed():
        return True
    if driver.find_element(By.ID, "problem").text:
        raise AssertionError(driver.find_element(By.ID, "problem").text)
    return driver.find_element(By.ID, "question-number").text != asked


def _questions(server: str, browser: WebDriver, engine: Engine) -> Iterator[str]:
    """Open the self-test page and yield the fact each question asks, once the caller has
    answered the one before, until the page is done; fail if it keeps asking."""
    browser.get(f"{server}/?as_of={DAY.isoformat()}")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_element(By.ID, "question-title").get_attribute("data-fact"))
    asked: list[str] = []
    for _ in range(len(engine.rulebook.profile.spec.fields) + 1):
        if browser.find_element(By.ID, "done").is_displayed():
            return
        fact = browser.find_element(By.ID, "question-title").get_attribute("data-fact") or ""
        asked.append(fact)
        number = browser.find_element(By.ID, "question-number").text
        yield fact
        wait.until(lambda d, n=number: _settled(d, n))
    pytest.fail(f"the page kept asking: {asked}")


@pytest.mark.parametrize("name", ENTERPRISES)
def test_the_self_test_reaches_the_enterprises_entitlements(
    server: str, browser: WebDriver, engine: Engine, name: str
) -> None:
    facts = _scalar_facts(engine, name)
    asked: list[str] = []
    for fact in _questions(server, browser, engine):
        assert fact not in asked, f"{fact} asked twice"
        asked.append(fact)
        if fact in facts:
            _answer(browser, facts[fact])
        else:
            browser.find_element(By.ID, "skip").click()

    expected = engine.evaluate(facts, DAY).eligible
    shown = browser.find_elements(By.CSS_SELECTOR, "#entitlements .entitlement")
    assert sorted(e.get_attribute("data-rule-id") or "" for e in shown) == sorted(
        r.rule_id for r in expected
    )
    assert browser.find_element(By.ID, "match-count").text == str(len(expected))
    listed = browser.find_element(By.ID, "entitlements").text
    if any(r.amount.unit == "cash" for r in expected):
        assert shown[0].get_attribute("data-unit") == "cash"  # money first
    for result in expected:
        assert f"第{result.citation.measure}条 {result.citation.heading}" in listed
    for result in expected:
        for quote in result.citation.quotes:
            assert quote in listed
    if name == "huairen-ceramics-large":
        award = browser.find_element(
            By.CSS_SELECTOR, '[data-rule-id="m14.ceramic_tax_retention_award"]'
        )
        assert "780万元" in award.text and "市级、县级" in award.text

    browser.find_element(By.ID, "download-notice").click()
    link = WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "notice-link"))[0]
    assert (link.get_attribute("href") or "").startswith("blob:")


def _ink(png: bytes) -> tuple[int, bytes]:
    """Dark pixels in a screenshot, and the image's bytes in grey (to tell glyphs apart)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    pixels = image.tobytes()
    return sum(1 for p in pixels if p < 128), pixels


def test_a_notice_renders_its_chinese_as_glyphs(
    server: str, browser: WebDriver, engine: Engine, tmp_path: Path
) -> None:
    facts = _scalar_facts(engine, "huairen-ceramics-large")
    response = httpx.post(
        f"{server}/notice",
        json={"profile": plain(facts), "as_of": DAY.isoformat()},
        headers={"Accept-Language": "zh-CN"},
        timeout=30,
    )
    assert response.status_code == 200
    page = tmp_path / "notice.html"
    page.write_text(response.text, encoding="utf-8")
    browser.get(page.as_uri())
    text = browser.find_element(By.TAG_NAME, "body").text
    company = "怀仁市华晟建筑陶瓷有限公司"
    for words in ("惠企政策告知书", company, "资金类支持", "支持标准", "牵头部门", "780万元"):
        assert words in text
    assert text.index("资金类支持") < text.index("权益与办理时限") < text.index("需补充信息")

    browser.execute_script(
        "const probe = document.createElement('div'); probe.id = 'glyphs';"
        "probe.style.fontSize = '48px';"
        "for (const c of ['惠', '企', '政', '策']) {"
        "  const s = document.createElement('span'); s.textContent = c;"
        "  s.style.display = 'inline-block'; s.style.padding = '4px'; probe.append(s); }"
        "document.body.prepend(probe);"
    )
    spans = browser.find_elements(By.CSS_SELECTOR, "#glyphs span")
    drawn = [_ink(span.screenshot_as_png) for span in spans]
    assert all(ink > 40 for ink, _ in drawn), [ink for ink, _ in drawn]
    assert len({pixels for _, pixels in drawn}) == len(drawn), "the glyphs are all the same box"
    title_ink, _ = _ink(browser.find_element(By.TAG_NAME, "h1").screenshot_as_png)
    assert title_ink > 200


def _fill(driver: WebDriver, name: str, value: Any) -> None:
    """One field of the item form: a select by value, a date set as ISO text, else typed."""
    element = driver.find_element(By.ID, f"item-{name}")
    if element.tag_name == "select":
        Select(element).select_by_value(str(value).lower() if isinstance(value, bool) else value)
    elif isinstance(value, date):
        driver.execute_script("arguments[0].value = arguments[1]", element, value.isoformat())
    else:
        element.send_keys(format(value, "f") if isinstance(value, Decimal) else str(value))


def _answer_list(driver: WebDriver, items: list[Any]) -> None:
    if not items:
        driver.find_element(By.ID, "answer-none").click()
        return
    for item in items:
        for name, value in item.items() if isinstance(item, dict) else [("value", item)]:
            _fill(driver, name, value)
        driver.find_element(By.ID, "add-item").click()
    added = driver.find_elements(By.CSS_SELECTOR, "#added-items .added-item")
    assert len(added) == len(items)
    driver.find_element(By.ID, "submit-answer").click()


def test_the_self_test_asks_for_list_items_and_shows_per_item_entitlements(
    server: str, browser: WebDriver, engine: Engine
) -> None:
    """An enterprise adds its awards, exhibitions, technology centres and above-size years
    item by item, answers 'none' for service applications and skips its projects; each award,
    fair and centre that qualifies appears as its own entitlement."""
    facts = read_profile(ROOT / "examples" / "huairen-ceramics-large.yaml", engine).model_dump(
        exclude_none=True
    )
    del facts["projects"]
    lists_asked: list[str] = []
    for fact in _questions(server, browser, engine):
        if browser.find_elements(By.ID, "item-form"):
            lists_asked.append(fact)
            if fact == "awards":
                options = browser.find_element(By.ID, "item-kind").text
                assert "省级质量奖" in options and "provincial_quality_award" not in options
        if fact in facts and isinstance(facts[fact], list):
            _answer_list(browser, facts[fact])
        elif fact in facts:
            _answer(browser, facts[fact])
        else:
            browser.find_element(By.ID, "skip").click()

    assert {"awards", "exhibitions", "technology_centres", "service_applications"} <= set(
        lists_asked
    )
    assert "projects" in lists_asked  # asked, and skipped
    expected = engine.evaluate(facts, DAY).eligible
    shown = browser.find_elements(By.CSS_SELECTOR, "#entitlements .entitlement")
    assert sorted(e.get_attribute("data-rule-id") or "" for e in shown) == sorted(
        r.rule_id for r in expected
    )
    per_item = [r for r in expected if r.item is not None]
    assert {r.rule_id for r in per_item} >= {
        "m34.provincial_quality_award",
        "m35.exhibition_booth_subsidy",
    }
    award = browser.find_element(By.CSS_SELECTOR, '[data-rule-id="m34.provincial_quality_award"]')
    assert "第七届山西省质量奖" in award.text and "100万元" in award.text
