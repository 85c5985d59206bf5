"""Security backlog use cases: add, triage, update, close, accept, list, show.

Every change is one transaction and goes to the audit trail (marked restricted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from platform_maturity.domain.backlog import (
    OPEN_STATES,
    BacklogItem,
    ItemSource,
    ItemState,
    item_key,
    parse_key,
    parse_source,
    parse_state,
)
from platform_maturity.domain.backlog_policy import SecurityBacklogPolicy
from platform_maturity.domain.backlog_results import ItemView
from platform_maturity.domain.backlog_settings import effective_policy
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.postmortems import Postmortem
from platform_maturity.domain.records import AuditEntry
from platform_maturity.engine.backlog import workflow
from platform_maturity.engine.backlog.views import Backlog, item_view
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import backlog_queries as queries
from platform_maturity.store import postmortem_queries
from platform_maturity.store.db import Database

SYSTEM = "maturity"  # the actor of changes the tool makes by itself (an expired acceptance)


def backlog_policy(workspace: Workspace) -> SecurityBacklogPolicy:
    """The framework's security backlog policy with the workspace's ``backlog:`` changes."""
    base = workspace.framework.measures.get("security-backlog")
    if not isinstance(base, dict):
        raise UserError(
            "the framework has no security backlog policy",
            hint="Use the built-in framework, or add measures/security-backlog.yaml to yours.",
        )
    try:
        return effective_policy(
            base, workspace.config.backlog, workspace.config.organization.currency
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserError(
            f"the backlog settings do not make a valid policy: {first['msg']}",
            file=str(workspace.config_path),
            field=f"backlog ({where})" if where else "backlog",
            hint="docs/backlog.md describes the backlog section of maturity.yaml.",
        ) from None


def current_policy_version(database: Database, policy: SecurityBacklogPolicy) -> int | None:
    """The stored version number of the policy's bands (None until an item is triaged)."""
    digest = policy.sla_policy.digest()
    with database.transaction() as session:
        for version, stored in queries.policy_versions(session).items():
            if stored.digest() == digest:
                return version
    return None


def load_backlog(session: Session, workspace: Workspace) -> Backlog:
    return Backlog(
        items=queries.list_items(session),
        policy=backlog_policy(workspace),
        versions=queries.policy_versions(session),
        reviews=queries.list_reviews(session),
    )


def find_item(session: Session, ref: str, field: str = "ITEM") -> BacklogItem:
    number = parse_key(ref)
    item = queries.get_item(session, number) if number is not None else None
    if item is None:
        raise UserError(
            "no backlog item with this key" if number else "not a backlog item key",
            field=field,
            value=ref,
            hint="Keys read SEC-12; 'maturity backlog list --all' lists them.",
        )
    return item


def get_item(database: Database, ref: str) -> BacklogItem:
    """One item as stored (``show`` adds its SLA standing, history and postmortems)."""
    with database.transaction() as session:
        return find_item(session, ref)


def apply_expiries(session: Session, now: datetime) -> list[str]:
    """Reopen items whose accepted risk has expired (recorded as changes by the tool)."""
    reopened = []
    for row_id in queries.expired_acceptances(session, now):
        item = queries.get_item(session, row_id)
        assert item is not None
        after = workflow.expired_acceptance(item, now)
        if after is not None:
            queries.save_item(session, item, after, SYSTEM, now, "reopen")
            reopened.append(item.key)
    return reopened


def _score(value: int | None, field: str) -> int | None:
    if value is not None and not 1 <= value <= 5:
        raise UserError(
            "scores run from 1 to 5",
            field=field,
            value=value,
            hint="'maturity backlog policy' shows what each level means.",
        )
    return value


def _source(text: str) -> ItemSource:
    try:
        return parse_source(text)
    except ValueError as exc:
        raise UserError(str(exc), field="--source", value=text) from None


def add_item(
    workspace: Workspace,
    database: Database,
    *,
    title: str,
    component: str,
    description: str = "",
    source: str = "report",
    reporter: str | None = None,
    owner: str | None = None,
    unit: str | None = None,
    risk: int | None = None,
    impact: int | None = None,
    reported_at: datetime | None = None,
    actor: str,
    now: datetime,
) -> BacklogItem:
    """A new item; with both risk and impact it is triaged at once."""
    if len(title.strip()) < 3:
        raise UserError("the title is too short", field="--title", value=title)
    if not component.strip():
        raise UserError("name the affected component or subject", field="--component")
    if (risk is None) != (impact is None):
        raise UserError(
            "give both risk and impact, or neither",
            field="--risk" if risk is None else "--impact",
            hint="Without them the item waits as new for the next review to score it.",
        )
    when = reported_at or now
    if when > now:
        raise UserError(
            "the report date is in the future", field="--reported", value=f"{when:%Y-%m-%d}"
        )
    item = BacklogItem(
        title=title.strip(),
        description=description.strip(),
        component=component.strip(),
        source=_source(source),
        reporter=reporter,
        owner=owner,
        unit=workspace.unit(unit),
        risk=_score(risk, "--risk"),
        impact=_score(impact, "--impact"),
        reported_at=when,
        sla_started_at=when,
        created_at=now,
        updated_at=now,
    )
    policy = backlog_policy(workspace)
    with database.transaction() as session:
        new_id = queries.add_item(session, item, actor, now)
        stored = item.model_copy(update={"id": new_id})
        if stored.scored:
            version = queries.ensure_policy_version(session, policy.sla_policy, actor, now)
            triaged = workflow.transition(stored, ItemState.TRIAGED, now, policy_version=version)
            queries.save_item(session, stored, triaged, actor, now, "triage")
            stored = triaged
    return stored


