"""Queries over the store. Every function takes the session of the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import DeclarativeBase, Session

from platform_maturity.domain.records import (
    Answer,
    AuditEntry,
    EvidenceRef,
    Measurement,
    Observation,
    OrgUnit,
    Outcome,
    Waiver,
)
from platform_maturity.store.models import (
    AnswerRow,
    AuditEvent,
    EvidenceRow,
    FrameworkVersion,
    MeasurementRow,
    ObservationRow,
    OrgUnitRow,
    ScanRow,
    SnapshotRow,
    SnapshotScoreRow,
    SubjectRow,
    WaiverRow,
)


def _table(model: type[DeclarativeBase]) -> Table:
    """The table a model maps, for Core statements."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
    restricted: bool = False,
) -> None:
    """Append one entry to the audit trail; ``restricted`` marks entries about restricted
    data (the security backlog), left out of exports unless asked for."""
    session.add(
        AuditEvent(
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_key=key,
            field=field,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
            restricted=restricted,
        )
    )


# ---- framework versions ----------------------------------------------------------------


def record_framework_version(
    session: Session, name: str, version: str, digest: str, goal_count: int, now: datetime
) -> None:
    if session.scalar(select(FrameworkVersion).where(FrameworkVersion.digest == digest)) is None:
        session.add(
            FrameworkVersion(
                name=name, version=version, digest=digest, goal_count=goal_count, loaded_at=now
            )
        )


# ---- units ------------------------------------------------------------------------------


def sync_units(session: Session, units: Sequence[OrgUnit], now: datetime, actor: str) -> None:
    """Make the stored units match the workspace file (units are never deleted)."""
    existing = {row.slug: row for row in session.scalars(select(OrgUnitRow))}
    for unit in units:
        row = existing.get(unit.slug)
        if row is None:
            session.add(
                OrgUnitRow(
                    slug=unit.slug, name=unit.name, owner=unit.owner, description=unit.description
                )
            )
            audit(
                session,
                at=now,
                actor=actor,
                action="create",
                entity="unit",
                key=unit.slug,
                new=unit.name,
            )
            continue
        for field in ("name", "owner", "description"):
            old, new = getattr(row, field), getattr(unit, field)
            if old != new:
                setattr(row, field, new)
                audit(
                    session,
                    at=now,
                    actor=actor,
                    action="update",
                    entity="unit",
                    key=unit.slug,
                    field=field,
                    old=old,
                    new=new,
                )


def list_units(session: Session) -> list[OrgUnit]:
    rows = session.scalars(select(OrgUnitRow).order_by(OrgUnitRow.slug))
    return [
        OrgUnit(slug=r.slug, name=r.name, owner=r.owner, description=r.description) for r in rows
    ]


# ---- answers ----------------------------------------------------------------------------


def _answer(row: AnswerRow) -> Answer:
    return Answer(
        goal_code=row.goal_code,
        unit=row.unit,
        status=Outcome(row.status),
        note=row.note,
        evidence_url=row.evidence_url,
        reason=row.reason,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
    )


def list_answers(session: Session) -> list[Answer]:
    rows = session.scalars(select(AnswerRow).order_by(AnswerRow.answered_at, AnswerRow.id))
    return [_answer(r) for r in rows]


def add_answer(session: Session, answer: Answer, actor: str, now: datetime) -> None:
    """Append an answer; the audit trail keeps the value it replaces."""
    previous = session.scalar(
        select(AnswerRow)
        .where(AnswerRow.goal_code == answer.goal_code)
        .where(AnswerRow.unit.is_(None) if answer.unit is None else AnswerRow.unit == answer.unit)
        .order_by(AnswerRow.answered_at.desc(), AnswerRow.id.desc())
        .limit(1)
    )
    session.add(
        AnswerRow(
            goal_code=answer.goal_code,
            unit=answer.unit,
            status=answer.status.value,
            note=answer.note,
            evidence_url=answer.evidence_url,
            reason=answer.reason,
            answered_at=answer.answered_at,
            answered_by=answer.answered_by,
        )
    )
    audit(
        session,
        at=now,
        actor=actor,
        action="answer",
        entity="goal",
        key=f"{answer.goal_code}@{answer.unit or 'organization'}",
        field="status",
        old=previous.status if previous else None,
        new=answer.status.value,
    )


# ---- waivers ----------------------------------------------------------------------------


def list_waivers(session: Session) -> list[Waiver]:
    rows = session.scalars(select(WaiverRow).order_by(WaiverRow.created_at, WaiverRow.id))
    return [
        Waiver(
            goal_code=r.goal_code,
            unit=r.unit,
            reason=r.reason,
            owner=r.owner,
            expires_at=r.expires_at,
            created_at=r.created_at,
        )
        for r in rows
    ]


