"""Audit entries for restricted data: the same append-only trail, marked restricted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from platform_maturity.store.models import AuditEvent


def audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    restricted: bool,
    field: str | None = None,
    old: object = None,
    new: object = None,
) -> None:
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
