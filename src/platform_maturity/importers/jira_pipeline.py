"""Jira Data Center's data pipeline export: issues with their full status history, as CSV.

Give the export folder (or its issues CSV). The folder holds ``issues*.csv`` and
``issue_history*.csv`` (the pipeline names them after the job, e.g.
``issues_job1_2026_05_01_10_00_00.csv``). Columns read:

- issues: ``id, key, issue_type, status, created_date`` (required) and ``project_key,
  status_category, priority_name, resolution, resolution_date, labels, summary,
  reporter_name, components`` where present;
- issue_history: ``issue_id, created_date, field, from_string, to_string`` — rows whose
  ``field`` is ``status`` are the transitions.

Dates are UTC in this export (a ``Z`` or no zone). This is the fastest way to bring a
large Jira history in: one row per issue and one per change, no JSON. Where the store takes
frames (SQLite and PostgreSQL), a plain export is read in bulk (:mod:`.jira_pipeline_frame`)
into exactly the same work items.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import Transition, WorkItem
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import read_text

_parse = datetime.fromisoformat
ISSUE_COLUMNS = ("id", "key", "issue_type", "status", "created_date")
HISTORY_COLUMNS = ("issue_id", "created_date", "field", "from_string", "to_string")
OPTIONAL_COLUMNS = (  # read where present; an absent one reads as empty
    "project_key",
    "status_category",
    "priority_name",
    "resolution",
    "resolution_date",
    "labels",
    "summary",
    "reporter_name",
    "components",
)
SKIP_REASON = "issue without key or created_date"
HINT = (
    "Export with Jira Data Center's data pipeline (Administration > System > Data pipeline)"
    " and give the export folder; it holds issues*.csv and issue_history*.csv."
)


def _files(path: Path) -> tuple[Path, list[Path]]:
    if path.is_dir():
        issues = sorted(path.glob("issues*.csv"))
        if not issues:
            raise UserError("no issues*.csv in the export folder", file=str(path), hint=HINT)
        if len(issues) > 1:
            raise UserError(
                "several issues*.csv in one folder; import one export at a time",
                file=str(path),
                details=[p.name for p in issues],
            )
        return issues[0], sorted(path.glob("issue_history*.csv"))
    return path, sorted(path.parent.glob("issue_history*.csv"))


def _table(path: Path, required: tuple[str, ...]) -> tuple[dict[str, int], Any]:
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UserError("empty file", file=str(path), hint=HINT) from None
    except csv.Error as exc:
        raise UserError(f"unreadable CSV header: {exc}", file=str(path), line=1) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise UserError(
            "not a data pipeline export: missing column " + ", ".join(missing),
            file=str(path),
            line=1,
            hint=HINT,
        )
    return {name: i for i, name in enumerate(header)}, reader


def _time(text: str, file: Path, line: int, column: str) -> datetime | None:
    if not text or text == "NULL":
        return None
    try:
        value = _parse(text)
    except ValueError:
        raise UserError(
            "not a date and time",
            file=str(file),
            line=line,
            field=column,
            value=text,
            hint="The data pipeline writes ISO 8601 UTC times, e.g. 2026-05-01T10:00:00Z.",
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _move_order(move: tuple[datetime, str | None, str]) -> tuple[datetime, str, str]:
    """A move's place in time order, a missing from-status first (as None sorts)."""
    return move[0], move[1] or "", move[2]


