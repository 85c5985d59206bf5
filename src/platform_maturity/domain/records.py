"""What people and systems record: answers, waivers, measurements, observations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

# a scan's records are plain dataclasses of their own module (a scan imports no Pydantic)
from platform_maturity.domain.observations import EvidenceRef as EvidenceRef
from platform_maturity.domain.observations import Observation as Observation


class Outcome(StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"
    WAIVED = "waived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


ANSWER_STATUSES: tuple[Outcome, ...] = (
    Outcome.MET,
    Outcome.PARTLY_MET,
    Outcome.NOT_MET,
    Outcome.NOT_APPLICABLE,
)


def parse_answer_status(text: str) -> Outcome:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {
        "partial": "partly_met",
        "partly": "partly_met",
        "na": "not_applicable",
        "n/a": "not_applicable",
        "yes": "met",
        "no": "not_met",
    }
    key = aliases.get(key, key)
    for status in ANSWER_STATUSES:
        if status.value == key:
            return status
    raise ValueError(
        f"unknown status {text!r}; use one of: " + ", ".join(s.value for s in ANSWER_STATUSES)
    )


class _Record(BaseModel):
    # built on first use: most commands make few of these, some none
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class OrgUnit(_Record):
    slug: str
    name: str
    owner: str | None = None
    description: str | None = None


class Answer(_Record):
    goal_code: str
    unit: str | None = None
    status: Outcome
    note: str | None = None
    evidence_url: str | None = None
    reason: str | None = None
    answered_at: datetime
    answered_by: str | None = None


class Waiver(_Record):
    goal_code: str
    unit: str | None = None
    reason: str
    owner: str
    expires_at: datetime | None = None
    created_at: datetime

    def active(self, now: datetime) -> bool:
        return self.created_at <= now and (self.expires_at is None or now < self.expires_at)


class Measurement(_Record):
    metric_id: str
    unit: str | None = None
    value: float
    measured_at: datetime
    source: str = "manual"
    note: str | None = None


class AuditEntry(_Record):
    """One line of the append-only audit trail: who changed what, from which value to which."""

    at: datetime
    actor: str
    action: str
    entity: str
    key: str
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
