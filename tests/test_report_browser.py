"""The HTML report in a real browser: headless Chromium draws it, offline, and prints it.

Needs Debian's chromium and chromium-driver (scripts/ensure-system-deps.sh installs them).
Skipped when they are missing, unless MATURITY_REQUIRE_BROWSER is set: then it fails.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from platform_maturity.reports.render import render
from platform_maturity.services.demo import create_demo
from platform_maturity.services.report import report_model
from platform_maturity.services.workspace import DATABASE_ENV, open_store

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "MATURITY_REQUIRE_BROWSER"
ACCENT_SHARE_MIN = 0.03  # of the pillar chart's pixels painted in the bar colour
MIN_PDF_PAGES = 6


def _require_browser() -> None:
    """Skip (or, when the browser is required, fail) unless Chromium and its driver exist."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if not missing:
        return
    reason = f"headless Chromium is not installed (missing {', '.join(missing)})"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(
            f"{reason} but {REQUIRE_ENV} is set: run scripts/ensure-system-deps.sh as root"
            " to install Debian's chromium and chromium-driver",
            pytrace=False,
        )
    pytest.skip(f"{reason}; run scripts/ensure-system-deps.sh to install it")


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """The demo organization's HTML report on disk, and the names of its pillars."""
    monkeypatch.delenv(DATABASE_ENV, raising=False)  # the demo's own SQLite file in tmp_path
    workspace = create_demo(tmp_path / "demo", NOW)
    with open_store(workspace, NOW, "test") as db:
        model = report_model(workspace, db, NOW)
        html = render(model, "html")
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, [p.name for p in model.scorecard.organization.pillars]


@pytest.fixture
def driver() -> Iterator[Any]:
    """Headless Chromium driven by Debian's chromedriver; Selenium Manager is never used."""
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,2000",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        browser.set_page_load_timeout(20)
        yield browser
    finally:
        browser.quit()


def _accent_share(png: bytes) -> float:
    """Share of pixels in the bars' indigo family: clearly blue, not white, grey or ink."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    accent = sum(1 for r, g, b in pixels if b >= 150 and b - r >= 60 and b - g >= 60)
    return accent / (len(data) // 3)


def _full_page_png(driver: Any) -> bytes:
    """The whole page, beyond the window, through the DevTools protocol."""
    width, height = driver.execute_script(
        "const d = document.documentElement;"
        " return [Math.ceil(d.scrollWidth), Math.ceil(d.scrollHeight)];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    return base64.b64decode(shot["data"])


def _pdf_pages(pdf: bytes) -> int:
    """A rough page count: page objects, not the page-tree nodes."""
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_report_renders_offline_in_chromium(
    driver: Any, report: tuple[Path, list[str]], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions

    path, pillar_names = report
    driver.get(path.resolve().as_uri())

    assert "Northwind" in driver.title

    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img][aria-labelledby]")
    assert len(charts) == 2, f"expected the pillar and trend charts, found {len(charts)}"
    for chart in charts:
        label = chart.get_attribute("aria-labelledby")
        assert chart.is_displayed(), f"chart {label} is not displayed"
        size = chart.size
        assert size["width"] >= 300 and size["height"] >= 150, f"chart {label} is {size}"

    (pillar_chart,) = (
        c for c in charts if "pillar-chart" in (c.get_attribute("aria-labelledby") or "")
    )
    share = _accent_share(pillar_chart.screenshot_as_png)
    assert share > ACCENT_SHARE_MIN, f"pillar bars barely painted: {share:.1%} accent pixels"

    kpi_section = driver.find_element(By.ID, "kpis")
    assert kpi_section.is_displayed()
    kpi_charts = kpi_section.find_elements(By.CSS_SELECTOR, "svg.kpi-chart")
    assert len(kpi_charts) >= 8, f"only {len(kpi_charts)} KPI trend charts"
    for chart in kpi_charts:
        assert chart.is_displayed() and chart.size["height"] >= 60, chart.size
        assert chart.find_elements(By.CSS_SELECTOR, "path.kpi-line")
    assert "Change failure rate" in kpi_section.text and "target < 5 %" in kpi_section.text

    body = driver.find_element(By.TAG_NAME, "body").text
    assert len(pillar_names) == 8
    missing = [name for name in pillar_names if name not in body]
    assert not missing, f"pillar names not visible: {missing}"

    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    remote = [name for name in resources if not name.startswith(("file:", "data:"))]
    assert not remote, f"the report fetched from outside the machine: {remote}"

    screenshot = tmp_path / "report.png"
    screenshot.write_bytes(_full_page_png(driver))
    assert screenshot.stat().st_size > 0

    pdf = base64.b64decode(driver.print_page(PrintOptions()))
    assert pdf.startswith(b"%PDF")
    pages = _pdf_pages(pdf)
    assert pages >= MIN_PDF_PAGES, f"the printed report has only {pages} pages"

    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, f"browser console errors: {severe}"