def triage(
    workspace: Workspace,
    database: Database,
    ref: str,
    *,
    risk: int | None,
    impact: int | None,
    use_suggestion: bool = False,
    owner: str | None = None,
    actor: str,
    now: datetime,
) -> BacklogItem:
    """Score an item risk × impact (or confirm the scanner's suggestion); new → triaged.

    An item already triaged can be scored again; it keeps its SLA policy version.
    """
    policy = backlog_policy(workspace)
    with database.transaction() as session:
        apply_expiries(session, now)
        item = find_item(session, ref)
        if use_suggestion:
            if item.suggestion is None:
                raise UserError(
                    f"{item.key} has no suggested score",
                    field="--accept-suggestion",
                    hint="Give --risk and --impact.",
                )
            risk = risk or item.suggestion.risk
            impact = impact or item.suggestion.impact
        if risk is None or impact is None:
            raise UserError(
                "triage needs a risk and an impact",
                field="--risk" if risk is None else "--impact",
                hint="Score 1-5 each ('maturity backlog policy' shows the anchors), or"
                " --accept-suggestion for an imported finding.",
            )
        if item.state not in (*OPEN_STATES, ItemState.RISK_ACCEPTED):
            raise UserError(
                f"{item.key} is {item.state.label}; only open items are scored",
                field="ITEM",
                value=ref,
                hint=f"Reopen it first: maturity backlog update {item.key} --state triaged.",
            )
        scored = item.model_copy(
            update={
                "risk": _score(risk, "--risk"),
                "impact": _score(impact, "--impact"),
                "owner": owner or item.owner,
                "updated_at": now,
            }
        )
        if item.state == ItemState.NEW:
            version = queries.ensure_policy_version(session, policy.sla_policy, actor, now)
            scored = workflow.transition(scored, ItemState.TRIAGED, now, policy_version=version)
        queries.save_item(session, item, scored, actor, now, "triage")
    return scored


@dataclass(frozen=True)
class Changes:
    """Fields to change with ``update``; None leaves a field as it is."""

    state: str | None = None
    title: str | None = None
    description: str | None = None
    component: str | None = None
    owner: str | None = None
    unit: str | None = None
    note: str | None = None


def update(
    workspace: Workspace,
    database: Database,
    ref: str,
    changes: Changes,
    *,
    actor: str,
    now: datetime,
) -> BacklogItem:
    """Change fields and/or move the item along the workflow (e.g. --state in_progress)."""
    policy = backlog_policy(workspace)
    with database.transaction() as session:
        apply_expiries(session, now)
        item = find_item(session, ref)
        fields: dict[str, object] = {}
        for name in ("title", "description", "component", "owner"):
            value = getattr(changes, name)
            if value is not None:
                fields[name] = value.strip()
        if changes.unit is not None:
            fields["unit"] = workspace.unit(changes.unit)
        if not fields and changes.state is None:
            raise UserError(
                "nothing to change",
                hint="Give --state, --title, --description, --component, --owner or --unit.",
            )
        try:
            after = item.model_copy(update={**fields, "updated_at": now})
            BacklogItem.model_validate(after.model_dump())
        except ValidationError as exc:
            first = exc.errors()[0]
            raise UserError(
                f"not a valid value: {first['msg']}", field=f"--{first['loc'][0]}"
            ) from None
        if changes.state is not None:
            try:
                to = parse_state(changes.state)
            except ValueError as exc:
                raise UserError(str(exc), field="--state", value=changes.state) from None
            if to == ItemState.RISK_ACCEPTED:
                raise UserError(
                    "accepting a risk needs an approver, a reason and an expiry",
                    field="--state",
                    value=changes.state,
                    hint=f"Use: maturity backlog accept {item.key} --approver NAME --reason"
                    " TEXT --expires DATE.",
                )
            if to in (ItemState.DUPLICATE, ItemState.INVALID):
                raise UserError(
                    f"closing as {to.label} goes through 'maturity backlog close'",
                    field="--state",
                    value=changes.state,
                    hint=f"Use: maturity backlog close {item.key} --as {to.value} ...",
                )
            version = None
            if to == ItemState.TRIAGED and after.policy_version is None:
                version = queries.ensure_policy_version(session, policy.sla_policy, actor, now)
            after = workflow.transition(after, to, now, note=changes.note, policy_version=version)
        elif changes.note:
            queries.note(session, item.id or 0, changes.note, actor, now)
        queries.save_item(session, item, after, actor, now, "update")
    return after


