"""What collectors see: observations (a check's verdict on a subject) and their evidence.

A scan makes them by the tens of thousands from typed values of its own collectors: plain
slotted dataclasses, a tenth of the cost of a validated model, in a module that imports
nothing heavy (a scan starts without Pydantic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
