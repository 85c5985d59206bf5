"""Downtime intervals, incidents with their timeline, and the notifications they caused."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from platform_maturity.domain.downtime import Method


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Record):
    """A stretch of downtime of one flow (or of a component as a whole when ``flow`` is None).

    ``started`` is the first failure seen, ``detected`` when a threshold was crossed and it
    counted as downtime, ``ended`` the first success of the run that ended it (None: still
    down). ``method`` is the detection method that crossed its threshold first.
    """

    component: str
    flow: str | None = None
    started: datetime
    detected: datetime
    ended: datetime | None = None
    method: Method
    methods: tuple[Method, ...] = ()  # every method that saw it, strongest first
    reason: str = ""

    def minutes(self, now: datetime) -> float:
        return ((self.ended or now) - self.started).total_seconds() / 60.0

    def overlaps(self, start: datetime, end: datetime, now: datetime) -> timedelta:
        low, high = max(self.started, start), min(self.ended or now, end)
        return high - low if high > low else timedelta(0)


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Severity(StrEnum):
    SEV1 = "sev1"  # every critical flow of the component is down
    SEV2 = "sev2"  # some critical flows are down
    SEV3 = "sev3"  # degraded, or opened by hand without a known impact


class UpdateKind(StrEnum):
    DETECTED = "detected"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    UPDATE = "update"  # a manual update
    NOTIFIED = "notified"
    ESCALATED = "escalated"
    REOPENED = "reopened"


class IncidentUpdate(_Record):
    at: datetime
    kind: UpdateKind
    message: str
    public: bool = False  # shown on the public status page
    status: IncidentStatus | None = None
    author: str = "maturity"


class Incident(_Record):
    id: int | None = None
    title: str = Field(min_length=3, max_length=300)
    component: str
    flows: tuple[str, ...] = ()
    severity: Severity = Severity.SEV2
    status: IncidentStatus = IncidentStatus.INVESTIGATING
    automatic: bool = True  # opened from downtime (False: by hand)
    started: datetime
    detected: datetime
    acknowledged: datetime | None = None
    acknowledged_by: str | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    method: Method | None = None  # how it was detected first
    updates: tuple[IncidentUpdate, ...] = ()

    @property
    def key(self) -> str:
        return f"INC-{self.id}"

    @property
    def open(self) -> bool:
        return self.resolved is None

    def minutes(self, now: datetime) -> float:
        return ((self.resolved or now) - self.started).total_seconds() / 60.0


class NotificationEvent(StrEnum):
    STARTED = "started"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class Notification(_Record):
    """One message to one target about one incident, sent or failed."""

    incident_id: int
    event: NotificationEvent
    level: int  # escalation level (0: first)
    target: str  # an address or webhook:NAME
    at: datetime
    ok: bool
    error: str | None = None


class IncidentRecord(_Record):
    """An incident as plain data for the KPI engine (time to detect, time to respond)."""

    id: str
    component: str
    severity: str
    started: datetime
    detected: datetime
    acknowledged: datetime | None
    mitigated: datetime | None
    resolved: datetime | None
    detection_method: str | None
