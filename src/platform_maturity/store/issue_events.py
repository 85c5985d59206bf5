"""Issue resource events and the other ids of work items (GitLab's global issue id).

Events are kept as they come, whether or not their issue was imported; the work item's
history columns are rewritten from all of its events whenever the issue or its events are
imported (the caller builds the history; this module reads and writes rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from platform_maturity.domain.events import IssueEvent, IssueRef, WorkItem
from platform_maturity.store.event_repo import WriteCounts, history_text, parse_history
from platform_maturity.store.events import IssueEventRow, IssueRefRow, WorkItemRow

_CHUNK = 900


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def write_refs(session: Session, refs: Iterable[IssueRef]) -> None:
    """Record each work item's other id; a later export may move an id to another item."""
    by_source: dict[str, dict[str, str]] = {}
    for other in refs:
        by_source.setdefault(other.source, {})[other.ref] = other.source_id
    for source, wanted in by_source.items():
        stored: dict[str, IssueRefRow] = {}
        for chunk in _chunks(sorted(wanted)):
            for row in session.execute(
                select(IssueRefRow).where(IssueRefRow.source == source, IssueRefRow.ref.in_(chunk))
            ).scalars():
                stored[row.ref] = row
        for ref, source_id in wanted.items():
            found = stored.get(ref)
            if found is None:
                session.add(IssueRefRow(source=source, ref=ref, source_id=source_id))
            elif found.source_id != source_id:
                found.source_id = source_id
    session.flush()


def write_events(session: Session, events: Iterable[IssueEvent]) -> WriteCounts:
    """Insert new events and update changed ones, keyed by (source, event id)."""
    counts = WriteCounts()
    by_source: dict[str, dict[str, IssueEvent]] = {}
    for event in events:
        by_source.setdefault(event.source, {})[event.event_id] = event  # the later one wins
    for source, wanted in by_source.items():
        stored: dict[str, IssueEventRow] = {}
        for chunk in _chunks(sorted(wanted)):
            for row in session.execute(
                select(IssueEventRow).where(
                    IssueEventRow.source == source, IssueEventRow.event_id.in_(chunk)
                )
            ).scalars():
                stored[row.event_id] = row
        for event_id, event in wanted.items():
            found = stored.get(event_id)
            if found is None:
                session.add(
                    IssueEventRow(
                        source=source,
                        event_id=event_id,
                        issue_ref=event.issue_ref,
                        at=event.at,
                        kind=event.kind,
                        value=event.value,
                        action=event.action,
                    )
                )
                counts.new += 1
                continue
            values = (event.issue_ref, event.at, event.kind, event.value, event.action)
            if values == (found.issue_ref, found.at, found.kind, found.value, found.action):
                counts.unchanged += 1
                continue
            found.issue_ref, found.at, found.kind, found.value, found.action = values
            counts.updated += 1
    session.flush()
    return counts


@dataclass
class Applied:
    """What applying stored events did: work items whose history changed, and the issues
    with events that are not imported yet."""

    changed: int = 0
    waiting: int = 0


def apply_events(
    session: Session,
    source: str,
    refs: Iterable[str],
    history: Callable[[WorkItem, Sequence[IssueEvent]], WorkItem],
) -> Applied:
    """Rebuild the history of the work items these refs name from all their stored events."""
    applied = Applied()
    wanted = sorted(set(refs))
    items: dict[str, str] = {}
    events: dict[str, list[IssueEvent]] = {}
    for chunk in _chunks(wanted):
        for ref, source_id in session.execute(
            select(IssueRefRow.ref, IssueRefRow.source_id).where(
                IssueRefRow.source == source, IssueRefRow.ref.in_(chunk)
            )
        ):
            items[ref] = source_id
        for e in session.execute(
            select(IssueEventRow).where(
                IssueEventRow.source == source, IssueEventRow.issue_ref.in_(chunk)
            )
        ).scalars():
            events.setdefault(e.issue_ref, []).append(
                IssueEvent(e.source, e.event_id, e.issue_ref, e.at, e.kind, e.value, e.action)  # type: ignore[arg-type]
            )
    applied.waiting = sum(1 for ref in events if ref not in items)
    targets = {items[ref]: ref for ref in events if ref in items}
    for chunk in _chunks(sorted(targets)):
        for row in session.execute(
            select(WorkItemRow).where(
                WorkItemRow.source == source, WorkItemRow.source_id.in_(chunk)
            )
        ).scalars():
            item = history(_item(row), events[targets[row.source_id]])
            values = (
                item.started_at,
                item.completed_at,
                item.first_completed_at,
                item.reopened,
                history_text(item.transitions),
            )
            before = (
                row.started_at,
                row.completed_at,
                row.first_completed_at,
                row.reopened,
                row.history,
            )
            if values != before:
                (
                    row.started_at,
                    row.completed_at,
                    row.first_completed_at,
                    row.reopened,
                    row.history,
                ) = values
                applied.changed += 1
    session.flush()
    return applied


def _item(row: WorkItemRow) -> WorkItem:
    return WorkItem(
        source=row.source,
        source_id=row.source_id,
        key=row.key,
        kind=row.kind,  # type: ignore[arg-type]
        created_at=row.created_at,
        title=row.title,
        project=row.project,
        unit=row.unit,
        status=row.status,
        status_category=row.status_category,  # type: ignore[arg-type]
        resolution=row.resolution,  # type: ignore[arg-type]
        severity=row.severity,
        found_in=row.found_in,  # type: ignore[arg-type]
        started_at=row.started_at,
        completed_at=row.completed_at,
        first_completed_at=row.first_completed_at,
        reopened=row.reopened,
        is_bot=row.is_bot,
        labels=tuple(row.labels.split("\n")) if row.labels else (),
        transitions=parse_history(row.history),
    )
