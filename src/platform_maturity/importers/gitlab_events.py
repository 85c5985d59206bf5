"""GitLab issue resource events: ``resource_state_events`` and ``resource_label_events`` pages.

``GET /projects/:id/issues/:iid/resource_state_events`` (``state`` opened, closed or
reopened) and ``.../resource_label_events`` (``action`` add or remove, ``label.name``), saved
page by page as the API returns them; both kinds may share a file. The events name their
issue by its global ``id`` (``resource_id``), not by ``project#iid``: they are kept in the
store and applied to the issue the ``gitlab`` importer read with that ``id``, whichever of the
two is imported first (see :func:`with_history`). Events of merge requests and epics,
milestone and other resource events, and label events of deleted labels are skipped with
their reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

from platform_maturity.domain.events import IssueEvent, Transition, WorkItem
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import JsonPath, load_json

SOURCE = "gitlab"
STATES = ("opened", "closed", "reopened")
ACTIONS = ("add", "remove")
_TYPES = {"MergeRequest": "a merge request", "Epic": "an epic"}
_OTHER = ("milestone", "weight", "iteration")  # resource events of other kinds


class GitLabEventsImporter:
    kind = "gitlab-events"
    title = "GitLab issue resource_state_events and resource_label_events: reopenings, starts"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        j = JsonPath(str(path), context.timezone)
        batch = ImportBatch()
        for where, event in j.records(load_json(path), ()):
            batch.rows_read += 1
            resource = j.text(event, "resource_type", where) or "Issue"
            if resource != "Issue":
                batch.skip(f"event of {_TYPES.get(resource, resource)} (only issues are read)")
                continue
            other = next((k for k in _OTHER if k in event), None)
            if other is not None:
                batch.skip(f"resource event not used for KPIs ({other})")
                continue
            kind: Literal["state", "label"]
            if "state" in event:
                kind = "state"
                value = j.text(event, "state", where, required=True) or ""
                action = None
                if value not in STATES:
                    batch.skip(f"state event not used for KPIs ({value})")
                    continue
            elif "label" in event or "action" in event:
                kind = "label"
                action = j.text(event, "action", where, required=True) or ""
                if action not in ACTIONS:
                    j.fail(f"{where}.action", "expected add or remove", action)
                if event.get("label") is None:
                    batch.skip("label event of a deleted label")
                    continue
                label = j.obj(event["label"], f"{where}.label")
                value = j.text(label, "name", f"{where}.label", required=True) or ""
            else:
                j.fail(
                    where,
                    "not a GitLab resource state or label event",
                    hint="Export /projects/:id/issues/:iid/resource_state_events or"
                    " /resource_label_events.",
                )
                continue
            event_id = j.text(event, "id", where, required=True)
            issue = j.text(event, "resource_id", where, required=True)
            at = j.need_time(event, "created_at", where)
            batch.issue_events.append(
                IssueEvent(SOURCE, f"{kind}:{event_id}", issue or "", at, kind, value, action)
            )
        return batch


def _order(event: IssueEvent) -> tuple[object, ...]:
    """Time order; at the same moment the state before label changes (a board move that
    closes an issue also removes its list's label: that is no step back to open), then by
    GitLab's event id."""
    number = event.event_id.partition(":")[2]
    return (event.at, event.kind == "label", int(number) if number.isdigit() else 0, number)


def with_history(item: WorkItem, events: Sequence[IssueEvent], mapping: KpiMapping) -> WorkItem:
    """The issue with the status history its events give it (pure).

    ``closed`` moves it to done, ``reopened`` (or ``opened``) out of done again (a
    reopening); adding a label or reaching a state that ``kpi.statuses.started`` lists
    starts work, removing that label before the issue is closed undoes it. Whether the issue
    is done is the issue's own state (the newest export says); it was completed at its
    final close. Without state events the reopenings and close times the issue gave are kept.
    """
    transitions: list[Transition] = []
    status, category = "opened", "todo"
    reopened = 0
    states = False
    for event in sorted(events, key=_order):
        move: tuple[str, str] | None = None
        if event.kind == "state":
            states = True
            to = mapping.status_category(event.value, "closed" if event.value == "closed" else None)
            if to == "done" or category == "done" or (to, category) == ("in_progress", "todo"):
                move = (event.value, to)
        else:
            started = mapping.status_category(event.value) == "in_progress"
            if started and event.action == "add" and category == "todo":
                move = (event.value, "in_progress")
            elif started and event.action == "remove" and status == event.value:
                move = ("opened", "todo")
        if move is None or move == (status, category):
            continue
        if category == "done" and move[1] != "done":
            reopened += 1
        transitions.append(Transition(event.at, status, move[0], move[1]))  # type: ignore[arg-type]
        status, category = move
    closes = [t.at for t in transitions if t.to_category == "done"]
    done = item.status_category == "done"
    return replace(
        item,
        started_at=next(
            (t.at for t in transitions if t.to_category == "in_progress"), item.started_at
        ),
        completed_at=(closes[-1] if closes else item.completed_at) if done else None,
        first_completed_at=closes[0] if closes else item.first_completed_at,
        reopened=reopened if states else item.reopened,
        transitions=tuple(transitions),
    )
