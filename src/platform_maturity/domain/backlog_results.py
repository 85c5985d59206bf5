"""What the engine computes about the security backlog, for terminal, Markdown, HTML and JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from platform_maturity.domain.backlog import ItemSource, ItemState


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class ItemView(_Result):
    """One item as lists, agendas and reports show it."""

    key: str
    title: str
    component: str
    source: ItemSource
    owner: str | None
    unit: str | None
    state: ItemState
    risk: int | None
    impact: int | None
    severity: int | None
    band: str | None
    policy_version: int | None
    reported_at: datetime
    start_due: datetime | None
    resolve_due: datetime | None
    next_due: datetime | None
    days_left: float | None  # to the next deadline; negative when overdue
    breached: bool
    breach: str | None  # "12 d past the resolution deadline", "work started 3 d ..."
    overdue_days: float | None  # days past the resolution deadline, when it has passed
    within_sla: bool | None
    age_days: float
    expected_annual_loss: float | None
    suggested: str | None  # "risk 3 × impact 3 = 9 (Trivy severity HIGH)"
    suggested_severity: int | None
    acceptance: str | None  # "accepted by cfo until 2027-01-31: reason"
    acceptance_expires: datetime | None
    resolved_at: datetime | None


class BandStats(_Result):
    """One severity band in a period: what is open, how old, what was fixed how fast."""

    band: str
    label: str  # "high [16, 26)"
    deadline: str  # "start at once, resolve within 1 month"
    open: int
    open_in_breach: int
    median_age_days: float | None
    oldest_age_days: float | None
    resolved: int
    resolved_within_sla: int
    mean_days_to_remediate: float | None


class Attainment(_Result):
    """SLA attainment over one period ``[start, end)``."""

    label: str
    start: datetime
    end: datetime
    resolved: int
    resolved_within_sla: int
    attainment_percent: float | None  # resolved within SLA / resolved
    open_at_end: int
    open_in_breach_at_end: int
    untriaged_at_end: int
    bands: tuple[BandStats, ...]


class LossSummary(_Result):
    """Expected annual loss: probability of exploitation × expected loss at the impact."""

    currency: str
    open_total: float  # open items (new items count once scored)
    accepted_total: float  # risks accepted and still active
    by_band: dict[str, float]  # open items per band
    unscored: int  # open items without a score, so without a loss yet


class Agenda(_Result):
    """The leadership review: what needs a decision before the next meeting."""

    organization: str
    generated_at: datetime
    next_review: datetime
    last_review: datetime | None
    cadence_days: int
    currency: str
    to_triage: tuple[ItemView, ...]
    breaches: tuple[ItemView, ...]
    due_before_next: tuple[ItemView, ...]
    expiring_acceptances: tuple[ItemView, ...]
    open_by_band: dict[str, int]
    loss: LossSummary
    attainment: Attainment  # the last twelve months
    trend: tuple[Attainment, ...]  # per quarter, oldest first
    overdue_cost: float  # expected loss accruing while breached items stay open


class SecuritySection(_Result):
    """The report's security section (only with --include-security)."""

    as_of: datetime
    currency: str
    open: int
    untriaged: int
    attainment: Attainment  # the last twelve months
    trend: tuple[Attainment, ...]
    breaches: tuple[ItemView, ...]
    top_exposure: tuple[ItemView, ...]  # open items with the largest expected loss
    loss: LossSummary
    last_review: datetime | None
    gap_costs: tuple[tuple[str, str], ...] = ()  # (goal code, "2 postmortem(s), 340,000 USD")


class EvidenceRow(_Result):
    """One item's dates against its SLA, for auditors (CSV and JSON export)."""

    key: str
    title: str
    component: str
    source: ItemSource
    owner: str | None
    risk: int | None
    impact: int | None
    severity: int | None
    band: str | None
    policy_version: int | None
    reported_at: datetime
    sla_started_at: datetime
    triaged_at: datetime | None
    started_at: datetime | None
    start_due: datetime | None
    resolve_due: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    state_at_end: ItemState
    outcome: str  # resolved within SLA, resolved late, open in breach, open within SLA, ...
    days_to_remediate: float | None
    days_overdue: float | None
    accepted_by: str | None
    acceptance_reason: str | None
    acceptance_expires: datetime | None
    fixed_by_scan: int | None
