"""Collect error and latency counts from Prometheus for a quarter and store them."""

from __future__ import annotations

from datetime import datetime

from platform_maturity.collectors.prometheus import collect, http_getter
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import SliWindow
from platform_maturity.services.kpi import resolve_quarter
from platform_maturity.services.kpi_import import import_context
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import event_repo
from platform_maturity.store.db import Database


def collect_prometheus(
    workspace: Workspace,
    database: Database,
    quarter_text: str | None,
    url: str | None,
    now: datetime,
) -> list[SliWindow]:
    """Query the quarter (up to now) and store one window per subsystem and measure."""
    config = workspace.config.kpi.prometheus
    base = url or config.url
    if not base:
        raise UserError(
            "no Prometheus URL",
            file=str(workspace.config_path),
            field="kpi.prometheus.url",
            hint="Set kpi.prometheus.url in maturity.yaml or pass --url.",
        )
    if not config.subsystems:
        raise UserError(
            "no subsystems to measure",
            file=str(workspace.config_path),
            field="kpi.prometheus.subsystems",
            hint="List each subsystem with its total and failed counters and, for latency,"
            " its histogram and target (docs/formats.md shows an example).",
        )
    quarter = resolve_quarter(workspace, quarter_text, now)
    zone = import_context(workspace).timezone
    start, end = quarter.start(zone), min(quarter.end(zone), now)
    windows = collect(http_getter(base), config.subsystems, start, end)
    with database.transaction() as session:
        event_repo.write_sli(session, windows, now)
    return windows
