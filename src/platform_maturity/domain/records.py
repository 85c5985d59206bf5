"""What people and systems record: answers, waivers, measurements, observations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


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
    # built on first use: a scan imports this module (for Observation) but never makes one
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


# Observations come by the tens of thousands from one scan, made by our own collectors from
# typed values: plain slotted dataclasses, a tenth of the cost of a validated model.
@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRef:
    """Where a fact was seen: a file and line range, a URL or query, an object."""

    path: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    url: str | None = None
    query: str | None = None
    object_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """A fact a collector saw about a subject: a check's verdict with its evidence."""

    collector: str
    collector_version: str
    check_id: str
    subject: str
    unit: str | None = None
    goal_codes: tuple[str, ...] = ()
    passed: bool | None = None
    waived: bool = False
    value: float | None = None
    message: str = ""
    evidence: tuple[EvidenceRef, ...] = ()
    observed_at: datetime


def _maker(cls: type[R]) -> Callable[..., R]:
    """Makes ``cls`` (a frozen slotted dataclass) from every field's value in field order,
    equal to what its ``__init__`` makes at half the cost: each slot is set through its
    descriptor, not through ``object.__setattr__`` with keyword arguments to match (a scan
    makes thousands of observations)."""
    setters = tuple(getattr(cls, f.name).__set__ for f in fields(cls))  # slot descriptors
    new = object.__new__

    def make(*values: Any) -> R:
        made = new(cls)
        # not strict (a check per call): the makers' signatures are typed, and tests hold
        # them equal to the constructors
        for setter, value in zip(setters, values, strict=False):
            setter(made, value)
        return made

    return make


# (path, line_start, line_end, url, query, object_ref)
make_evidence: Callable[
    [str | None, int | None, int | None, str | None, str | None, str | None], EvidenceRef
] = _maker(EvidenceRef)
# (collector, collector_version, check_id, subject, unit, goal_codes, passed, waived, value,
#  message, evidence, observed_at)
make_observation: Callable[
    [
        str,
        str,
        str,
        str,
        str | None,
        tuple[str, ...],
        bool | None,
        bool,
        float | None,
        str,
        tuple[EvidenceRef, ...],
        datetime,
    ],
    Observation,
] = _maker(Observation)


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
