"""What one scan found, as the renderers see it: counts per check, findings, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.records import Observation

PROBLEM_CHECK = "scan.unreadable-input"  # the check id of a file a collector could not read


@dataclass(frozen=True)
class Problem:
    """An input a collector could not read; recorded as a finding of its own."""

    path: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class CheckTally:
    check: CheckDefinition
    passed: int
    failed: int
    waived: int
    undecided: int


@dataclass
class ScanSummary:
    scan_id: int | None  # None when the scan was not stored (maturity scan --no-store)
    started_at: datetime
    finished_at: datetime
    roots: list[str]
    inputs: dict[str, int]
    observations: list[Observation]
    problems: list[Problem]
    tallies: list[CheckTally] = field(default_factory=list)
    checks: tuple[CheckDefinition, ...] = ()
    # what the scan could do but not as written, e.g. an exemption that exempts nothing
    warnings: list[str] = field(default_factory=list)
