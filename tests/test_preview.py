"""tilekit preview, opened in a real headless Chromium (Debian's package, driven through Selenium): tabs, carousel,
no network, no console error, hostile content inert, findings where they apply. Screenshots go to
test-artifacts/preview/."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import ROOT, edit_manifest, run_cli, write
from tests.imaging import SRGB_ICC, make_image

ARTIFACTS = ROOT / "test-artifacts" / "preview"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system packages; the tests skip without it locally and fail under CI=true."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromedriver are missing under CI=true; .ci/run installs Debian's packages")
        pytest.skip("the preview tests need chromium and chromedriver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                     "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def preview(tile: Path) -> Path:
    result = run_cli("preview", str(tile))
    assert result.exit_code == 0, result.output
    return tile.parent / f"{tile.name}-preview.html"


def open_page(driver: Any, page: Path) -> None:
    driver.get_log("performance")  # forget what earlier pages did
    driver.get_log("browser")
    driver.get(page.as_uri())


def requests(driver: Any) -> list[str]:
    """Every URL the page asked for since it was opened."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def visible(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]


def test_tabs_and_carousel_work_offline_without_console_errors(browser: Any, tile: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = preview(tile)
    open_page(browser, page)
    captions = [m["caption"] for m in json.loads((tile / "manifest.json").read_text())["tile"]["media"]]
    for tab in browser.find_elements(By.CSS_SELECTOR, "[data-tab]"):
        tab.click()
        key = tab.get_attribute("data-tab")
        assert [p.get_attribute("data-panel") for p in visible(browser, "[data-panel]")] == [key]
        browser.save_screenshot(str(ARTIFACTS / f"tab-{key}.png"))
    assert [t.get_attribute("data-tab") for t in browser.find_elements(By.CSS_SELECTOR, "[data-tab]")] == [
        "overview", "data-collected", "setup", "support", "release-notes"]
    assert "Quota usage metrics" in visible(browser, '[data-panel="release-notes"]')[0].text
    browser.find_element(By.CSS_SELECTOR, '[data-tab="overview"]').click()

    def shown() -> tuple[str, str]:
        [slide] = visible(browser, "[data-slide]")
        return slide.get_attribute("data-slide"), slide.find_element(By.TAG_NAME, "figcaption").text

    assert shown() == ("0", f"1/3 {captions[0]}")
    browser.find_element(By.CSS_SELECTOR, "[data-carousel-next]").click()
    assert shown() == ("1", f"2/3 {captions[1]}")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert shown() == ("2", f"3/3 {captions[2]}")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert shown()[0] == "0"  # round again
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
    assert shown()[0] == "2"
    browser.find_element(By.CSS_SELECTOR, "[data-carousel-prev]").click()
    assert shown()[0] == "1"
    browser.find_element(By.CSS_SELECTOR, '[data-thumb="0"]').click()
    assert shown()[0] == "0"
    images = browser.find_elements(By.CSS_SELECTOR, "[data-slide] img")
    assert all(browser.execute_script("return arguments[0].naturalWidth", img) == 1440 for img in images)
    browser.save_screenshot(str(ARTIFACTS / "overview.png"))
    assert [url for url in requests(browser) if not url.startswith(("file://", "data:"))] == []
    assert browser.get_log("browser") == []
    assert visible(browser, "[data-no-errors]")[0].text == "This tile has no errors and no warnings."


HOSTILE_README = """# Acme Cloud

## Overview

<script>window.pwned = "script"</script>

<img src="x" onerror="window.pwned = 'onerror'">

Click [here](javascript:window.pwned='link') or <a href="javascript:window.pwned='html-link'">there</a>.

<!-- xxx tabs xxx -->
<!-- xxx tab "Host" xxx -->
Host steps <b onmouseover="window.pwned='tab'">bold</b>.
<!-- xxz tab xxx -->
<!-- xxx tab "Kubernetes" xxx -->
Kubernetes steps.
<!-- xxz tab xxx -->
<!-- xxz tabs xxx -->

## Setup

### Installation

Install it.

## Uninstallation

Remove it.

## Support

Write to us.
"""


def test_hostile_content_is_shown_as_text_and_never_runs(browser: Any, tile: Path) -> None:
    from selenium.webdriver.common.by import By

    write(tile / "README.md", HOSTILE_README)
    edit_manifest(tile, lambda m: m["tile"]["media"][0].update(caption="<script>window.pwned='caption'</script>"))
    page = preview(tile)
    open_page(browser, page)
    for link in browser.find_elements(By.CSS_SELECTOR, '[data-panel="overview"] a'):
        link.click()
    for element in browser.find_elements(By.CSS_SELECTOR, '[data-panel="overview"] *'):
        if element.is_displayed():
            browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", element)
    assert browser.execute_script("return window.pwned === undefined")
    overview = visible(browser, '[data-panel="overview"]')[0].text
    assert '<script>window.pwned = "script"</script>' in overview
    assert "<script>window.pwned='caption'</script>" in overview
    assert "raw HTML fragments shown as text" in overview
    # Comment tabs are tabs: the first one shown, the second behind its button.
    assert "Host steps" in overview and "Kubernetes steps." not in overview
    browser.find_element(By.CSS_SELECTOR, '[data-readme-tab="1"]').click()
    assert "Kubernetes steps." in visible(browser, '[data-panel="overview"]')[0].text
    assert [url for url in requests(browser) if not url.startswith(("file://", "data:"))] == []
    browser.save_screenshot(str(ARTIFACTS / "hostile.png"))


def test_findings_are_marked_where_they_apply(browser: Any, tile: Path) -> None:
    from selenium.webdriver.common.by import By

    Image.new("RGBA", (1440, 810), (40, 90, 160, 128)).save(tile / "images" / "overview.png", icc_profile=SRGB_ICC)
    edit_manifest(tile, lambda m: m["tile"].update(support="README.md#Help"))
    readme = (tile / "README.md").read_text()
    write(tile / "README.md", readme.replace("## Uninstallation", "Uninstallation:"))
    page = preview(tile)
    open_page(browser, page)

    def marked(selector: str) -> set[str]:
        return {e.get_attribute("data-finding") for e in browser.find_elements(By.CSS_SELECTOR, f"{selector} [data-finding]")}

    assert marked('[data-slide="0"]') == {"image/color-mode"}
    assert marked('[data-slide="1"]') == set()
    assert "readme/broken-anchor" in marked('[data-panel="support"]')
    assert "readme/missing-section" in marked('[data-panel="setup"]')
    browser.find_element(By.CSS_SELECTOR, '[data-tab="support"]').click()
    assert "tile.support points at 'README.md#Help'" in visible(browser, '[data-panel="support"]')[0].text
    browser.save_screenshot(str(ARTIFACTS / "findings-support.png"))
    listed = marked("[data-findings]")
    assert {"image/color-mode", "readme/broken-anchor", "readme/missing-section"} <= listed
    assert not visible(browser, "[data-no-errors]")
    assert browser.get_log("browser") == []


def test_preview_is_never_written_inside_the_tile(tile: Path) -> None:
    result = run_cli("preview", str(tile), "-o", str(tile / "preview.html"))
    assert result.exit_code == 2 and "never written inside the tile" in result.output
    assert not (tile / "preview.html").exists()


def test_preview_needs_exactly_one_tile(tile: Path) -> None:
    shutil.copytree(tile, tile.parent / "other_tile")
    result = run_cli("preview", str(tile.parent))
    assert result.exit_code == 2 and "preview shows one tile" in result.output


def test_large_images_are_embedded_scaled(tile: Path) -> None:
    make_image(tile / "images" / "overview.png", size=(2880, 1620))
    page = preview(tile)
    html = page.read_text()
    first = re.search(r'data-slide="0">\s*<img src="data:([^;]+);base64,([^"]+)"', html)
    assert first is not None
    assert Image.open(io.BytesIO(base64.b64decode(first.group(2)))).size == (1440, 810)


def test_a_video_entry_shows_its_thumbnail_play_mark_and_vimeo_id(browser: Any, tile: Path) -> None:
    from selenium.webdriver.common.by import By

    edit_manifest(tile, lambda m: m["tile"]["media"].append(
        {"media_type": "video", "caption": "A tour", "image_url": "images/monitor.png", "vimeo_id": 123456789}))
    open_page(browser, preview(tile))
    browser.find_element(By.CSS_SELECTOR, '[data-thumb="3"]').click()
    [slide] = visible(browser, "[data-slide]")
    assert slide.get_attribute("data-slide") == "3"
    assert "Vimeo 123456789" in slide.text and "4/4 A tour" in slide.text
    assert slide.find_element(By.CSS_SELECTOR, ".play").is_displayed()
    assert browser.execute_script("return arguments[0].naturalWidth", slide.find_element(By.TAG_NAME, "img")) == 1440
    browser.save_screenshot(str(ARTIFACTS / "video.png"))
