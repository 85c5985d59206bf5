"""Postmortems: write them, add and finish action items, and see what each gap has cost.

A postmortem attaches to a subject by kind and id. Subjects are named on the command line
by a reference with a prefix (``SEC-12`` is security backlog item 12); each kind says
whether its data is restricted, and how to check that a subject exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.postmortems import (
    ActionItem,
    GapCost,
    Money,
    Postmortem,
    parse_money,
    resolve_gaps,
)
from platform_maturity.engine.postmortems import gap_costs
from platform_maturity.framework.loader import validate_model
from platform_maturity.framework.yamlsource import read_yaml
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import postmortem_queries as queries
from platform_maturity.store.db import Database


@dataclass(frozen=True)
class SubjectKind:
    """A kind of thing a postmortem can be about."""

    kind: str  # stored in postmortems.subject_kind
    prefix: str  # how people write a reference: PREFIX-<id>
    noun: str
    restricted: bool
    exists: Callable[[Session, str], bool]


def _backlog_item_exists(session: Session, subject_id: str) -> bool:
    from platform_maturity.store.backlog_queries import item_exists

    return item_exists(session, int(subject_id))


def _incident_exists(session: Session, subject_id: str) -> bool:
    from platform_maturity.store.downtime_queries import get_incident

    return get_incident(session, int(subject_id)) is not None


SUBJECT_KINDS: tuple[SubjectKind, ...] = (
    SubjectKind("backlog_item", "SEC", "security backlog item", True, _backlog_item_exists),
    SubjectKind("incident", "INC", "incident", False, _incident_exists),
)


def parse_subject(ref: str, field: str = "SUBJECT") -> tuple[SubjectKind, str]:
    """``SEC-12`` → (the backlog item kind, ``"12"``)."""
    text = ref.strip().upper()
    for kind in SUBJECT_KINDS:
        if text.startswith(kind.prefix + "-") and text[len(kind.prefix) + 1 :].isdigit():
            return kind, str(int(text[len(kind.prefix) + 1 :]))
    examples = ", ".join(f"{k.prefix}-12 ({k.noun})" for k in SUBJECT_KINDS)
    raise UserError("not a subject reference", field=field, value=ref, hint=f"Use {examples}.")


def subject_label(kind: str, subject_id: str) -> str:
    for known in SUBJECT_KINDS:
        if known.kind == kind:
            return f"{known.prefix}-{subject_id}"
    return f"{kind}:{subject_id}"


class ActionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3, max_length=300)
    owner: str | None = None
    due: date | None = None
    kind: str | None = Field(default=None, pattern="^(prevent|detect|mitigate|process)$")
    done: bool = False


class PostmortemFile(BaseModel):
    """A postmortem written as YAML (``maturity postmortem add SEC-12 --file pm.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    summary: str = Field(min_length=3)
    proximate_cause: str = Field(min_length=3)
    platform_gaps: list[str] = []
    cost: str | float | None = None
    action_items: list[ActionInput] = []


def _money(text: str | float | None, workspace: Workspace, field: str) -> Money | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return parse_money(str(text), workspace.config.organization.currency)
    except ValueError as exc:
        raise UserError(str(exc), field=field, value=text) from None


def read_postmortem_file(
    workspace: Workspace, path: Path, now: datetime
) -> tuple[str, str, tuple[str, ...], Money | None, tuple[ActionItem, ...]]:
    """Summary, cause, gaps, cost and action items from a YAML file, checked with line numbers."""
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise UserError("expected a mapping (summary:, proximate_cause:, ...)", file=str(path))
    data = validate_model(
        PostmortemFile,
        doc,
        hint="docs/backlog.md#postmortems shows a postmortem file.",
    )
    gaps: list[str] = []
    for index, code in enumerate(data.platform_gaps):
        try:
            gaps.extend(resolve_gaps(workspace.framework, [code], f"platform_gaps.{index}"))
        except UserError as exc:
            exc.file, exc.line = str(path), doc.line_of(("platform_gaps", index))
            raise
    try:
        cost = _money(data.cost, workspace, "cost")
    except UserError as exc:
        exc.file, exc.line = str(path), doc.line_of(("cost",))
        raise
    actions = tuple(
        ActionItem(
            title=a.title, owner=a.owner, due=a.due, kind=a.kind, done_at=now if a.done else None
        )
        for a in data.action_items
    )
    return data.summary, data.proximate_cause, tuple(dict.fromkeys(gaps)), cost, actions


def parse_action(text: str, field: str = "--action") -> ActionItem:
    """``"title"``, ``"title | owner"`` or ``"title | owner | 2026-12-31"``."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 3 or not parts[0]:
        raise UserError(
            "an action item reads 'title | owner | due date'",
            field=field,
            value=text,
            hint="Owner and due date are optional: --action 'Pin base images | platform'.",
        )
    due: date | None = None
    if len(parts) == 3 and parts[2]:
        try:
            due = date.fromisoformat(parts[2])
        except ValueError:
            raise UserError(
                "the due date is not a date", field=field, value=parts[2], hint="Use 2026-12-31."
            ) from None
    try:
        return ActionItem(
            title=parts[0], owner=(parts[1] or None) if len(parts) > 1 else None, due=due
        )
    except ValueError as exc:
        raise UserError(f"not a valid action item: {exc}", field=field, value=text) from None


def add_postmortem(
    workspace: Workspace,
    database: Database,
    subject: str,
    *,
    summary: str,
    cause: str,
    gaps: list[str],
    cost: str | None,
    actions: list[ActionItem],
    author: str,
    now: datetime,
) -> Postmortem:
    """Write a postmortem about ``subject`` (e.g. ``SEC-12``); returns it with its id."""
    kind, subject_id = parse_subject(subject)
    codes = resolve_gaps(workspace.framework, gaps)
    money = _money(cost, workspace, "--cost")
    try:
        pm = Postmortem(
            subject_kind=kind.kind,
            subject_id=subject_id,
            summary=summary,
            proximate_cause=cause,
            platform_gaps=codes,
            cost=money,
            action_items=tuple(actions),
            author=author,
            created_at=now,
            updated_at=now,
            restricted=kind.restricted,
        )
    except ValueError as exc:
        raise UserError(f"the postmortem is incomplete: {_first_error(exc)}") from None
    with database.transaction() as session:
        if not kind.exists(session, subject_id):
            raise UserError(
                f"no {kind.noun} with this id",
                field="SUBJECT",
                value=subject,
                hint="List them with 'maturity backlog list --all'.",
            )
        new_id = queries.add_postmortem(session, pm, author, now)
    return pm.model_copy(update={"id": new_id})


def _first_error(exc: Exception) -> str:
    errors: list[dict[str, Any]] = getattr(exc, "errors", lambda: [])()
    if errors:
        first = errors[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def get_postmortem(database: Database, postmortem_id: str) -> Postmortem:
    number = postmortem_id.strip().upper().removeprefix("PM-")
    if not number.isdigit():
        raise UserError(
            "not a postmortem id", field="POSTMORTEM", value=postmortem_id, hint="Use PM-3 or 3."
        )
    with database.transaction() as session:
        pm = queries.get_postmortem(session, int(number))
    if pm is None:
        raise UserError(
            "no postmortem with this id",
            field="POSTMORTEM",
            value=postmortem_id,
            hint="List them with 'maturity postmortem list'.",
        )
    return pm


def update_postmortem(
    database: Database,
    postmortem_id: str,
    change: Callable[[Postmortem], Postmortem],
    actor: str,
    now: datetime,
) -> Postmortem:
    """Apply ``change`` to a postmortem in one transaction; every changed field is audited."""
    before = get_postmortem(database, postmortem_id)
    after = change(before).model_copy(update={"updated_at": now})
    with database.transaction() as session:
        queries.replace_postmortem(session, before, after, actor, now)
    return after


def add_action(
    database: Database, postmortem_id: str, action: ActionItem, actor: str, now: datetime
) -> Postmortem:
    return update_postmortem(
        database,
        postmortem_id,
        lambda pm: pm.model_copy(update={"action_items": (*pm.action_items, action)}),
        actor,
        now,
    )


def finish_action(
    database: Database, postmortem_id: str, number: int, actor: str, now: datetime
) -> Postmortem:
    """Mark action item ``number`` (1-based, as listed) done at ``now``."""

    def change(pm: Postmortem) -> Postmortem:
        if not 1 <= number <= len(pm.action_items):
            raise UserError(
                "no action item with this number",
                field="NUMBER",
                value=number,
                hint=f"PM-{pm.id} has {len(pm.action_items)} action item(s), numbered from 1.",
            )
        items = list(pm.action_items)
        if items[number - 1].done:
            raise UserError("this action item is done already", field="NUMBER", value=number)
        items[number - 1] = items[number - 1].model_copy(update={"done_at": now})
        return pm.model_copy(update={"action_items": tuple(items)})

    return update_postmortem(database, postmortem_id, change, actor, now)


def list_postmortems(
    database: Database, subject: str | None = None, include_security: bool = True
) -> list[Postmortem]:
    kind_id = parse_subject(subject) if subject else None
    with database.transaction() as session:
        return queries.list_postmortems(
            session,
            subject_kind=kind_id[0].kind if kind_id else None,
            subject_id=kind_id[1] if kind_id else None,
            include_restricted=include_security,
        )


def costs_by_gap(database: Database, now: datetime, include_security: bool) -> list[GapCost]:
    """Goal codes named as platform gaps, with the postmortems and costs behind them."""
    return gap_costs(list_postmortems(database, include_security=include_security), now)
