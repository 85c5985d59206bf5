"""The KPI report rendered for the terminal (80 columns), Markdown and JSON, against gold
files. Inputs: the importer fixtures, read by the importers, computed by the engine.
Update with MATURITY_GOLD_UPDATE=1 (make gold-update)."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from platform_maturity.domain.events import EventSet, RecoveryDrill, SliWindow
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.domain.kpi_results import KpiReport
from platform_maturity.engine.kpi.periods import Quarter
from platform_maturity.engine.kpi.report import kpi_report
from platform_maturity.framework.loader import load_framework
from platform_maturity.importers.base import ImportContext
from platform_maturity.importers.registry import importer
from platform_maturity.reports.kpi_markdown import render_kpi_markdown
from platform_maturity.reports.kpi_terminal import render_kpi_terminal

GOLD = Path(__file__).parent / "gold"
FIXTURES = Path(__file__).parent / "fixtures" / "importers"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Berlin")


MAPPING = KpiMapping.model_validate(
    {
        "units": {"PAY": "payments", "acme/*": "platform"},
        "costs": {"unit_tag": "team"},
        "prometheus": {
            "subsystems": [{"name": "checkout", "total": "t", "unit": "payments"}],
        },
    }
)


def _report(unit: str | None = None) -> KpiReport:
    mapping = MAPPING
    context = ImportContext(mapping, ZONE, "EUR")
    events = EventSet()
    for kind, name in [
        ("jira-csv", "export.csv"),
        ("jira-changelog", "search.json"),
        ("jira-pipeline", "issues_job1_2026_05_01_10_00_00.csv"),
        ("github", "rest-issues.json"),
        ("github", "gh-pr-list.json"),
        ("github", "rest-runs.json"),
        ("github", "rest-deployments.json"),
        ("pagerduty", "incidents.json"),
        ("incidents-csv", "incidents.csv"),
        ("deployments-csv", "deployments.csv"),
        ("junit", "e2e.xml"),
        ("focus", "focus-1.2.csv"),
        ("headcount", "headcount.csv"),
    ]:
        batch = importer(kind).read(FIXTURES / kind / name, context)
        known = {i.source_id for i in batch.work_items}
        events.work_items[:] = [i for i in events.work_items if i.source_id not in known]
        events.work_items.extend(batch.work_items)
        events.pull_requests.extend(batch.pull_requests)
        events.runs.extend(batch.runs)
        events.deployments.extend(batch.deployments)
        events.incidents.extend(batch.incidents)
        events.costs.extend(batch.costs)
        events.headcounts.extend(batch.headcounts)
    events.drills.append(
        RecoveryDrill(
            "d1",
            datetime(2026, 5, 20, 8, tzinfo=UTC),
            datetime(2026, 5, 20, 11, 30, tzinfo=UTC),
            True,
            "full restore",
        )
    )
    april, may = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    events.sli.extend(
        [
            SliWindow("checkout", "error", april, may, 30, 12_000),
            SliWindow("checkout", "latency", april, may, 240, 12_000, threshold_s=0.5),
            SliWindow("search", "error", april, may, 5, 50_000),
        ]
    )
    return kpi_report(
        load_framework(),
        mapping,
        events,
        Quarter(2026, 2),
        ZONE,
        NOW,
        "Gold Org",
        "EUR",
        quarters=2,
        unit=unit,
    )


def _check(name: str, text: str) -> None:
    path = GOLD / name
    if os.environ.get("MATURITY_GOLD_UPDATE"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), "run make gold-update"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report() -> KpiReport:
    return _report()


def test_terminal_gold(report: KpiReport) -> None:
    buffer = io.StringIO()
    render_kpi_terminal(
        report, Console(file=buffer, width=80, force_terminal=False, color_system=None)
    )
    text = buffer.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    _check("kpi.txt", text)


def test_markdown_gold(report: KpiReport) -> None:
    _check("kpi.md", render_kpi_markdown(report))


def test_json_gold(report: KpiReport) -> None:
    _check("kpi.json", report.model_dump_json(indent=2) + "\n")


@pytest.fixture(scope="module")
def unit_report() -> KpiReport:
    """The payments unit: its own subsystem and costs; the drill is the organization's."""
    return _report("payments")


def test_unit_terminal_gold(unit_report: KpiReport) -> None:
    buffer = io.StringIO()
    render_kpi_terminal(
        unit_report, Console(file=buffer, width=80, force_terminal=False, color_system=None)
    )
    text = buffer.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "Recovery time objective [org]" in text
    _check("kpi-unit.txt", text)


def test_unit_markdown_gold(unit_report: KpiReport) -> None:
    text = render_kpi_markdown(unit_report)
    assert "**Scope: organization** — the organization's value: no recovery drill" in text
    _check("kpi-unit.md", text)


def test_unit_json_gold(unit_report: KpiReport) -> None:
    _check("kpi-unit.json", unit_report.model_dump_json(indent=2) + "\n")
