"""The backlog as the engine sees it, and one item as every output shows it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from platform_maturity.domain.backlog import BacklogItem, ItemState, Review
from platform_maturity.domain.backlog_policy import SecurityBacklogPolicy, SlaPolicy
from platform_maturity.domain.backlog_results import ItemView
from platform_maturity.engine.backlog.sla import SlaStatus, sla_status


@dataclass(frozen=True)
class Backlog:
    """Items with the policy (and stored policy versions) they are judged by."""

    items: Sequence[BacklogItem]
    policy: SecurityBacklogPolicy
    versions: Mapping[int, SlaPolicy] = field(default_factory=dict)
    reviews: Sequence[Review] = ()

    def status(self, item: BacklogItem, moment: datetime) -> SlaStatus:
        return sla_status(item, moment, self.versions, self.policy.sla_policy)

    def loss(self, item: BacklogItem) -> float | None:
        if item.risk is None or item.impact is None:
            return None
        return self.policy.expected_annual_loss(item.risk, item.impact)

    def last_review(self, moment: datetime) -> Review | None:
        held = [r for r in self.reviews if r.held_at <= moment]
        return max(held, key=lambda r: r.held_at) if held else None


def _breach_text(item: BacklogItem, status: SlaStatus, moment: datetime) -> str | None:
    parts = []
    if status.start_breached and status.start_due is not None:
        if item.started_at is not None and item.started_at <= moment:
            days = (item.started_at - status.start_due).total_seconds() / 86400
            parts.append(f"work started {days:.0f} d after the start deadline")
        else:
            days = (moment - status.start_due).total_seconds() / 86400
            parts.append(f"work not started, {days:.0f} d past the start deadline")
    if status.resolve_breached and status.resolve_due is not None:
        days = (moment - status.resolve_due).total_seconds() / 86400
        parts.append(f"{days:.0f} d past the resolution deadline")
    return "; ".join(parts) or None


def item_view(backlog: Backlog, item: BacklogItem, moment: datetime) -> ItemView:
    status = backlog.status(item, moment)
    state = status.state or item.state
    acceptance = None
    if item.acceptance is not None:
        a = item.acceptance
        verb = "accepted" if a.active(moment) else "was accepted"
        acceptance = f"{verb} by {a.approver} until {a.expires_at:%Y-%m-%d}: {a.reason}"
    suggested = None
    if item.suggestion is not None:
        s = item.suggestion
        suggested = f"risk {s.risk} × impact {s.impact} = {s.severity} ({s.basis})"
    return ItemView(
        key=item.key,
        title=item.title,
        component=item.component,
        source=item.source,
        owner=item.owner,
        unit=item.unit,
        state=state,
        risk=item.risk,
        impact=item.impact,
        severity=item.severity,
        band=status.band.name if status.band else None,
        policy_version=item.policy_version,
        reported_at=item.reported_at,
        start_due=status.start_due,
        resolve_due=status.resolve_due,
        next_due=status.next_due if status.open else None,
        days_left=status.days_left(moment),
        breached=status.breached,
        breach=_breach_text(item, status, moment),
        overdue_days=(
            round((moment - status.resolve_due).total_seconds() / 86400, 2)
            if status.resolve_breached and status.resolve_due is not None
            else None
        ),
        within_sla=status.within_sla,
        age_days=round(status.age_days, 2),
        expected_annual_loss=backlog.loss(item),
        suggested=suggested,
        suggested_severity=item.suggestion.severity if item.suggestion else None,
        acceptance=acceptance,
        acceptance_expires=item.acceptance.expires_at if item.acceptance else None,
        resolved_at=item.resolved_at if state == ItemState.RESOLVED else None,
    )
