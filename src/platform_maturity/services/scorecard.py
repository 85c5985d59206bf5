"""Scorecards, snapshots and differences, read from the store and computed by the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.results import Scorecard, ScorecardDiff
from platform_maturity.engine.diff import diff_scopes
from platform_maturity.engine.evaluate import Facts
from platform_maturity.engine.scorecard import build_scorecard
from platform_maturity.services.backlog_insights import scorecard_facts
from platform_maturity.services.downtime_insights import scorecard_facts as downtime_facts
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import repo
from platform_maturity.store.db import Database
from platform_maturity.store.models import SnapshotRow, SnapshotScoreRow


def load_facts(session: Session, workspace: Workspace, now: datetime | None = None) -> Facts:
    """What the engine reads; with ``now``, also the evidence the security backlog gives."""
    units = repo.list_units(session)
    configured = [u.slug for u in workspace.config.units]
    observations, measurements = repo.latest_observations(session), repo.list_measurements(session)
    if now is not None:
        backlog_observations, backlog_measurements = scorecard_facts(session, workspace, now)
        observations += backlog_observations
        measurements += backlog_measurements
        downtime_observations, downtime_measurements = downtime_facts(session, workspace, now)
        observations += downtime_observations
        measurements += downtime_measurements
    return Facts(
        answers=repo.list_answers(session),
        waivers=repo.list_waivers(session),
        observations=observations,
        measurements=measurements,
        units=tuple(configured),
        unit_names={u.slug: u.name for u in units},
    )


def current_scorecard(
    workspace: Workspace, database: Database, now: datetime, unit: str | None = None
) -> Scorecard:
    with database.transaction() as session:
        facts = load_facts(session, workspace, now)
    return build_scorecard(
        workspace.framework,
        facts,
        now,
        organization_name=workspace.config.organization.name,
        only_unit=workspace.unit(unit),
    )


def create_snapshot(
    workspace: Workspace, database: Database, name: str, as_of: datetime, now: datetime, actor: str
) -> Scorecard:
    """Freeze the scorecard as of ``as_of`` under ``name`` (e.g. ``2026-Q4``)."""
    if not name.strip():
        raise UserError("a snapshot needs a name", field="NAME")
    with database.transaction() as session:
        if repo.get_snapshot(session, name) is not None:
            raise UserError(
                "a snapshot with this name exists already",
                field="NAME",
                value=name,
                hint="Choose another name; snapshots are never overwritten.",
            )
        facts = load_facts(session, workspace, as_of)
        card = build_scorecard(
            workspace.framework, facts, as_of, organization_name=workspace.config.organization.name
        )
        scores = [
            SnapshotScoreRow(
                scope=scope.scope, pillar=p.id, score=p.score, level=p.level, coverage=p.coverage
            )
            for scope in (card.organization, *card.units)
            for p in scope.pillars
        ] + [
            SnapshotScoreRow(
                scope=scope.scope,
                pillar=OVERALL,
                score=scope.score,
                level=scope.level,
                coverage=scope.coverage,
            )
            for scope in (card.organization, *card.units)
        ]
        row = SnapshotRow(
            name=name,
            as_of=as_of,
            created_at=now,
            framework_version=workspace.framework.version,
            score=card.organization.score,
            level=card.organization.level,
            scorecard_json=card.model_dump_json(),
        )
        repo.add_snapshot(session, row, scores, actor)
    return card


OVERALL = "*"  # the pillar value of a snapshot_scores row holding a scope's overall score


@dataclass(frozen=True)
class SnapshotSummary:
    name: str
    as_of: datetime
    score: float | None
    level: int | None
    pillar_scores: dict[str, float | None]


def snapshot_summaries(database: Database, scope: str = "organization") -> list[SnapshotSummary]:
    """Every snapshot with its score, level and the pillar scores of ``scope``."""
    with database.transaction() as session:
        rows = repo.list_snapshots(session)
        pillars = repo.snapshot_pillar_scores(session, scope)
    result = []
    for r in rows:
        scores = pillars.get(r.name, {})
        score, level = scores.pop(OVERALL, (r.score, r.level))
        if scope != "organization" and not scores:
            continue  # the unit did not exist yet
        result.append(
            SnapshotSummary(r.name, r.as_of, score, level, {k: v[0] for k, v in scores.items()})
        )
    return result


def load_snapshot(database: Database, name: str, field: str = "SNAPSHOT") -> Scorecard:
    with database.transaction() as session:
        row = repo.get_snapshot(session, name)
        known = [r.name for r in repo.list_snapshots(session)]
    if row is None:
        raise UserError(
            "unknown snapshot",
            field=field,
            value=name,
            hint="Snapshots: "
            + (", ".join(known) or "none yet; create one with 'maturity snapshot create NAME'"),
        )
    return Scorecard.model_validate_json(row.scorecard_json)


def diff(
    workspace: Workspace, database: Database, before: str, after: str, now: datetime
) -> ScorecardDiff:
    """Compare two snapshots; the name ``now`` stands for the current state."""

    def card(name: str, field: str) -> Scorecard:
        if name == "now":
            return current_scorecard(workspace, database, now)
        return load_snapshot(database, name, field)

    a, b = card(before, "BEFORE"), card(after, "AFTER")
    return diff_scopes(before, a.organization, after, b.organization)
