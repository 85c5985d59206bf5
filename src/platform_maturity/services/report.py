"""Build the report view model from the workspace."""

from __future__ import annotations

from datetime import datetime

from platform_maturity.domain.results import ScopeResult, Scorecard
from platform_maturity.engine.diff import diff_scopes
from platform_maturity.engine.evidence import scan_result
from platform_maturity.reports.model import ReportModel, build_report_model
from platform_maturity.services import scorecard as scorecards
from platform_maturity.services.backlog_insights import backlog_report_parts
from platform_maturity.services.kpi import kpi_section
from platform_maturity.services.scan import catalog_for
from platform_maturity.services.scan_settings import scan_settings
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import repo
from platform_maturity.store.db import Database


def _scope(card: Scorecard, unit: str | None) -> ScopeResult | None:
    """The organization's scope of a scorecard, or one unit's (None if it was not there)."""
    if unit is None:
        return card.organization
    return next((u for u in card.units if u.scope == unit), None)


def report_model(
    workspace: Workspace,
    database: Database,
    now: datetime,
    unit: str | None = None,
    include_security: bool = False,
) -> ReportModel:
    """The scorecard as of ``now`` with its history and the changes since the last snapshot.

    For a unit report, history and changes use that unit's own scores; snapshots taken
    before the unit existed are left out rather than replaced by organization numbers.
    The security backlog (restricted) is in the model only with ``include_security``.
    """
    slug = workspace.unit(unit)
    card = scorecards.current_scorecard(workspace, database, now, slug)
    with database.transaction() as session:
        names = [r.name for r in repo.list_snapshots(session) if r.as_of <= now]
    history: list[Scorecard] = []
    kept: list[str] = []
    for name in names:
        snapshot = scorecards.load_snapshot(database, name)
        scope = _scope(snapshot, slug)
        if scope is not None:
            history.append(snapshot.model_copy(update={"organization": scope}))
            kept.append(name)
    changes = None
    if history:
        changes = diff_scopes(kept[-1], history[-1].organization, "now", card.organization)
    with database.transaction() as session:
        observations = [o for o in repo.latest_observations(session) if o.observed_at <= now]
    if slug is not None:
        observations = [o for o in observations if o.unit == slug]
    catalog = catalog_for(scan_settings(workspace))
    scan = scan_result(observations, catalog.goals_with_checks())
    titles = {c.id: c.title for c in catalog.checks} if scan else {}
    security, gap_costs = backlog_report_parts(workspace, database, now, slug, include_security)
    return build_report_model(
        workspace.framework,
        workspace.config.organization.name,
        card,
        history,
        kept,
        changes,
        now,
        scan=scan,
        check_titles=titles,
        security=security,
        gap_costs=gap_costs,
        kpis=kpi_section(workspace, database, now, slug),
    )
