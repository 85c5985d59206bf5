"""Queries over the log of public reports: the basis of the intake's rate limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from platform_maturity.store.backlog import IntakeLogRow


def log_intake(
    session: Session,
    *,
    received_at: datetime,
    client_hash: str | None,
    email_hash: str | None,
    content_hash: str,
    outcome: str,
    reference: str,
    item_id: int | None,
) -> None:
    session.add(
        IntakeLogRow(
            received_at=received_at,
            client_hash=client_hash,
            email_hash=email_hash,
            content_hash=content_hash,
            outcome=outcome,
            reference=reference,
            item_id=item_id,
        )
    )


def intake_counts(
    session: Session,
    since: datetime,
    client_hash: str | None,
    email_hash: str | None,
    content_hash: str,
) -> tuple[int, int, int, int]:
    """Reports since ``since``: from this client, from this email, in total; and earlier
    accepted reports with the same content (ever)."""

    def count(*conditions: object) -> int:
        query = select(func.count()).select_from(IntakeLogRow).where(*conditions)  # type: ignore[arg-type]
        return int(session.scalar(query) or 0)

    recent = IntakeLogRow.received_at >= since
    by_client = count(recent, IntakeLogRow.client_hash == client_hash) if client_hash else 0
    by_email = count(recent, IntakeLogRow.email_hash == email_hash) if email_hash else 0
    total = count(recent)
    same = count(IntakeLogRow.content_hash == content_hash, IntakeLogRow.outcome == "accepted")
    return by_client, by_email, total, same
