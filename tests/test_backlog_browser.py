"""The review agenda and the report's security section in headless Chromium: drawn, offline,
nothing wider than the window, no console errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from platform_maturity.domain.backlog_results import SecuritySection
from platform_maturity.engine.backlog.attainment import (
    last_twelve_months,
    loss_summary,
    quarterly_trend,
)
from platform_maturity.engine.backlog.review import agenda
from platform_maturity.reports.backlog_pages import render_agenda_html
from platform_maturity.reports.render import render
from tests.test_backlog_engine import NOW
from tests.test_backlog_gold import _backlog
from tests.test_report_browser import _accent_share, _full_page_png, driver  # noqa: F401
from tests.test_reports_gold import _model

pytestmark = pytest.mark.browser


def _check_page(driver: Any, path: Path, charts: int) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    driver.get(path.resolve().as_uri())
    drawn = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(drawn) == charts
    for chart in drawn:
        assert chart.is_displayed() and chart.size["width"] >= 250
    share = _accent_share(drawn[0].screenshot_as_png)
    assert share > 0.02, f"attainment bars barely painted: {share:.1%}"
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the window"
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert not [r for r in resources if not r.startswith(("file:", "data:"))]
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    (path.parent / f"{path.stem}.png").write_bytes(_full_page_png(driver))


def test_review_agenda_in_chromium(driver: Any, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    page = tmp_path / "agenda.html"
    page.write_text(render_agenda_html(agenda(_backlog(), NOW, "Browser Org")), encoding="utf-8")
    _check_page(driver, page, charts=2)
    text = driver.find_element(By.TAG_NAME, "body").text
    for heading in (
        "1. New items to triage",
        "2. SLA breaches",
        "4. Accepted risks about to expire",
    ):
        assert heading in text
    driver.set_window_size(700, 1400)  # a narrow window: tables scroll inside their cards
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_report_security_section_in_chromium(driver: Any, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    backlog = _backlog()
    section = SecuritySection(
        as_of=NOW,
        currency="USD",
        open=4,
        untriaged=1,
        attainment=last_twelve_months(backlog, NOW),
        trend=quarterly_trend(backlog, NOW),
        breaches=(),
        top_exposure=(),
        loss=loss_summary(backlog, NOW),
        last_review=None,
    )
    page = tmp_path / "report.html"
    page.write_text(
        render(_model(tmp_path).model_copy(update={"security": section}), "html"), encoding="utf-8"
    )
    driver.get(page.resolve().as_uri())
    security = driver.find_element(By.ID, "security")
    assert security.is_displayed() and "SLA attainment" in security.text
    assert len(security.find_elements(By.CSS_SELECTOR, "svg[role=img]")) == 2
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
