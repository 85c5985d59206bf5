"""SLA clocks: an item's state at a moment, its deadlines, and whether it met them.

The clock starts when the issue became known (``sla_started_at``: the report, or the
moment the item reopened) — not at triage — because an auditor measures the time from
discovery to remediation. A band may set a start deadline ("start at once") and always
sets a resolution deadline. An active risk acceptance stops the clock; when it expires
the item reopens and the clock starts again from the expiry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from platform_maturity.domain.backlog import OPEN_STATES, BacklogItem, ItemState
from platform_maturity.domain.backlog_policy import SlaBand, SlaPolicy

DAY = 86400.0


def state_at(item: BacklogItem, moment: datetime) -> ItemState | None:
    """The item's state at ``moment`` (None before it was reported).

    Read from the item's timestamps, so reports as of a past date are right for the
    item's latest life; an item that was reopened keeps only its latest resolution.
    An accepted risk whose acceptance has expired by ``moment`` counts as reopened.
    """
    if moment < item.reported_at:
        return None
    if item.closed_at is not None and item.closed_at <= moment:
        return item.state if item.state in (ItemState.DUPLICATE, ItemState.INVALID) else None
    if item.resolved_at is not None and item.resolved_at <= moment:
        return ItemState.RESOLVED
    acceptance = item.acceptance
    if acceptance is not None and acceptance.accepted_at <= moment < acceptance.expires_at:
        return ItemState.RISK_ACCEPTED
    if item.started_at is not None and item.started_at <= moment:
        return ItemState.IN_PROGRESS
    if item.triaged_at is not None and item.triaged_at <= moment:
        return ItemState.TRIAGED
    if item.state == ItemState.RISK_ACCEPTED and acceptance is not None:
        return ItemState.TRIAGED  # an expired acceptance reopens the item
    return ItemState.NEW


def clock_start(item: BacklogItem, moment: datetime) -> datetime:
    """Where the item's SLA clock starts as seen at ``moment``: reopening restarts it."""
    acceptance = item.acceptance
    if (
        item.state == ItemState.RISK_ACCEPTED
        and acceptance is not None
        and acceptance.expires_at <= moment
    ):
        return max(item.sla_started_at, acceptance.expires_at)
    return item.sla_started_at


@dataclass(frozen=True)
class SlaStatus:
    """An item's deadlines and standing at one moment."""

    state: ItemState | None
    band: SlaBand | None
    start_due: datetime | None
    resolve_due: datetime | None
    start_breached: bool
    resolve_breached: bool
    within_sla: bool | None  # for resolved items: every deadline met; else None
    age_days: float  # open items: since the clock started; resolved: time to remediate

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def breached(self) -> bool:
        return self.start_breached or self.resolve_breached

    def days_left(self, moment: datetime) -> float | None:
        """Days until the next deadline of an open item (negative once past)."""
        if not self.open:
            return None
        due = self.next_due
        return None if due is None else (due - moment).total_seconds() / DAY

    @property
    def next_due(self) -> datetime | None:
        if (
            self.start_due is not None
            and not self.start_breached
            and self.state == ItemState.TRIAGED
        ):
            return min(self.start_due, self.resolve_due) if self.resolve_due else self.start_due
        return self.resolve_due


def policy_for(
    item: BacklogItem, versions: Mapping[int, SlaPolicy], current: SlaPolicy
) -> SlaPolicy:
    if item.policy_version is not None and item.policy_version in versions:
        return versions[item.policy_version]
    return current


def sla_status(
    item: BacklogItem,
    moment: datetime,
    versions: Mapping[int, SlaPolicy],
    current: SlaPolicy,
) -> SlaStatus:
    """Deadlines from the band of the item's severity under the policy it was triaged with."""
    state = state_at(item, moment)
    start = clock_start(item, moment)
    band = None
    start_due = resolve_due = None
    if item.severity is not None:
        band = policy_for(item, versions, current).band_for(item.severity)
        resolve_due = start + timedelta(days=band.resolve_within_days)
        if band.start_within_days is not None:
            start_due = start + timedelta(days=band.start_within_days)
    first_work = item.started_at or item.resolved_at
    if first_work is not None and first_work > moment:
        first_work = None
    start_breached = resolve_breached = False
    within: bool | None = None
    if state == ItemState.RESOLVED and item.resolved_at is not None:
        if resolve_due is not None:
            late_start = start_due is not None and (first_work is None or first_work > start_due)
            within = item.resolved_at <= resolve_due and not late_start
        age = (item.resolved_at - start).total_seconds() / DAY
    else:
        age = max(0.0, (moment - start).total_seconds() / DAY)
        if state in OPEN_STATES:
            resolve_breached = resolve_due is not None and moment > resolve_due
            start_breached = (
                start_due is not None
                and moment > start_due
                and (first_work is None or first_work > start_due)
            )
    return SlaStatus(
        state=state,
        band=band,
        start_due=start_due,
        resolve_due=resolve_due,
        start_breached=start_breached,
        resolve_breached=resolve_breached,
        within_sla=within,
        age_days=age,
    )