class JiraPipelineImporter:
    kind = "jira-pipeline"
    title = "Jira Data Center data pipeline export (issues and issue history CSV)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        issues_file, history_files = _files(path)
        if context.frames:
            from platform_maturity.importers.jira_pipeline_frame import read_frame

            bulk = read_frame(issues_file, history_files, ISSUE_COLUMNS, HISTORY_COLUMNS, context)
            if bulk is not None:
                return bulk
        mapping = context.mapping
        category_of = mapping.status_category
        history: dict[str, list[tuple[datetime, str | None, str]]] = {}
        parse = _parse
        for history_file in history_files:
            columns, reader = _table(history_file, HISTORY_COLUMNS)
            i_id, i_at, i_field = columns["issue_id"], columns["created_date"], columns["field"]
            i_from, i_to = columns["from_string"], columns["to_string"]
            width = len(columns)
            try:
                for row in reader:
                    if len(row) != width:
                        if not row:
                            continue
                        raise UserError(
                            f"{len(row)} values but the header has {width} columns",
                            file=str(history_file),
                            line=reader.line_num,
                        )
                    field = row[i_field]
                    if field != "status" and field.lower() != "status":
                        continue
                    text = row[i_at]
                    try:  # inlined: this line runs for every change of every issue
                        at = parse(text)
                    except ValueError:
                        maybe = _time(text, history_file, reader.line_num, "created_date")
                        if maybe is None:  # an empty or NULL time: not a transition
                            continue
                        at = maybe
                    if at.tzinfo is not UTC:
                        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
                    moves = history.get(row[i_id])
                    if moves is None:
                        history[row[i_id]] = [(at, row[i_from] or None, row[i_to])]
                    else:
                        moves.append((at, row[i_from] or None, row[i_to]))
            except csv.Error as exc:
                raise UserError(
                    f"malformed CSV: {exc}", file=str(history_file), line=reader.line_num
                ) from None
        columns, reader = _table(issues_file, ISSUE_COLUMNS)
        i_id, i_key, i_type = columns["id"], columns["key"], columns["issue_type"]
        i_status, i_created = columns["status"], columns["created_date"]
        missing = len(columns)  # an absent optional column reads as the empty cell below
        (
            o_project,
            o_category,
            o_priority,
            o_resolution,
            o_resolved,
            o_labels,
            o_summary,
            o_reporter,
            o_components,
        ) = (columns.get(name, missing) for name in OPTIONAL_COLUMNS)
        width = len(columns)
        batch = ImportBatch()
        items = batch.work_items
        # statuses, types and labels repeat: classify each combination once
        categories: dict[tuple[str, str], str] = {}
        status_categories: dict[str, str] = {}  # a history's statuses, without a category
        kinds: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {}
        details: dict[tuple[str, str, str, str], tuple[str | None, str | None, bool]] = {}
        try:
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue
                    raise UserError(
                        f"{len(row)} values but the header has {width} columns",
                        file=str(issues_file),
                        line=reader.line_num,
                        hint="A value with a comma must be quoted; is the file cut?",
                    )
                batch.rows_read += 1
                row.append("")
                key = row[i_key]
                created = _time(row[i_created], issues_file, reader.line_num, "created_date")
                if not key or created is None:
                    batch.skip(SKIP_REASON)
                    continue
                labels_text = row[o_labels]
                kind_key = (row[i_type], labels_text)
                kind_info = kinds.get(kind_key)
                if kind_info is None:
                    labels = tuple(x for x in labels_text.replace(",", " ").split() if x)
                    kind_info = (
                        mapping.kind(row[i_type], labels),
                        mapping.found_in_of(labels),
                        labels,
                    )
                    kinds[kind_key] = kind_info
                kind, found_in, labels = kind_info
                status = row[i_status]
                category_key = (status, row[o_category])
                category = categories.get(category_key)
                if category is None:
                    category = category_of(status, row[o_category] or None)
                    categories[category_key] = category
                transitions: tuple[Transition, ...] = ()
                started = first_done = last_done = None
                reopened = 0
                moves = history.get(row[i_id])
                if moves:
                    try:
                        moves.sort()
                    except TypeError:  # two moves at one time, one without a from-status
                        moves.sort(key=_move_order)
                    found = []
                    previous = ""
                    for at, frm, to in moves:
                        to_category = status_categories.get(to)
                        if to_category is None:
                            to_category = category_of(to)
                            status_categories[to] = to_category
                        found.append(Transition(at, frm, to, to_category))  # type: ignore[arg-type]
                        if to_category == "in_progress" and started is None:
                            started = at
                        if to_category == "done":
                            first_done = first_done or at
                            last_done = at
                        elif previous == "done":
                            reopened += 1
                        previous = to_category
                    transitions = tuple(found)
                done = category == "done"
                resolved = _time(row[o_resolved], issues_file, reader.line_num, "resolution_date")
                project = row[o_project] or key.split("-")[0]
                detail_key = (row[o_priority], labels_text, project, row[o_components])
                detail = details.get(detail_key)
                if detail is None:
                    detail = (
                        mapping.severity_of(row[o_priority] or None, labels),
                        mapping.unit_of(project, row[o_components] or None),
                        False,
                    )
                    details[detail_key] = detail
                severity, unit, _ = detail
                items.append(
                    WorkItem(
                        "jira",
                        key,
                        key,
                        kind,  # type: ignore[arg-type]
                        created,
                        row[o_summary],
                        project,
                        unit,
                        status,
                        category,  # type: ignore[arg-type]
                        mapping.resolution_of(row[o_resolution] or None) if done else None,  # type: ignore[arg-type]
                        severity,
                        found_in,  # type: ignore[arg-type]
                        started,
                        (last_done or resolved) if done else None,
                        first_done or resolved,
                        reopened,
                        mapping.is_bot(row[o_reporter] or None) if row[o_reporter] else False,
                        labels,
                        transitions,
                    )
                )
        except csv.Error as exc:
            raise UserError(
                f"malformed CSV: {exc}", file=str(issues_file), line=reader.line_num
            ) from None
        return batch
