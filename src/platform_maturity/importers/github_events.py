"""GitHub issue events: ``GET /repos/{owner}/{repo}/issues/events`` pages (and timeline pages
whose entries carry their ``issue``), giving GitHub issues the status history Jira
changelogs give Jira issues.

Events are grouped by the issue each one embeds; the issue itself (its current state) is
read as the ``github`` importer reads it, then its history is built from the events in
time order: ``closed`` moves it to done, ``reopened`` back to open (a reopening),
``labeled`` with a label that ``kpi.statuses.started`` lists moves it into progress (and
``unlabeled`` of that label back to open), ``marked_as_duplicate`` (undone by
``unmarked_as_duplicate``) makes a closed issue a duplicate. The same issues imported again
from ``/issues`` keep this history. Events of pull requests and other event types are
skipped with their reason.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from platform_maturity.domain.events import Transition, WorkItem
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import JsonPath, load_json
from platform_maturity.importers.github import _Reader

USED = (
    "closed",
    "reopened",
    "labeled",
    "unlabeled",
    "marked_as_duplicate",
    "unmarked_as_duplicate",
)


class GitHubEventsImporter:
    kind = "github-events"
    title = "GitHub issue events (/repos/{o}/{r}/issues/events): reopenings, duplicates, starts"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        j = JsonPath(str(path), context.timezone)
        reader = _Reader(j, context)
        batch = reader.batch
        issues: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        events: dict[tuple[str, str], list[tuple[datetime, int, str, str, dict[str, Any]]]] = {}
        for index, (where, event) in enumerate(j.records(load_json(path), ("events",))):
            batch.rows_read += 1
            kind = j.text(event, "event", where, required=True) or ""
            issue = event.get("issue")
            if issue is None:
                batch.skip("event without its issue (export /repos/{o}/{r}/issues/events)")
                continue
            issue = j.obj(issue, f"{where}.issue")
            if issue.get("pull_request") is not None:
                batch.skip("event of a pull request")
                continue
            if kind not in USED:
                batch.skip(f"issue event not used for KPIs ({kind})")
                continue
            at = j.need_time(event, "created_at", where)
            number = (str(issue.get("repository_url", "")), str(issue.get("number")))
            issues.setdefault(number, (f"{where}.issue", issue))  # the first copy read
            events.setdefault(number, []).append((at, index, where, kind, event))
        for number, (where, issue) in issues.items():
            before = len(batch.work_items)
            reader.issue(where, issue)
            base = batch.work_items[before]
            batch.work_items[before] = _with_history(
                j, context.mapping, base, sorted(events[number], key=lambda e: (e[0], e[1]))
            )
        return batch


def _with_history(
    j: JsonPath,
    mapping: KpiMapping,
    item: WorkItem,
    events: list[tuple[datetime, int, str, str, dict[str, Any]]],
) -> WorkItem:
    transitions: list[Transition] = []
    status, category = "open", "todo"
    duplicate = False
    for at, _, where, kind, event in events:
        move: tuple[str, str] | None = None
        if kind == "closed":
            move = ("closed", "done")
        elif kind == "reopened":
            move = ("open", "todo")
        elif kind in ("labeled", "unlabeled"):
            label = j.obj(event.get("label"), f"{where}.label")
            name = j.text(label, "name", f"{where}.label", required=True) or ""
            started = mapping.status_category(name) == "in_progress"
            if started and category != "done":
                if kind == "labeled" and category == "todo":
                    move = (name, "in_progress")
                elif kind == "unlabeled" and status == name:
                    move = ("open", "todo")
        elif kind == "marked_as_duplicate":
            duplicate = True
        elif kind == "unmarked_as_duplicate":
            duplicate = False
        if move is not None and move != (status, category):
            transitions.append(Transition(at, status, move[0], move[1]))  # type: ignore[arg-type]
            status, category = move
    closes = [t.at for t in transitions if t.to_category == "done"]
    reopened = sum(1 for t in transitions if t.from_status == "closed")
    done = item.status_category == "done"
    resolution = item.resolution
    if done and duplicate:
        resolution = "duplicate"
    return replace(
        item,
        started_at=next((t.at for t in transitions if t.to_category == "in_progress"), None),
        completed_at=(closes[-1] if closes else item.completed_at) if done else None,
        first_completed_at=closes[0] if closes else item.first_completed_at,
        reopened=reopened,
        resolution=resolution,
        transitions=tuple(transitions),
    )
