"""Queries over the security backlog. Every function takes the caller's session."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from platform_maturity.domain.backlog import (
    Acceptance,
    BacklogItem,
    Finding,
    ItemSource,
    ItemState,
    Review,
    ScanImport,
    StoredFinding,
    Suggestion,
    item_key,
)
from platform_maturity.domain.backlog_policy import SlaBand, SlaPolicy
from platform_maturity.domain.records import AuditEntry
from platform_maturity.store.backlog import (
    BacklogFindingRow,
    BacklogItemRow,
    BacklogPolicyRow,
    BacklogReviewRow,
    BacklogScanRow,
)
from platform_maturity.store.models import AuditEvent
from platform_maturity.store.repo import audit, audit_entry

ENTITY = "backlog_item"
CHUNK = 500

# ---- policy versions -------------------------------------------------------------------


def policy_versions(session: Session) -> dict[int, SlaPolicy]:
    rows = session.scalars(select(BacklogPolicyRow).order_by(BacklogPolicyRow.version))
    return {
        r.version: SlaPolicy(bands=tuple(SlaBand.model_validate(b) for b in json.loads(r.bands)))
        for r in rows
    }


def ensure_policy_version(session: Session, policy: SlaPolicy, actor: str, now: datetime) -> int:
    """The version number of these bands, storing them as a new version when they are new."""
    digest = policy.digest()
    row = session.scalar(select(BacklogPolicyRow).where(BacklogPolicyRow.digest == digest))
    if row is not None:
        return row.version
    newest = session.scalar(select(func.max(BacklogPolicyRow.version))) or 0
    version = newest + 1
    session.add(
        BacklogPolicyRow(
            version=version,
            digest=digest,
            bands=json.dumps([b.model_dump() for b in policy.ordered()]),
            created_at=now,
        )
    )
    session.flush()
    audit(
        session,
        at=now,
        actor=actor,
        action="create",
        entity="backlog_policy",
        key=f"v{version}",
        restricted=True,
        new="; ".join(f"{b.label}: {b.deadline_text}" for b in policy.ordered()),
    )
    return version


# ---- items -----------------------------------------------------------------------------


def _finding(row: BacklogFindingRow) -> StoredFinding:
    return StoredFinding(
        item_id=row.item_id,
        fingerprint=row.fingerprint,
        format=row.format,
        tool=row.tool,
        target=row.target,
        rule=row.rule,
        title=row.title,
        location=row.location,
        package=row.package,
        installed_version=row.installed_version,
        fixed_version=row.fixed_version,
        vuln_ids=tuple(v for v in row.vuln_ids.split(",") if v),
        cwes=tuple(c for c in row.cwes.split(",") if c),
        severity=row.severity,
        cvss_score=row.cvss_score,
        epss=row.epss,
        known_exploited=bool(row.known_exploited),
        url=row.url,
        status=row.status,
        status_note=row.status_note,
        first_scan_id=row.first_scan_id,
        last_scan_id=row.last_scan_id,
        fixed_by_scan_id=row.fixed_by_scan_id,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
    )


def _item(row: BacklogItemRow, finding: StoredFinding | None) -> BacklogItem:
    acceptance = None
    if row.accepted_by and row.accepted_at and row.acceptance_expires_at:
        acceptance = Acceptance(
            approver=row.accepted_by,
            reason=row.acceptance_reason or "",
            accepted_at=row.accepted_at,
            expires_at=row.acceptance_expires_at,
        )
    suggestion = None
    if row.suggested_risk and row.suggested_impact:
        suggestion = Suggestion(
            risk=row.suggested_risk, impact=row.suggested_impact, basis=row.suggestion_basis or ""
        )
    return BacklogItem(
        id=row.id,
        title=row.title,
        description=row.description,
        component=row.component,
        source=ItemSource(row.source),
        channel=row.channel,
        reporter=row.reporter,
        owner=row.owner,
        unit=row.unit,
        risk=row.risk,
        impact=row.impact,
        state=ItemState(row.state),
        policy_version=row.policy_version,
        reported_at=row.reported_at,
        sla_started_at=row.sla_started_at,
        triaged_at=row.triaged_at,
        started_at=row.started_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        resolution=row.resolution,
        duplicate_of=row.duplicate_of,
        acceptance=acceptance,
        suggestion=suggestion,
        finding=finding,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _findings_for(session: Session, item_ids: Sequence[int]) -> dict[int, StoredFinding]:
    result: dict[int, StoredFinding] = {}
    for start in range(0, len(item_ids), CHUNK):
        part = item_ids[start : start + CHUNK]
        for row in session.scalars(
            select(BacklogFindingRow).where(BacklogFindingRow.item_id.in_(part))
        ):
            result[row.item_id] = _finding(row)
    return result


def list_items(session: Session) -> list[BacklogItem]:
    rows = list(session.scalars(select(BacklogItemRow).order_by(BacklogItemRow.id)))
    findings = _findings_for(session, [r.id for r in rows])
    return [_item(r, findings.get(r.id)) for r in rows]


def get_item(session: Session, item_id: int) -> BacklogItem | None:
    row = session.get(BacklogItemRow, item_id)
    if row is None:
        return None
    return _item(row, _findings_for(session, [row.id]).get(row.id))


def item_exists(session: Session, item_id: int) -> bool:
    return session.get(BacklogItemRow, item_id) is not None


def expired_acceptances(session: Session, now: datetime) -> list[int]:
    """Ids of items whose accepted risk has expired by ``now`` but are still accepted."""
    return list(
        session.scalars(
            select(BacklogItemRow.id).where(
                BacklogItemRow.state == ItemState.RISK_ACCEPTED.value,
                BacklogItemRow.acceptance_expires_at <= now,
            )
        )
    )


def history(session: Session, item_id: int) -> list[AuditEntry]:
    """Every audit entry of one item, oldest first."""
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == ENTITY, AuditEvent.entity_key == item_key(item_id))
        .order_by(AuditEvent.id)
    )
    return [audit_entry(r) for r in rows]


def count_items(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(BacklogItemRow)) or 0)


_COLUMNS = (
    "title",
    "description",
    "component",
    "reporter",
    "owner",
    "unit",
    "risk",
    "impact",
    "policy_version",
    "reported_at",
    "sla_started_at",
    "triaged_at",
    "started_at",
    "resolved_at",
    "closed_at",
    "resolution",
    "duplicate_of",
    "created_at",
    "updated_at",
)


def _values(item: BacklogItem) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(item, name) for name in _COLUMNS}
    a, s = item.acceptance, item.suggestion
    values.update(
        source=item.source.value,
        channel=item.channel,
        state=item.state.value,
        severity=item.severity,
        accepted_by=a.approver if a else None,
        acceptance_reason=a.reason if a else None,
        accepted_at=a.accepted_at if a else None,
        acceptance_expires_at=a.expires_at if a else None,
        suggested_risk=s.risk if s else None,
        suggested_impact=s.impact if s else None,
        suggestion_basis=s.basis if s else None,
    )
    return values


def add_item(session: Session, item: BacklogItem, actor: str, now: datetime) -> int:
    row = BacklogItemRow(**_values(item))
    session.add(row)
    session.flush()
    audit(
        session,
        at=now,
        actor=actor,
        action="create",
        entity=ENTITY,
        key=item_key(row.id),
        restricted=True,
        new=f"{item.title} [{item.source.value}, {item.state.value}]",
    )
    return row.id


AUDITED = (
    "title",
    "description",
    "component",
    "reporter",
    "owner",
    "unit",
    "risk",
    "impact",
    "state",
    "policy_version",
    "resolution",
    "duplicate_of",
    "accepted_by",
    "acceptance_reason",
    "acceptance_expires_at",
    "sla_started_at",
)


def save_item(
    session: Session,
    before: BacklogItem,
    after: BacklogItem,
    actor: str,
    now: datetime,
    action: str,
) -> list[str]:
    """Store ``after`` over ``before``; one audit entry per changed field. Returns the fields."""
    assert before.id is not None and before.id == after.id
    old, new = _values(before), _values(after)
    changed = [name for name in AUDITED if old[name] != new[name]]
    session.execute(update(BacklogItemRow).where(BacklogItemRow.id == before.id).values(**new))
    for name in changed:
        audit(
            session,
            at=now,
            actor=actor,
            action=action,
            entity=ENTITY,
            key=item_key(before.id),
            restricted=True,
            field=name,
            old=old[name],
            new=new[name],
        )
    return changed


def note(session: Session, item_id: int, text: str, actor: str, now: datetime) -> None:
    """An audit entry that changes no field (e.g. a scanner dismissed the finding)."""
    audit(
        session,
        at=now,
        actor=actor,
        action="note",
        entity=ENTITY,
        key=item_key(item_id),
        restricted=True,
        new=text,
    )


# ---- findings and scans ----------------------------------------------------------------


def findings_by_fingerprint(
    session: Session, fingerprints: Iterable[str]
) -> dict[str, StoredFinding]:
    wanted = sorted(set(fingerprints))
    result: dict[str, StoredFinding] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        for row in session.scalars(
            select(BacklogFindingRow).where(BacklogFindingRow.fingerprint.in_(part))
        ):
            result[row.fingerprint] = _finding(row)
    return result


def findings_of_target(session: Session, target_key: str) -> list[StoredFinding]:
    rows = session.scalars(
        select(BacklogFindingRow).where(BacklogFindingRow.target_key == target_key)
    )
    return [_finding(r) for r in rows]


def item_states(session: Session, item_ids: Iterable[int]) -> dict[int, ItemState]:
    wanted = sorted(set(item_ids))
    result: dict[int, ItemState] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        for item_id, state in session.execute(
            select(BacklogItemRow.id, BacklogItemRow.state).where(BacklogItemRow.id.in_(part))
        ):
            result[item_id] = ItemState(state)
    return result


def _cut(value: str | None, length: int) -> str | None:
    return value[:length] if value else None


def _finding_values(finding: Finding) -> dict[str, object]:
    return {
        "format": finding.format,
        "tool": finding.tool[:100],
        "target": finding.target[:500],
        "rule": finding.rule[:300],
        "title": finding.title[:300],
        "location": _cut(finding.location, 1000),
        "package": _cut(finding.package, 300),
        "installed_version": _cut(finding.installed_version, 100),
        "fixed_version": _cut(finding.fixed_version, 200),
        "vuln_ids": ",".join(finding.vuln_ids),
        "cwes": ",".join(finding.cwes)[:300],
        "severity": finding.severity,
        "cvss_score": finding.cvss_score,
        "epss": finding.epss,
        "known_exploited": finding.known_exploited,
        "url": _cut(finding.url, 1000),
        "status": finding.status,
        "status_note": finding.status_note,
    }


def add_finding(
    session: Session,
    item_id: int,
    finding: Finding,
    target_key: str,
    scan_id: int,
    seen_at: datetime,
) -> None:
    session.add(
        BacklogFindingRow(
            item_id=item_id,
            fingerprint=finding.fingerprint,
            target_key=target_key,
            first_scan_id=scan_id,
            last_scan_id=scan_id,
            first_seen_at=seen_at,
            last_seen_at=seen_at,
            **_finding_values(finding),
        )
    )


def refresh_finding(
    session: Session, fingerprint: str, finding: Finding, scan_id: int, seen_at: datetime
) -> None:
    session.execute(
        update(BacklogFindingRow)
        .where(BacklogFindingRow.fingerprint == fingerprint)
        .values(
            last_scan_id=scan_id,
            last_seen_at=seen_at,
            fixed_by_scan_id=None,
            **_finding_values(finding),
        )
    )


def mark_finding_fixed(session: Session, fingerprint: str, scan_id: int) -> None:
    session.execute(
        update(BacklogFindingRow)
        .where(BacklogFindingRow.fingerprint == fingerprint)
        .values(fixed_by_scan_id=scan_id, status="fixed")
    )


def add_scan(session: Session, scan: ScanImport, target_key: str) -> int:
    row = BacklogScanRow(
        format=scan.format,
        tool=scan.tool[:100],
        target=scan.target[:500],
        target_key=target_key,
        file_name=scan.file_name[:500],
        digest=scan.digest,
        scanned_at=scan.scanned_at,
        imported_at=scan.imported_at,
        actor=scan.actor,
        findings=scan.findings,
        created=0,
        updated=0,
        fixed=0,
        reopened=0,
        skipped=0,
    )
    session.add(row)
    session.flush()
    return row.id


def finish_scan(
    session: Session, scan_id: int, counts: dict[str, int], actor: str, now: datetime
) -> None:
    session.execute(update(BacklogScanRow).where(BacklogScanRow.id == scan_id).values(**counts))
    audit(
        session,
        at=now,
        actor=actor,
        action="import",
        entity="backlog_scan",
        key=str(scan_id),
        restricted=True,
        new=", ".join(f"{v} {k}" for k, v in counts.items()),
    )


def _scan(row: BacklogScanRow) -> ScanImport:
    return ScanImport(
        id=row.id,
        format=row.format,
        tool=row.tool,
        target=row.target,
        file_name=row.file_name,
        digest=row.digest,
        scanned_at=row.scanned_at,
        imported_at=row.imported_at,
        actor=row.actor,
        findings=row.findings,
        created=row.created,
        updated=row.updated,
        fixed=row.fixed,
        reopened=row.reopened,
        skipped=row.skipped,
    )


def list_scans(session: Session) -> list[ScanImport]:
    return [_scan(r) for r in session.scalars(select(BacklogScanRow).order_by(BacklogScanRow.id))]


def get_scan(session: Session, scan_id: int) -> ScanImport | None:
    row = session.get(BacklogScanRow, scan_id)
    return _scan(row) if row is not None else None


# ---- reviews ---------------------------------------------------------------------------


def add_review(session: Session, review: Review, now: datetime) -> int:
    row = BacklogReviewRow(
        held_at=review.held_at,
        attendees=", ".join(review.attendees),
        notes=review.notes,
        recorded_by=review.recorded_by,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        at=now,
        actor=review.recorded_by,
        action="review",
        entity="backlog_review",
        key=f"{review.held_at:%Y-%m-%d}",
        restricted=True,
        new=", ".join(review.attendees) or None,
    )
    return row.id


def list_reviews(session: Session) -> list[Review]:
    rows = session.scalars(select(BacklogReviewRow).order_by(BacklogReviewRow.held_at))
    return [
        Review(
            id=r.id,
            held_at=r.held_at,
            attendees=tuple(a.strip() for a in r.attendees.split(",") if a.strip()),
            notes=r.notes,
            recorded_by=r.recorded_by,
        )
        for r in rows
    ]