CLOSE_AS = (ItemState.RESOLVED, ItemState.DUPLICATE, ItemState.INVALID)


def close(
    database: Database,
    ref: str,
    *,
    as_: str,
    reason: str | None = None,
    duplicate_of: str | None = None,
    actor: str,
    now: datetime,
) -> BacklogItem:
    """Resolve an item, or close it as a duplicate (of another item) or invalid (why)."""
    try:
        to = parse_state(as_)
    except ValueError as exc:
        raise UserError(str(exc), field="--as", value=as_) from None
    if to not in CLOSE_AS:
        raise UserError(
            "close an item as resolved, duplicate or invalid",
            field="--as",
            value=as_,
            hint="Risks are accepted with 'maturity backlog accept'.",
        )
    with database.transaction() as session:
        apply_expiries(session, now)
        item = find_item(session, ref)
        original = None
        if duplicate_of is not None:
            original = find_item(session, duplicate_of, "--of")
        elif to == ItemState.DUPLICATE:
            raise UserError(
                "a duplicate names the item it duplicates",
                field="--of",
                hint=f"Use: maturity backlog close {item.key} --as duplicate --of SEC-N.",
            )
        after = workflow.transition(
            item, to, now, note=reason, duplicate_of=original.id if original else None
        )
        queries.save_item(session, item, after, actor, now, "close")
    return after


def accept(
    database: Database,
    ref: str,
    *,
    approver: str,
    reason: str,
    expires: datetime,
    actor: str,
    now: datetime,
) -> BacklogItem:
    """Accept an item's risk until ``expires``; it reopens by itself when that passes."""
    with database.transaction() as session:
        apply_expiries(session, now)
        item = find_item(session, ref)
        after = workflow.accept(item, approver, reason, expires, now)
        queries.save_item(session, item, after, actor, now, "accept")
    return after


@dataclass(frozen=True)
class Filters:
    states: tuple[str, ...] = ()
    band: str | None = None
    owner: str | None = None
    component: str | None = None
    source: str | None = None
    unit: str | None = None
    breached: bool = False
    due_before: datetime | None = None
    all: bool = False  # include resolved, duplicate and invalid items


def list_items(
    workspace: Workspace, database: Database, filters: Filters, now: datetime
) -> tuple[list[ItemView], Backlog]:
    """Items as of ``now``, most severe and most urgent first."""
    states = set()
    for text in filters.states:
        try:
            states.add(parse_state(text))
        except ValueError as exc:
            raise UserError(str(exc), field="--state", value=text) from None
    with database.transaction() as session:
        backlog = load_backlog(session, workspace)
    bands = [b.name for b in backlog.policy.sla_policy.bands]
    if filters.band is not None and filters.band not in bands:
        raise UserError(
            "unknown severity band",
            field="--band",
            value=filters.band,
            hint="Bands: " + ", ".join(bands),
        )
    source = _source(filters.source) if filters.source else None
    unit = workspace.unit(filters.unit)
    views = []
    for item in backlog.items:
        if item.reported_at > now:
            continue
        view = item_view(backlog, item, now)
        if states and view.state not in states:
            continue
        if (
            not states
            and not filters.all
            and view.state not in (*OPEN_STATES, ItemState.RISK_ACCEPTED)
        ):
            continue
        if filters.band and view.band != filters.band:
            continue
        if filters.owner and (view.owner or "").lower() != filters.owner.lower():
            continue
        if filters.component and filters.component.lower() not in view.component.lower():
            continue
        if source and view.source != source:
            continue
        if unit and view.unit != unit:
            continue
        if filters.breached and not view.breached:
            continue
        if filters.due_before and not (view.next_due and view.next_due < filters.due_before):
            continue
        views.append(view)
    views.sort(
        key=lambda v: (
            v.state not in OPEN_STATES,
            not v.breached,
            -(v.severity or v.suggested_severity or 0),
            v.next_due or now,
            v.key,
        )
    )
    return views, backlog


@dataclass(frozen=True)
class ItemDetail:
    item: BacklogItem
    view: ItemView
    history: list[AuditEntry]
    postmortems: list[Postmortem]
    duplicate_key: str | None


def show(workspace: Workspace, database: Database, ref: str, now: datetime) -> ItemDetail:
    with database.transaction() as session:
        item = find_item(session, ref)
        backlog = load_backlog(session, workspace)
        history = queries.history(session, item.id or 0)
        postmortems = postmortem_queries.list_postmortems(
            session, subject_kind="backlog_item", subject_id=str(item.id)
        )
    return ItemDetail(
        item=item,
        view=item_view(backlog, item, now),
        history=history,
        postmortems=postmortems,
        duplicate_key=item_key(item.duplicate_of) if item.duplicate_of else None,
    )
