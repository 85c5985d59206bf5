"""Security backlog records: items, their scanner findings, scans, reviews."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from platform_maturity.domain.backlog_policy import SlaBand, SlaPolicy

KEY_PREFIX = "SEC"


class ItemState(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    RISK_ACCEPTED = "risk_accepted"
    DUPLICATE = "duplicate"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


OPEN_STATES = frozenset({ItemState.NEW, ItemState.TRIAGED, ItemState.IN_PROGRESS})
CLOSED_STATES = frozenset({ItemState.RESOLVED, ItemState.DUPLICATE, ItemState.INVALID})


class ItemSource(StrEnum):
    SCANNER = "scanner"
    REPORT = "report"
    AUDIT = "audit"
    POSTMORTEM = "postmortem"


def parse_state(text: str) -> ItemState:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    key = {"accepted": "risk_accepted", "in_progress": "in_progress", "started": "in_progress"}.get(
        key, key
    )
    for state in ItemState:
        if state.value == key:
            return state
    raise ValueError(f"unknown state {text!r}; states: " + ", ".join(s.value for s in ItemState))


def parse_source(text: str) -> ItemSource:
    key = text.strip().lower()
    for source in ItemSource:
        if source.value == key:
            return source
    raise ValueError(f"unknown source {text!r}; sources: " + ", ".join(s.value for s in ItemSource))


def parse_key(text: str) -> int | None:
    """``SEC-12``, ``sec-12`` or ``12`` → 12; anything else → None."""
    value = text.strip().upper().removeprefix(KEY_PREFIX + "-")
    return int(value) if value.isdigit() and int(value) > 0 else None


def item_key(item_id: int) -> str:
    return f"{KEY_PREFIX}-{item_id}"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Suggestion(_Record):
    """A suggested score from scanner data, for people to confirm when they triage."""

    risk: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    basis: str  # what it rests on, e.g. "Trivy severity HIGH, CVSS 8.1"

    @property
    def severity(self) -> int:
        return self.risk * self.impact


class Acceptance(_Record):
    """A risk accepted for now: who approved it, why, and until when."""

    approver: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    accepted_at: datetime
    expires_at: datetime

    def active(self, now: datetime) -> bool:
        return self.accepted_at <= now < self.expires_at


class Finding(_Record):
    """What a scanner reported, normalized; ``fingerprint`` de-duplicates across imports."""

    fingerprint: str
    format: str  # the importer's name, e.g. "trivy"
    tool: str  # the scanner as it names itself, e.g. "Trivy 0.50.1"
    target: str  # image, repository or project scanned
    rule: str  # vulnerability or rule id, e.g. CVE-2024-3094 or py/sql-injection
    title: str
    description: str = ""
    location: str | None = None  # file:line or package path
    package: str | None = None
    installed_version: str | None = None
    fixed_version: str | None = None
    vuln_ids: tuple[str, ...] = ()
    cwes: tuple[str, ...] = ()
    severity: str | None = None  # normalized: critical, high, medium, low, info
    cvss_score: float | None = Field(default=None, ge=0, le=10)
    epss: float | None = Field(default=None, ge=0, le=1)
    known_exploited: bool = False
    url: str | None = None
    status: str = "open"  # open, fixed, dismissed: what the source says about it now
    status_note: str | None = None  # e.g. the dismissal reason
    seen_at: datetime | None = None  # when the source first reported it, if it says


class StoredFinding(Finding):
    item_id: int
    first_scan_id: int | None = None
    last_scan_id: int | None = None
    fixed_by_scan_id: int | None = None
    first_seen_at: datetime
    last_seen_at: datetime


class BacklogItem(_Record):
    id: int | None = None
    title: str = Field(min_length=3, max_length=300)
    description: str = ""
    component: str = Field(min_length=1, max_length=200)
    source: ItemSource
    channel: Literal["manual", "import", "intake"] = "manual"  # how it reached the backlog
    reporter: str | None = None
    owner: str | None = None
    unit: str | None = None
    risk: int | None = Field(default=None, ge=1, le=5)
    impact: int | None = Field(default=None, ge=1, le=5)
    state: ItemState = ItemState.NEW
    policy_version: int | None = None
    reported_at: datetime  # when the issue became known
    sla_started_at: datetime  # the SLA clock: reported_at, or the moment it reopened
    triaged_at: datetime | None = None
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None  # duplicate or invalid
    resolution: str | None = None
    duplicate_of: int | None = None
    acceptance: Acceptance | None = None
    suggestion: Suggestion | None = None
    finding: StoredFinding | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def key(self) -> str:
        return item_key(self.id) if self.id is not None else f"{KEY_PREFIX}-?"

    @property
    def severity(self) -> int | None:
        if self.risk is None or self.impact is None:
            return None
        return self.risk * self.impact

    @property
    def scored(self) -> bool:
        return self.severity is not None


class PolicyVersion(_Record):
    """SLA bands as stored: items keep the version they were triaged under."""

    version: int
    policy: SlaPolicy
    created_at: datetime

    def band_for(self, severity: int) -> SlaBand:
        return self.policy.band_for(severity)


class ScanImport(_Record):
    """One imported scanner output and what it changed in the backlog."""

    id: int | None = None
    format: str
    tool: str
    target: str
    file_name: str
    digest: str
    scanned_at: datetime
    imported_at: datetime
    actor: str
    findings: int = 0
    created: int = 0
    updated: int = 0
    fixed: int = 0
    reopened: int = 0
    skipped: int = 0


class Review(_Record):
    """A leadership review of the backlog that took place."""

    id: int | None = None
    held_at: datetime
    attendees: tuple[str, ...] = ()
    notes: str | None = None
    recorded_by: str
