"""Jira issues with their changelog: ``/rest/api/3/search/jql?...&expand=changelog`` pages.

Each issue's status changes (``changelog.histories[].items[]`` with ``field == "status"``)
become transitions: the first move into a started status is when work began, the last
move into a released status is when it was completed, and every move out of done counts
as a reopening. Times carry their offset in this format.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from platform_maturity.domain.events import Transition, WorkItem
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import JsonPath, load_json

SOURCE = "jira"


class JiraChangelogImporter:
    kind = "jira-changelog"
    title = "Jira REST search results with expand=changelog (status transitions)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        j = JsonPath(str(path), context.timezone)
        batch = ImportBatch()
        for where, issue in j.records(load_json(path), ("issues", "values")):
            batch.rows_read += 1
            key = j.text(issue, "key", where)
            fields = issue.get("fields")
            if key is None or not isinstance(fields, dict):
                batch.skip("issue without key or fields (export the search with fields)")
                continue
            batch.work_items.append(_issue(j, context.mapping, where, key, issue, fields))
        return batch


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name") or value.get("value")
        return name if isinstance(name, str) else None
    return value if isinstance(value, str) else None


def _issue(
    j: JsonPath,
    mapping: KpiMapping,
    where: str,
    key: str,
    issue: dict[str, Any],
    fields: dict[str, Any],
) -> WorkItem:
    fw = f"{where}.fields"
    created = j.need_time(fields, "created", fw)
    status_obj = fields.get("status") if isinstance(fields.get("status"), dict) else {}
    status = _name(status_obj)
    category_obj = status_obj.get("statusCategory") if isinstance(status_obj, dict) else None
    source_category = category_obj.get("key") if isinstance(category_obj, dict) else None
    labels = j.names(fields, "labels", fw)
    transitions = _transitions(j, mapping, where, issue)
    category = mapping.status_category(status, source_category)
    resolution = mapping.resolution_of(_name(fields.get("resolution")))
    resolved = j.time(fields, "resolutiondate", fw)
    started = next((t.at for t in transitions if t.to_category == "in_progress"), None)
    done_moves = [t.at for t in transitions if t.to_category == "done"]
    reopened = sum(
        1
        for before, after in pairwise(transitions)
        if before.to_category == "done" and after.to_category != "done"
    )
    done = category == "done"
    completed = (done_moves[-1] if done_moves else resolved) if done else None
    project = key.split("-")[0]
    if isinstance(fields.get("project"), dict) and isinstance(fields["project"].get("key"), str):
        project = fields["project"]["key"]
    severity_raw = _name(fields.get("priority"))
    reporter = fields.get("reporter") if isinstance(fields.get("reporter"), dict) else {}
    return WorkItem(
        source=SOURCE,
        source_id=key,
        key=key,
        kind=mapping.kind(_name(fields.get("issuetype")), labels),  # type: ignore[arg-type]
        created_at=created,
        title=j.text(fields, "summary", fw) or "",
        project=project,
        unit=mapping.unit_of(project),
        status=status,
        status_category=category,  # type: ignore[arg-type]
        resolution=resolution if done else None,  # type: ignore[arg-type]
        severity=mapping.severity_of(severity_raw, labels),
        found_in=mapping.found_in_of(labels),  # type: ignore[arg-type]
        started_at=started,
        completed_at=completed,
        first_completed_at=done_moves[0] if done_moves else resolved,
        reopened=reopened,
        is_bot=mapping.is_bot(
            reporter.get("displayName") if isinstance(reporter, dict) else None,
            reporter.get("accountType") if isinstance(reporter, dict) else None,
        ),
        labels=tuple(labels),
        transitions=tuple(transitions),
    )


def _transitions(
    j: JsonPath, mapping: KpiMapping, where: str, issue: dict[str, Any]
) -> list[Transition]:
    changelog = issue.get("changelog")
    if changelog is None:
        return []
    cw = f"{where}.changelog"
    histories = j.obj(changelog, cw).get("histories", [])
    if not isinstance(histories, list):
        j.fail(f"{cw}.histories", "expected a list")
    found: list[tuple[datetime, int, Transition]] = []
    for index, history in enumerate(histories):
        hw = f"{cw}.histories[{index}]"
        entry = j.obj(history, hw)
        at = j.need_time(entry, "created", hw)
        items = entry.get("items", [])
        if not isinstance(items, list):
            j.fail(f"{hw}.items", "expected a list")
        for number, item in enumerate(items):
            iw = f"{hw}.items[{number}]"
            change = j.obj(item, iw)
            if str(change.get("field", "")).lower() != "status":
                continue
            to = j.text(change, "toString", iw, required=True) or ""
            found.append(
                (
                    at,
                    len(found),
                    Transition(
                        at=at,
                        from_status=j.text(change, "fromString", iw),
                        to_status=to,
                        to_category=mapping.status_category(to),  # type: ignore[arg-type]
                    ),
                )
            )
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [t for _, _, t in found]
