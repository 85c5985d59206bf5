"""What one scan found, as the renderers see it: counts per check, findings, problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.observations import Observation

PROBLEM_CHECK = "scan.unreadable-input"  # the check id of a file a collector could not read
SEVERITIES = ("low", "medium", "high", "critical")  # the checks' severity levels, lowest first


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
    # the roots of the scan stored before this one that this one's roots do not cover:
    # the report reads only the latest scan, so their evidence no longer counts
    uncovered_roots: list[str] = field(default_factory=list)

    # what the scan could do but not as written, e.g. an exemption that exempts nothing
    warnings: list[str] = field(default_factory=list)


def failing_at_or_above(
    observations: Sequence[Observation], checks: Sequence[CheckDefinition], severity: str
) -> list[Observation]:
    """The failing, non-waived findings of checks at ``severity`` or above.

    Problems (unreadable inputs) and findings of checks not in ``checks`` have no severity
    and never count.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    floor = SEVERITIES.index(severity)
    levels = {c.id: SEVERITIES.index(c.severity) for c in checks}
    return [
        o
        for o in observations
        if o.passed is False and not o.waived and levels.get(o.check_id, -1) >= floor
    ]


def uncovered_roots(previous: Sequence[str], current: Sequence[str]) -> list[str]:
    """The roots of ``previous`` that are neither one of ``current`` nor inside one."""
    now = [PurePath(c) for c in current]
    return [
        p
        for p in previous
        if not any(PurePath(p) == c or PurePath(p).is_relative_to(c) for c in now)
    ]
