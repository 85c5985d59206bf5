"""The leadership review agenda and the auditors' evidence rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from platform_maturity.domain.backlog import OPEN_STATES, ItemState
from platform_maturity.domain.backlog_results import Agenda, EvidenceRow, ItemView
from platform_maturity.engine.backlog.attainment import (
    last_twelve_months,
    loss_summary,
    quarterly_trend,
)
from platform_maturity.engine.backlog.views import Backlog, item_view

DAY = 86400.0


def agenda(
    backlog: Backlog,
    moment: datetime,
    organization: str,
    next_review: datetime | None = None,
) -> Agenda:
    """New items to triage, breaches, what falls due before the next review, expiring risks."""
    cadence = backlog.policy.review.cadence_days
    upcoming = next_review or moment + timedelta(days=cadence)
    views = [
        item_view(backlog, item, moment) for item in backlog.items if item.reported_at <= moment
    ]
    to_triage = sorted(
        (v for v in views if v.state == ItemState.NEW),
        key=lambda v: (-(v.suggested_severity or 0), v.reported_at),
    )
    open_views = [v for v in views if v.state in OPEN_STATES and v.severity is not None]
    breaches = sorted((v for v in open_views if v.breached), key=lambda v: -(v.overdue_days or 0.0))
    due = sorted(
        (
            v
            for v in open_views
            if not v.breached and v.next_due is not None and v.next_due < upcoming
        ),
        key=lambda v: v.next_due or moment,
    )
    expiring = sorted(
        (
            v
            for v in views
            if v.state == ItemState.RISK_ACCEPTED
            and v.acceptance_expires is not None
            and v.acceptance_expires < upcoming
        ),
        key=lambda v: v.acceptance_expires or moment,
    )
    open_by_band = {b.name: 0 for b in backlog.policy.sla_policy.ordered()}
    for v in open_views:
        if v.band is not None:
            open_by_band[v.band] = open_by_band.get(v.band, 0) + 1
    overdue_cost = sum(
        (v.expected_annual_loss or 0.0) / 365 * (v.overdue_days or 0.0) for v in breaches
    )
    last = backlog.last_review(moment)
    return Agenda(
        organization=organization,
        generated_at=moment,
        next_review=upcoming,
        last_review=last.held_at if last else None,
        cadence_days=cadence,
        currency=backlog.policy.currency,
        to_triage=tuple(to_triage),
        breaches=tuple(breaches),
        due_before_next=tuple(due),
        expiring_acceptances=tuple(expiring),
        open_by_band=open_by_band,
        loss=loss_summary(backlog, moment),
        attainment=last_twelve_months(backlog, moment),
        trend=quarterly_trend(backlog, moment),
        overdue_cost=round(overdue_cost, 2),
    )


def _outcome(state: ItemState, view: ItemView, resolved_in_period: bool) -> str:
    if state == ItemState.RESOLVED:
        if not resolved_in_period:
            return "resolved before the period"
        if view.within_sla is None:
            return "resolved (never scored)"
        return "resolved within SLA" if view.within_sla else "resolved late"
    if state == ItemState.RISK_ACCEPTED:
        return "risk accepted"
    if state in (ItemState.DUPLICATE, ItemState.INVALID):
        return f"closed as {state.label}"
    if state == ItemState.NEW:
        return "awaiting triage"
    return "open in breach" if view.breached else "open within SLA"


def evidence_rows(backlog: Backlog, start: datetime, end: datetime) -> list[EvidenceRow]:
    """Every item that was open at some point of ``[start, end)``, dated against its SLA."""
    rows = []
    for item in sorted(backlog.items, key=lambda i: (i.reported_at, i.id or 0)):
        if item.reported_at >= end:
            continue
        finished = item.resolved_at or item.closed_at
        if finished is not None and finished < start:
            continue
        view = item_view(backlog, item, end)
        status = backlog.status(item, end)
        state = status.state or item.state
        resolved_in = item.resolved_at is not None and start <= item.resolved_at < end
        overdue = None
        if state == ItemState.RESOLVED and status.resolve_due and item.resolved_at:
            late = (item.resolved_at - status.resolve_due).total_seconds() / DAY
            overdue = round(late, 2) if late > 0 else None
        elif view.overdue_days is not None:
            overdue = view.overdue_days
        acceptance = item.acceptance
        rows.append(
            EvidenceRow(
                key=item.key,
                title=item.title,
                component=item.component,
                source=item.source,
                owner=item.owner,
                risk=item.risk,
                impact=item.impact,
                severity=item.severity,
                band=view.band,
                policy_version=item.policy_version,
                reported_at=item.reported_at,
                sla_started_at=item.sla_started_at,
                triaged_at=item.triaged_at,
                started_at=item.started_at,
                start_due=status.start_due,
                resolve_due=status.resolve_due,
                resolved_at=item.resolved_at,
                closed_at=item.closed_at,
                state_at_end=state,
                outcome=_outcome(state, view, resolved_in),
                days_to_remediate=round(status.age_days, 2)
                if state == ItemState.RESOLVED
                else None,
                days_overdue=overdue,
                accepted_by=acceptance.approver if acceptance else None,
                acceptance_reason=acceptance.reason if acceptance else None,
                acceptance_expires=acceptance.expires_at if acceptance else None,
                fixed_by_scan=item.finding.fixed_by_scan_id if item.finding else None,
            )
        )
    return rows