def add_waiver(session: Session, waiver: Waiver, actor: str, now: datetime) -> None:
    session.add(
        WaiverRow(
            goal_code=waiver.goal_code,
            unit=waiver.unit,
            reason=waiver.reason,
            owner=waiver.owner,
            expires_at=waiver.expires_at,
            created_at=waiver.created_at,
        )
    )
    audit(
        session,
        at=now,
        actor=actor,
        action="waive",
        entity="goal",
        key=f"{waiver.goal_code}@{waiver.unit or 'organization'}",
        field="waiver",
        new=f"{waiver.reason} (owner {waiver.owner}, expires {waiver.expires_at or 'never'})",
    )


# ---- measurements -----------------------------------------------------------------------


def list_measurements(session: Session) -> list[Measurement]:
    rows = session.scalars(
        select(MeasurementRow).order_by(MeasurementRow.measured_at, MeasurementRow.id)
    )
    return [
        Measurement(
            metric_id=r.metric_id,
            unit=r.unit,
            value=r.value,
            measured_at=r.measured_at,
            source=r.source,
            note=r.note,
        )
        for r in rows
    ]


def add_measurement(session: Session, m: Measurement, actor: str, now: datetime) -> None:
    session.add(
        MeasurementRow(
            metric_id=m.metric_id,
            unit=m.unit,
            value=m.value,
            measured_at=m.measured_at,
            source=m.source,
            note=m.note,
        )
    )
    audit(
        session,
        at=now,
        actor=actor,
        action="measure",
        entity="metric",
        key=f"{m.metric_id}@{m.unit or 'organization'}",
        field="value",
        new=m.value,
    )


# ---- snapshots --------------------------------------------------------------------------


def get_snapshot(session: Session, name: str) -> SnapshotRow | None:
    return session.scalar(select(SnapshotRow).where(SnapshotRow.name == name))


def list_snapshots(session: Session) -> list[SnapshotRow]:
    return list(session.scalars(select(SnapshotRow).order_by(SnapshotRow.as_of, SnapshotRow.id)))


def add_snapshot(
    session: Session, row: SnapshotRow, scores: Sequence[SnapshotScoreRow], actor: str
) -> None:
    session.add(row)
    session.flush()
    for score in scores:
        score.snapshot_id = row.id
        session.add(score)
    audit(
        session,
        at=row.created_at,
        actor=actor,
        action="snapshot",
        entity="snapshot",
        key=row.name,
        new=f"score {row.score}, level {row.level}",
    )


def snapshot_pillar_scores(
    session: Session, scope: str
) -> dict[str, dict[str, tuple[float | None, int | None]]]:
    """Per snapshot name, the (score, level) of each pillar of ``scope``, from typed columns."""
    rows = session.execute(
        select(
            SnapshotRow.name,
            SnapshotScoreRow.pillar,
            SnapshotScoreRow.score,
            SnapshotScoreRow.level,
        )
        .join(SnapshotScoreRow, SnapshotScoreRow.snapshot_id == SnapshotRow.id)
        .where(SnapshotScoreRow.scope == scope)
        .order_by(SnapshotRow.as_of, SnapshotScoreRow.id)
    )
    result: dict[str, dict[str, tuple[float | None, int | None]]] = {}
    for name, pillar, score, level in rows:
        result.setdefault(name, {})[pillar] = (score, level)
    return result


def list_audit(session: Session, limit: int = 100) -> list[AuditEntry]:
    """The newest ``limit`` audit entries, newest first."""
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
    return [audit_entry(r) for r in rows]


def audit_entry(row: AuditEvent) -> AuditEntry:
    return AuditEntry(
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        key=row.entity_key,
        field=row.field,
        old_value=row.old_value,
        new_value=row.new_value,
    )


def clear_all(session: Session) -> None:
    """Remove every row (used by restore, inside its transaction), children first."""
    for table in (
        SnapshotScoreRow,
        SnapshotRow,
        AnswerRow,
        WaiverRow,
        MeasurementRow,
        AuditEvent,
        FrameworkVersion,
        EvidenceRow,
        ObservationRow,
        ScanRow,
        SubjectRow,
        OrgUnitRow,
    ):
        session.execute(delete(table))


# ---- scans and observations -------------------------------------------------------------


