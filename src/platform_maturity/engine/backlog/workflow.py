"""The item workflow: which state may follow which, and what each transition needs.

new ──► triaged ──► in_progress ──► resolved
 │         │  ▲          │             │
 │         │  └── reopen ┼─────────────┘ (and when an accepted risk expires)
 │         └──► risk_accepted ◄────────┘
 └──► duplicate / invalid (from any open state; reopen goes back to new)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from platform_maturity.domain.backlog import Acceptance, BacklogItem, ItemState
from platform_maturity.domain.errors import UserError

S = ItemState
ALLOWED: dict[ItemState, tuple[ItemState, ...]] = {
    S.NEW: (S.TRIAGED, S.RESOLVED, S.DUPLICATE, S.INVALID),
    S.TRIAGED: (S.IN_PROGRESS, S.RESOLVED, S.RISK_ACCEPTED, S.DUPLICATE, S.INVALID),
    S.IN_PROGRESS: (S.RESOLVED, S.RISK_ACCEPTED, S.DUPLICATE, S.INVALID),
    S.RISK_ACCEPTED: (S.TRIAGED, S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.TRIAGED, S.NEW),
    S.DUPLICATE: (S.NEW,),
    S.INVALID: (S.NEW,),
}
MAX_ACCEPTANCE = timedelta(days=366)


def allowed_from(state: ItemState) -> tuple[ItemState, ...]:
    return ALLOWED[state]


def check_transition(item: BacklogItem, to: ItemState, field: str = "--state") -> None:
    """Refuse a transition the workflow forbids, or one the item is not ready for."""
    if to == item.state:
        raise UserError(f"{item.key} is {item.state.label} already", field=field, value=to.value)
    if to not in ALLOWED[item.state]:
        options = ", ".join(s.value for s in ALLOWED[item.state])
        raise UserError(
            f"{item.key} is {item.state.label}; it cannot move to {to.label}",
            field=field,
            value=to.value,
            hint=f"From {item.state.label} it can move to: {options}.",
        )
    if to in (S.TRIAGED, S.IN_PROGRESS, S.RISK_ACCEPTED) and not item.scored:
        raise UserError(
            f"{item.key} has no risk and impact yet; it cannot be {to.label}",
            field=field,
            value=to.value,
            hint=f"Score it first: maturity backlog triage {item.key} --risk N --impact N.",
        )
    if to == S.NEW and item.state == S.RESOLVED and item.scored:
        raise UserError(
            f"{item.key} is scored; reopening it makes it triaged, not new",
            field=field,
            value=to.value,
            hint=f"Use: maturity backlog update {item.key} --state triaged.",
        )


def check_acceptance(
    item: BacklogItem, approver: str, reason: str, expires_at: datetime, now: datetime
) -> None:
    """An accepted risk needs an approver, a reason and an expiry within a year."""
    check_transition(item, S.RISK_ACCEPTED)
    if not approver.strip():
        raise UserError("a risk acceptance needs an approver", field="--approver")
    if len(reason.strip()) < 3:
        raise UserError("a risk acceptance needs a reason", field="--reason", value=reason)
    if expires_at <= now:
        raise UserError(
            "the acceptance expires in the past",
            field="--expires",
            value=f"{expires_at:%Y-%m-%d}",
            hint="Accepted risks are reviewed again when they expire; pick a future date.",
        )
    if expires_at - now > MAX_ACCEPTANCE:
        raise UserError(
            "a risk acceptance lasts at most a year",
            field="--expires",
            value=f"{expires_at:%Y-%m-%d}",
            hint="Accept it for up to a year, then review it again.",
        )


def reopened_state(item: BacklogItem) -> ItemState:
    """Where an item goes back to when it reopens: triaged when scored, else new."""
    return S.TRIAGED if item.scored else S.NEW


def _end_acceptance(item: BacklogItem, now: datetime) -> BacklogItem:
    a = item.acceptance
    if a is None or a.expires_at <= now:
        return item
    return item.model_copy(update={"acceptance": a.model_copy(update={"expires_at": now})})


def transition(
    item: BacklogItem,
    to: ItemState,
    now: datetime,
    *,
    note: str | None = None,
    duplicate_of: int | None = None,
    policy_version: int | None = None,
) -> BacklogItem:
    """The item after moving to ``to`` at ``now``, with the dates the move sets.

    Reopening (from resolved, duplicate, invalid, or ending an accepted risk early)
    restarts the SLA clock at ``now``.
    """
    check_transition(item, to)
    changes: dict[str, object] = {"state": to, "updated_at": now}
    if item.state == S.RISK_ACCEPTED:
        item = _end_acceptance(item, now)
        if to in (S.TRIAGED, S.IN_PROGRESS):
            changes["sla_started_at"] = now
    if to == S.TRIAGED:
        if item.triaged_at is None:
            changes["triaged_at"] = now
        if item.policy_version is None:
            changes["policy_version"] = policy_version
        if item.state == S.RESOLVED:
            changes.update(resolved_at=None, started_at=None, resolution=None, sla_started_at=now)
    elif to == S.IN_PROGRESS:
        if item.started_at is None:
            changes["started_at"] = now
    elif to == S.RESOLVED:
        changes.update(resolved_at=now, resolution=note or item.resolution)
    elif to == S.DUPLICATE:
        if duplicate_of is None:
            raise UserError(
                "a duplicate names the item it duplicates",
                field="--of",
                hint=f"Use: maturity backlog close {item.key} --as duplicate --of SEC-N.",
            )
        if duplicate_of == item.id:
            raise UserError("an item cannot duplicate itself", field="--of", value=item.key)
        changes.update(closed_at=now, duplicate_of=duplicate_of, resolution=note)
    elif to == S.INVALID:
        if not note or len(note.strip()) < 3:
            raise UserError(
                "say why the item is invalid",
                field="--reason",
                hint="e.g. --reason 'not exploitable: the endpoint is not deployed'.",
            )
        changes.update(closed_at=now, resolution=note)
    elif to == S.NEW:
        changes.update(
            closed_at=None,
            duplicate_of=None,
            resolved_at=None,
            resolution=None,
            sla_started_at=now,
        )
    return item.model_copy(update=changes)


def accept(
    item: BacklogItem, approver: str, reason: str, expires_at: datetime, now: datetime
) -> BacklogItem:
    """The item with its risk accepted by ``approver`` until ``expires_at``."""
    check_acceptance(item, approver, reason, expires_at, now)
    acceptance = Acceptance(
        approver=approver.strip(), reason=reason.strip(), accepted_at=now, expires_at=expires_at
    )
    return item.model_copy(
        update={"state": S.RISK_ACCEPTED, "acceptance": acceptance, "updated_at": now}
    )


def expired_acceptance(item: BacklogItem, now: datetime) -> BacklogItem | None:
    """The reopened item when its accepted risk has expired by ``now`` (else None).

    The item goes back to in progress when work had started, else to triaged, and its
    SLA clock starts again at the expiry.
    """
    a = item.acceptance
    if item.state != S.RISK_ACCEPTED or a is None or a.expires_at > now:
        return None
    state = S.IN_PROGRESS if item.started_at is not None else S.TRIAGED
    return item.model_copy(
        update={"state": state, "sla_started_at": a.expires_at, "updated_at": now}
    )
