"""Build the report view model from the workspace."""

from __future__ import annotations

from datetime import datetime

from platform_maturity.engine.diff import diff_scopes
from platform_maturity.reports.model import ReportModel, build_report_model
from platform_maturity.services import scorecard as scorecards
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import repo
from platform_maturity.store.db import Database


def report_model(
    workspace: Workspace, database: Database, now: datetime, unit: str | None = None
) -> ReportModel:
    card = scorecards.current_scorecard(workspace, database, now, unit)
    with database.transaction() as session:
        rows = [r for r in repo.list_snapshots(session) if r.as_of <= now]
    history = [scorecards.load_snapshot(database, r.name) for r in rows]
    names = [r.name for r in rows]
    changes = None
    if history:
        previous = history[-1]
        if unit is None:
            before_scope = previous.organization
        else:
            slug = workspace.unit(unit)
            before_scope = next(
                (u for u in previous.units if u.scope == slug), previous.organization
            )
        changes = diff_scopes(names[-1], before_scope, "now", card.organization)
    if unit is not None:
        slug = workspace.unit(unit)
        history = [
            h.model_copy(
                update={
                    "organization": next((u for u in h.units if u.scope == slug), h.organization)
                }
            )
            for h in history
        ]
    return build_report_model(
        workspace.framework, workspace.config.organization.name, card, history, names, changes, now
    )