def _insert_observations(
    session: Session, scan_id: int, rows: list[dict[str, object]]
) -> Sequence[int]:
    """Insert the observation rows of one scan; their ids, in the order of ``rows``.

    Core statements on the table (the ORM's bulk path costs far more per row, for
    nothing). PostgreSQL returns the ids of a batched insert sorted by SQLAlchemy. On
    SQLite, SQLAlchemy can sort them only by inserting one row per statement; there the
    rows go in with one executemany instead, which sqlite3 runs row by row, and each new
    rowid is the largest one so far plus one: this scan's rows, read back by id, come in
    the order they were inserted.
    """
    table = _table(ObservationRow)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(insert(table), rows)
        query = select(table.c.id).where(table.c.scan_id == scan_id).order_by(table.c.id)
        ids: Sequence[int] = session.scalars(query).all()
    else:
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = session.scalars(statement, rows).all()
    if len(ids) != len(rows):
        raise RuntimeError(f"stored {len(ids)} observations of {len(rows)}")
    return ids


def add_scan(
    session: Session,
    *,
    started_at: datetime,
    finished_at: datetime,
    roots: Sequence[str],
    inputs: int,
    observations: Sequence[Observation],
    problems: int,
    actor: str,
) -> int:
    """Store one scan and everything it observed; returns the scan id."""
    scan = ScanRow(
        started_at=started_at,
        finished_at=finished_at,
        roots=json.dumps(list(roots)),
        inputs=inputs,
        observations=len(observations),
        problems=problems,
        actor=actor,
    )
    session.add(scan)
    subjects = {(r.kind, r.ref): r for r in session.scalars(select(SubjectRow))}
    for observation in observations:
        key = (observation.collector, observation.subject)
        if key not in subjects:
            row = SubjectRow(
                kind=observation.collector,
                ref=observation.subject,
                name=observation.subject[:200],
                unit=observation.unit,
            )
            session.add(row)
            subjects[key] = row
    session.flush()
    # bulk inserts (one statement per table, ids returned in order): a scan can hold
    # tens of thousands of observations
    if not observations:
        audit(
            session,
            at=finished_at,
            actor=actor,
            action="scan",
            entity="scan",
            key=str(scan.id),
            new=f"0 observations from {inputs} inputs, {problems} problems",
        )
        return scan.id
    ids = _insert_observations(
        session,
        scan.id,
        [
            {
                "scan_id": scan.id,
                "collector": o.collector,
                "collector_version": o.collector_version,
                "check_id": o.check_id,
                "subject_id": subjects[(o.collector, o.subject)].id,
                "unit": o.unit,
                "goal_codes": ",".join(o.goal_codes),
                "passed": o.passed,
                "waived": o.waived,
                "value": o.value,
                "message": o.message,
                "observed_at": o.observed_at,
            }
            for o in observations
        ],
    )
    evidence = [
        {
            "observation_id": observation_id,
            "path": e.path,
            "line_start": e.line_start,
            "line_end": e.line_end,
            "url": e.url,
            "query": e.query,
            "object_ref": e.object_ref,
        }
        for observation_id, o in zip(ids, observations, strict=True)
        for e in o.evidence
    ]
    if evidence:
        session.execute(insert(_table(EvidenceRow)), evidence)
    audit(
        session,
        at=finished_at,
        actor=actor,
        action="scan",
        entity="scan",
        key=str(scan.id),
        new=f"{len(observations)} observations from {inputs} inputs, {problems} problems",
    )
    return scan.id


def latest_scan_roots(session: Session) -> list[str] | None:
    """The roots of the most recent scan; None when no scan is stored."""
    roots = session.scalar(select(ScanRow.roots).order_by(ScanRow.id.desc()).limit(1))
    return None if roots is None else [str(r) for r in json.loads(roots)]


def latest_observations(session: Session) -> list[Observation]:
    """The observations of the most recent scan (a scan is complete for what it read)."""
    latest = session.scalar(select(ScanRow.id).order_by(ScanRow.id.desc()).limit(1))
    if latest is None:
        return []
    rows = session.execute(
        select(ObservationRow, SubjectRow.ref)
        .join(SubjectRow, SubjectRow.id == ObservationRow.subject_id)
        .where(ObservationRow.scan_id == latest)
        .order_by(ObservationRow.id)
    ).all()
    evidence: dict[int, list[EvidenceRef]] = {}
    ids = [row.id for row, _ in rows]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for e in session.scalars(select(EvidenceRow).where(EvidenceRow.observation_id.in_(part))):
            evidence.setdefault(e.observation_id, []).append(
                EvidenceRef(
                    path=e.path,
                    line_start=e.line_start,
                    line_end=e.line_end,
                    url=e.url,
                    query=e.query,
                    object_ref=e.object_ref,
                )
            )
    return [
        Observation(
            collector=row.collector,
            collector_version=row.collector_version,
            check_id=row.check_id,
            subject=ref,
            unit=row.unit,
            goal_codes=tuple(c for c in row.goal_codes.split(",") if c),
            passed=row.passed,
            waived=row.waived,
            value=row.value,
            message=row.message,
            evidence=tuple(evidence.get(row.id, ())),
            observed_at=row.observed_at,
        )
        for row, ref in rows
    ]
