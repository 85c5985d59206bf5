"""The status page in a real browser: headless Chromium draws both variants offline, the
uptime bars are painted in their colours, and the page prints.

Needs Debian's chromium and chromium-driver (scripts/ensure-system-deps.sh installs them).
Skipped when they are missing, unless MATURITY_REQUIRE_BROWSER is set: then it fails.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_maturity.domain.downtime import Method
from platform_maturity.domain.probes import ProbeResult
from platform_maturity.services.downtime import record_results, sync_incidents
from platform_maturity.services.incidents import post_update
from platform_maturity.services.status_page import build_status_pages
from platform_maturity.services.workspace import load_workspace, open_store
from tests import test_report_browser as browser
from tests.test_report_browser import _full_page_png, _pdf_pages

driver = browser.driver  # the same headless Chromium fixture

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CONFIG = {
    "version": 1,
    "organization": {"name": "Acme"},
    "downtime": {
        "failure_threshold": 2,
        "components": [
            {
                "id": "auth",
                "name": "Authentication",
                "public_name": "Sign-in",
                "owner": "ines@example.com",
                "flows": [{"id": "login", "name": "Log in", "latency_budget_ms": 500}],
            },
            {
                "id": "feed",
                "name": "Feed",
                "flows": [{"id": "read", "name": "Read the feed", "latency_budget_ms": 800}],
            },
        ],
    },
}


def _results(component: str, flow: str, failing: set[int]) -> list[ProbeResult]:
    start = NOW - timedelta(days=40)
    step = timedelta(hours=1)
    return [
        ProbeResult(
            probe=f"{component} probe",
            component=component,
            flow=flow,
            method=Method.SYNTHETIC,
            at=start + i * step,
            ok=i not in failing,
            error=None if i not in failing else "[STATUS] (503) == 200",
        )
        for i in range(int((NOW - start) / step) + 1)
    ]


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, Path]:
    path = tmp_path / "maturity.yaml"
    path.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    ws = load_workspace(path, env={"MATURITY_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    last = int(timedelta(days=40) / timedelta(hours=1))
    with open_store(ws, NOW, "test") as db:
        record_results(db, _results("auth", "login", {200, 201, 202, 600, 601}))
        record_results(db, _results("feed", "read", {last - 2, last - 1, last}))
        outcome = sync_incidents(ws, db, NOW)
        assert [i.component for i in outcome.opened] == ["feed"]
        post_update(
            db,
            outcome.opened[0].key,
            "The feed is empty for some users; we are on it.",
            public=True,
            status="identified",
            actor="ines",
            now=NOW,
        )
        return build_status_pages(ws, db, NOW, tmp_path / "status")


def _colour_share(png: bytes, rgb: tuple[int, int, int]) -> float:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    near = sum(1 for r, g, b in pixels if abs(r - rgb[0]) + abs(g - rgb[1]) + abs(b - rgb[2]) < 40)
    return near / (len(data) // 3)


def test_status_pages_render_offline_and_print(
    driver: Any, pages: dict[str, Path], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions

    driver.get(pages["public"].resolve().as_uri())
    assert driver.title == "Acme status"
    banner = driver.find_element(By.CSS_SELECTOR, ".banner").text
    assert banner == "Major outage: Feed"
    cards = driver.find_elements(By.CSS_SELECTOR, ".component")
    assert [c.find_element(By.CSS_SELECTOR, ".name").text for c in cards] == ["Sign-in", "Feed"]
    for card in cards:
        bars = card.find_elements(By.CSS_SELECTOR, ".bars span")
        assert len(bars) == 90 and all(b.size["height"] >= 20 for b in bars)
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "The feed is empty for some users; we are on it." in body
    assert "ines@example.com" not in body and "INC-" not in body
    bars = cards[0].find_element(By.CSS_SELECTOR, ".bars").screenshot_as_png
    assert _colour_share(bars, (0x1F, 0x9D, 0x55)) > 0.2, "green bars for days up"
    assert _colour_share(bars, (0xD6, 0x45, 0x45)) > 0.001, "red bars for days down"
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert not [r for r in resources if not r.startswith(("file:", "data:"))]
    (tmp_path / "status-public.png").write_bytes(_full_page_png(driver))
    pdf = base64.b64decode(driver.print_page(PrintOptions()))
    assert pdf.startswith(b"%PDF") and _pdf_pages(pdf) >= 1

    driver.get(pages["internal"].resolve().as_uri())
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "INC-" in body and "ines@example.com" in body and "Read the feed — failing" in body
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe
