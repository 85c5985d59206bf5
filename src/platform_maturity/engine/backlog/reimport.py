"""What one scanner import does to the backlog: create, update, fix, reopen, skip.

Findings are matched by fingerprint across imports. A finding already in the backlog is
updated; one that is no longer in a newer complete scan of the same target is fixed, with
that scan as the evidence; a fixed finding that shows up again reopens its item. Findings
the source itself calls fixed or dismissed are not added, only applied to existing items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from platform_maturity.domain.backlog import CLOSED_STATES, Finding, ItemState, StoredFinding


@dataclass
class ImportPlan:
    create: list[Finding] = field(default_factory=list)
    update: list[tuple[StoredFinding, Finding]] = field(default_factory=list)
    fix: list[StoredFinding] = field(default_factory=list)
    reopen: list[tuple[StoredFinding, Finding]] = field(default_factory=list)
    dismissed: list[tuple[StoredFinding, Finding]] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    repeated: int = 0  # findings listed twice in the same file


def plan_import(
    findings: Sequence[Finding],
    known: Mapping[str, StoredFinding],
    states: Mapping[int, ItemState],
    same_target: Sequence[StoredFinding],
    complete: bool,
) -> ImportPlan:
    """``known``: stored findings by fingerprint; ``states``: item states by item id;
    ``same_target``: stored findings of earlier scans of this target; ``complete``: the
    scan lists everything it found (a scanner run), not a page of alerts.
    """
    plan = ImportPlan()
    seen: dict[str, Finding] = {}
    for finding in findings:
        if finding.fingerprint in seen:
            plan.repeated += 1
            continue
        seen[finding.fingerprint] = finding
        stored = known.get(finding.fingerprint)
        if stored is None:
            if finding.status == "open":
                plan.create.append(finding)
            else:
                plan.skipped.append(finding)
            continue
        state = states[stored.item_id]
        if finding.status == "fixed":
            if state not in CLOSED_STATES:
                plan.fix.append(stored)
            plan.update.append((stored, finding))
        elif finding.status == "dismissed":
            plan.update.append((stored, finding))
            if state not in CLOSED_STATES:
                plan.dismissed.append((stored, finding))
        elif state == ItemState.RESOLVED:
            plan.reopen.append((stored, finding))
        else:
            plan.update.append((stored, finding))
    if complete:
        for stored in same_target:
            if stored.fingerprint in seen:
                continue
            if states.get(stored.item_id) not in CLOSED_STATES and stored.item_id in states:
                plan.fix.append(stored)
    return plan
