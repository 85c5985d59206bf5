"""What the backlog tells: the review agenda, SLA attainment, audit evidence, scorecard facts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from platform_maturity.domain.backlog import Review
from platform_maturity.domain.backlog_results import (
    Agenda,
    Attainment,
    EvidenceRow,
    SecuritySection,
)
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import Measurement, Observation
from platform_maturity.engine.backlog.attainment import (
    attainment,
    last_twelve_months,
    loss_summary,
    quarterly_trend,
)
from platform_maturity.engine.backlog.evidence import backlog_measurements, backlog_observations
from platform_maturity.engine.backlog.review import agenda, evidence_rows
from platform_maturity.engine.backlog.views import Backlog, item_view
from platform_maturity.engine.postmortems import gap_costs, postmortem_measurements
from platform_maturity.services.backlog import apply_expiries, load_backlog
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import backlog_queries as queries
from platform_maturity.store import postmortem_queries
from platform_maturity.store.db import Database

TOP = 10


def review_agenda(
    workspace: Workspace,
    database: Database,
    now: datetime,
    next_review: datetime | None = None,
) -> Agenda:
    """The agenda of the next leadership review (expired acceptances reopen first)."""
    if next_review is not None and next_review <= now:
        raise UserError(
            "the next review must be in the future", field="--next", value=f"{next_review:%Y-%m-%d}"
        )
    with database.transaction() as session:
        apply_expiries(session, now)
    with database.transaction() as session:
        backlog = load_backlog(session, workspace)
    return agenda(backlog, now, workspace.config.organization.name, next_review)


def record_review(
    database: Database,
    *,
    held_at: datetime,
    attendees: list[str],
    notes: str | None,
    actor: str,
    now: datetime,
) -> Review:
    if held_at > now:
        raise UserError(
            "the review is dated in the future",
            field="--at",
            value=f"{held_at:%Y-%m-%d}",
            hint="Record a review after it took place.",
        )
    review = Review(
        held_at=held_at,
        attendees=tuple(a.strip() for a in attendees if a.strip()),
        notes=notes,
        recorded_by=actor,
    )
    with database.transaction() as session:
        new_id = queries.add_review(session, review, now)
    return review.model_copy(update={"id": new_id})


def list_reviews(database: Database) -> list[Review]:
    with database.transaction() as session:
        return queries.list_reviews(session)


def attainment_report(
    workspace: Workspace,
    database: Database,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    quarters: int = 5,
) -> tuple[Attainment, tuple[Attainment, ...]]:
    """Attainment over ``[start, end)`` (default: the last twelve months) and the trend."""
    with database.transaction() as session:
        backlog = load_backlog(session, workspace)
    if start is None and end is None:
        return last_twelve_months(backlog, now), quarterly_trend(backlog, now, quarters)
    period_end = min(end or now, now)
    period_start = start or period_end - timedelta(days=365)
    if period_start >= period_end:
        raise UserError(
            "the period is empty: --from must be before --to",
            field="--from",
            value=f"{period_start:%Y-%m-%d}",
        )
    label = f"{period_start:%Y-%m-%d} to {period_end:%Y-%m-%d}"
    return (
        attainment(backlog, period_start, period_end, label),
        quarterly_trend(backlog, period_end, quarters),
    )


def evidence(
    workspace: Workspace, database: Database, start: datetime, end: datetime, now: datetime
) -> list[EvidenceRow]:
    """Every item's dates against its SLA over ``[start, end)``, for auditors."""
    if start >= end:
        raise UserError(
            "the period is empty: --from must be before --to",
            field="--from",
            value=f"{start:%Y-%m-%d}",
        )
    if end > now:
        end = now
    with database.transaction() as session:
        backlog = load_backlog(session, workspace)
    return evidence_rows(backlog, start, end)


def evidence_csv(rows: list[EvidenceRow]) -> str:
    buffer = io.StringIO()
    fields = list(EvidenceRow.model_fields)
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow({k: "" if data[k] is None else data[k] for k in fields})
    return buffer.getvalue()


def evidence_json(
    rows: list[EvidenceRow], start: datetime, end: datetime, policy: dict[str, object]
) -> str:
    payload = {
        "format": "platform-maturity-sla-evidence",
        "version": 1,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "sla_policy": policy,
        "items": [r.model_dump(mode="json") for r in rows],
    }
    return json.dumps(payload, indent=2) + "\n"


# ---- the scorecard and the report ------------------------------------------------------


def scorecard_facts(
    session: Session, workspace: Workspace, now: datetime
) -> tuple[list[Observation], list[Measurement]]:
    """Goal evidence and metric values the backlog and the postmortems give, as of ``now``."""
    backlog = load_backlog(session, workspace)
    postmortems = postmortem_queries.list_postmortems(session)
    complete = frozenset(
        pm.subject_id
        for pm in postmortems
        if pm.subject_kind == "backlog_item" and pm.complete and pm.created_at <= now
    )
    observations = backlog_observations(backlog, now, complete)
    measurements = backlog_measurements(backlog, now) + postmortem_measurements(postmortems, now)
    return observations, measurements


def backlog_report_parts(
    workspace: Workspace,
    database: Database,
    now: datetime,
    unit: str | None,
    include_security: bool,
) -> tuple[SecuritySection | None, dict[str, str]]:
    """The report's security section (only when included) and the cost behind each gap
    (from postmortems; those about restricted subjects only when security is included)."""
    with database.transaction() as session:
        postmortems = postmortem_queries.list_postmortems(
            session, include_restricted=include_security
        )
        section = security_section(session, workspace, now, unit) if include_security else None
    costs = {g.code: g.headline for g in gap_costs(postmortems, now)}
    return section, costs


def security_section(
    session: Session, workspace: Workspace, now: datetime, unit: str | None = None
) -> SecuritySection | None:
    """The report's security section (of one unit's items with ``unit``); None when empty."""
    backlog: Backlog = load_backlog(session, workspace)
    if unit is not None:
        backlog = replace(backlog, items=[i for i in backlog.items if i.unit == unit])
    items = [i for i in backlog.items if i.reported_at <= now]
    if not items:
        return None
    views = [item_view(backlog, i, now) for i in items]
    open_views = [v for v in views if v.state.value in ("new", "triaged", "in_progress")]
    breaches = sorted((v for v in open_views if v.breached), key=lambda v: -(v.overdue_days or 0.0))
    exposure = sorted(
        (v for v in open_views if v.expected_annual_loss),
        key=lambda v: -(v.expected_annual_loss or 0.0),
    )
    last = backlog.last_review(now)
    costs = gap_costs(postmortem_queries.list_postmortems(session), now)
    return SecuritySection(
        as_of=now,
        currency=backlog.policy.currency,
        open=len(open_views),
        untriaged=sum(1 for v in open_views if v.severity is None),
        attainment=last_twelve_months(backlog, now),
        trend=quarterly_trend(backlog, now),
        breaches=tuple(breaches[:TOP]),
        top_exposure=tuple(exposure[:TOP]),
        loss=loss_summary(backlog, now),
        last_review=last.held_at if last else None,
        gap_costs=tuple((g.code, g.headline) for g in costs[:TOP]),
    )
