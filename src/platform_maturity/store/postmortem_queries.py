"""Queries over postmortems. Every function takes the session of the caller's transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from platform_maturity.domain.postmortems import (
    ActionItem,
    IncidentImpact,
    Money,
    Postmortem,
    TimelineEntry,
)
from platform_maturity.store.postmortems import PostmortemActionRow, PostmortemGapRow, PostmortemRow
from platform_maturity.store.repo import audit

ENTITY = "postmortem"


def _key(pm: PostmortemRow | Postmortem) -> str:
    return f"PM-{pm.id} ({pm.subject_kind}:{pm.subject_id})"


def _records(session: Session, rows: Sequence[PostmortemRow]) -> list[Postmortem]:
    ids = [r.id for r in rows]
    gaps: dict[int, list[str]] = defaultdict(list)
    actions: dict[int, list[ActionItem]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for g in session.scalars(
            select(PostmortemGapRow)
            .where(PostmortemGapRow.postmortem_id.in_(part))
            .order_by(PostmortemGapRow.id)
        ):
            gaps[g.postmortem_id].append(g.goal_code)
        for a in session.scalars(
            select(PostmortemActionRow)
            .where(PostmortemActionRow.postmortem_id.in_(part))
            .order_by(PostmortemActionRow.position, PostmortemActionRow.id)
        ):
            actions[a.postmortem_id].append(
                ActionItem(title=a.title, owner=a.owner, due=a.due, kind=a.kind, done_at=a.done_at)
            )
    return [
        Postmortem(
            id=r.id,
            subject_kind=r.subject_kind,
            subject_id=r.subject_id,
            summary=r.summary,
            proximate_cause=r.proximate_cause,
            platform_gaps=tuple(gaps[r.id]),
            cost=(
                Money(amount=r.cost_amount, currency=r.cost_currency)
                if r.cost_amount is not None and r.cost_currency
                else None
            ),
            action_items=tuple(actions[r.id]),
            author=r.author,
            created_at=r.created_at,
            updated_at=r.updated_at,
            restricted=bool(r.restricted),
            impact=_impact(r),
        )
        for r in rows
    ]


def _impact(row: PostmortemRow) -> IncidentImpact | None:
    if row.impact_minutes is None:
        return None
    return IncidentImpact(
        users_affected=row.users_affected,
        minutes=row.impact_minutes,
        detection=row.detection or "",
        lost_revenue=row.lost_revenue or 0.0,
        responder_hours=row.responder_hours or 0.0,
        response_cost=row.response_cost or 0.0,
        timeline=tuple(TimelineEntry.model_validate(e) for e in json.loads(row.timeline or "[]")),
    )


def _write_impact(row: PostmortemRow, impact: IncidentImpact | None) -> None:
    row.users_affected = impact.users_affected if impact else None
    row.impact_minutes = impact.minutes if impact else None
    row.detection = impact.detection if impact else None
    row.lost_revenue = impact.lost_revenue if impact else None
    row.responder_hours = impact.responder_hours if impact else None
    row.response_cost = impact.response_cost if impact else None
    row.timeline = (
        json.dumps([e.model_dump(mode="json") for e in impact.timeline]) if impact else None
    )


def list_postmortems(
    session: Session,
    *,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    include_restricted: bool = True,
) -> list[Postmortem]:
    query = select(PostmortemRow).order_by(PostmortemRow.created_at, PostmortemRow.id)
    if subject_kind is not None:
        query = query.where(PostmortemRow.subject_kind == subject_kind)
    if subject_id is not None:
        query = query.where(PostmortemRow.subject_id == subject_id)
    if not include_restricted:
        query = query.where(PostmortemRow.restricted.is_(False))
    return _records(session, list(session.scalars(query)))


def get_postmortem(session: Session, postmortem_id: int) -> Postmortem | None:
    row = session.get(PostmortemRow, postmortem_id)
    return _records(session, [row])[0] if row is not None else None


def add_postmortem(session: Session, pm: Postmortem, actor: str, now: datetime) -> int:
    row = PostmortemRow(
        subject_kind=pm.subject_kind,
        subject_id=pm.subject_id,
        summary=pm.summary,
        proximate_cause=pm.proximate_cause,
        cost_amount=pm.cost.amount if pm.cost else None,
        cost_currency=pm.cost.currency if pm.cost else None,
        author=pm.author,
        created_at=pm.created_at,
        updated_at=pm.updated_at,
        restricted=pm.restricted,
    )
    _write_impact(row, pm.impact)
    session.add(row)
    session.flush()
    _write_children(session, row.id, pm)
    audit(
        session,
        at=now,
        actor=actor,
        action="create",
        entity=ENTITY,
        key=_key(row),
        restricted=pm.restricted,
        new=f"gaps {', '.join(pm.platform_gaps) or 'none'}; cost {pm.cost or 'not stated'};"
        f" {len(pm.action_items)} action item(s)",
    )
    return row.id


def _write_children(session: Session, postmortem_id: int, pm: Postmortem) -> None:
    for code in pm.platform_gaps:
        session.add(PostmortemGapRow(postmortem_id=postmortem_id, goal_code=code))
    for position, action in enumerate(pm.action_items):
        session.add(
            PostmortemActionRow(
                postmortem_id=postmortem_id,
                position=position,
                title=action.title,
                owner=action.owner,
                due=action.due,
                kind=action.kind,
                done_at=action.done_at,
            )
        )


def replace_postmortem(
    session: Session, before: Postmortem, after: Postmortem, actor: str, now: datetime
) -> None:
    """Store ``after`` in place of ``before`` (same id); audit every field that changed."""
    assert before.id is not None and before.id == after.id
    row = session.get(PostmortemRow, before.id)
    assert row is not None
    row.summary = after.summary
    row.proximate_cause = after.proximate_cause
    row.cost_amount = after.cost.amount if after.cost else None
    row.cost_currency = after.cost.currency if after.cost else None
    row.updated_at = after.updated_at
    _write_impact(row, after.impact)
    session.execute(delete(PostmortemGapRow).where(PostmortemGapRow.postmortem_id == row.id))
    session.execute(delete(PostmortemActionRow).where(PostmortemActionRow.postmortem_id == row.id))
    _write_children(session, row.id, after)
    changes = {
        "summary": (before.summary, after.summary),
        "proximate_cause": (before.proximate_cause, after.proximate_cause),
        "platform_gaps": (", ".join(before.platform_gaps), ", ".join(after.platform_gaps)),
        "cost": (before.cost, after.cost),
        "action_items": (_actions_text(before), _actions_text(after)),
        "impact": (_impact_text(before), _impact_text(after)),
    }
    for field, (old, new) in changes.items():
        if old != new:
            audit(
                session,
                at=now,
                actor=actor,
                action="update",
                entity=ENTITY,
                key=_key(row),
                restricted=after.restricted,
                field=field,
                old=old,
                new=new,
            )


def _actions_text(pm: Postmortem) -> str:
    return "; ".join(
        f"{a.title}{' (done)' if a.done else ''}{f' due {a.due}' if a.due else ''}"
        for a in pm.action_items
    )


def _impact_text(pm: Postmortem) -> str | None:
    if pm.impact is None:
        return None
    i = pm.impact
    return (
        f"{i.minutes:.0f} min, users {i.users_affected if i.users_affected is not None else '?'},"
        f" lost revenue {i.lost_revenue:,.2f}, responders {i.responder_hours} h"
    )
