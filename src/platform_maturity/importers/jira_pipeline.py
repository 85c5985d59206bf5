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
large Jira history in: one row per issue and one per change, no JSON.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import Transition, WorkItem
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import read_text

ISSUE_COLUMNS = ("id", "key", "issue_type", "status", "created_date")
HISTORY_COLUMNS = ("issue_id", "created_date", "field", "from_string", "to_string")
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


def _table(path: Path, required: tuple[str, ...]) -> tuple[dict[str, int], csv._reader]:
    reader = csv.reader(read_text(path).splitlines(), strict=True)
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
        value = datetime.fromisoformat(text)
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


class JiraPipelineImporter:
    kind = "jira-pipeline"
    title = "Jira Data Center data pipeline export (issues and issue history CSV)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        issues_file, history_files = _files(path)
        mapping = context.mapping
        category_of = mapping.status_category
        history: dict[str, list[tuple[datetime, str | None, str]]] = {}
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
                    if row[i_field].lower() != "status":
                        continue
                    at = _time(row[i_at], history_file, reader.line_num, "created_date")
                    if at is None:
                        continue
                    history.setdefault(row[i_id], []).append((at, row[i_from] or None, row[i_to]))
            except csv.Error as exc:
                raise UserError(
                    f"malformed CSV: {exc}", file=str(history_file), line=reader.line_num
                ) from None
        columns, reader = _table(issues_file, ISSUE_COLUMNS)
        get = columns.get
        i_id, i_key, i_type = columns["id"], columns["key"], columns["issue_type"]
        i_status, i_created = columns["status"], columns["created_date"]
        optional = {
            name: get(name)
            for name in (
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
        }
        width = len(columns)
        batch = ImportBatch()
        items = batch.work_items
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

                def opt(name: str, row: list[str] = row) -> str | None:
                    index = optional[name]
                    return (row[index] or None) if index is not None else None

                key = row[i_key]
                created = _time(row[i_created], issues_file, reader.line_num, "created_date")
                if not key or created is None:
                    batch.skip("issue without key or created_date")
                    continue
                labels_text = opt("labels") or ""
                labels = [x for x in labels_text.replace(",", " ").split() if x]
                status = row[i_status]
                moves = sorted(history.get(row[i_id], ()))
                transitions = tuple(Transition(at, frm, to, category_of(to)) for at, frm, to in moves)  # type: ignore[arg-type]
                category = category_of(status, opt("status_category"))
                done = category == "done"
                resolution = mapping.resolution_of(opt("resolution")) if done else None
                resolved = _time(opt("resolution_date") or "", issues_file, reader.line_num, "resolution_date")
                started = next((t.at for t in transitions if t.to_category == "in_progress"), None)
                done_moves = [t.at for t in transitions if t.to_category == "done"]
                reopened = sum(
                    1
                    for a, b in zip(transitions, transitions[1:], strict=False)
                    if a.to_category == "done" and b.to_category != "done"
                )
                project = opt("project_key") or key.split("-")[0]
                items.append(
                    WorkItem(
                        "jira",
                        key,
                        key,
                        mapping.kind(row[i_type], labels),  # type: ignore[arg-type]
                        created,
                        opt("summary") or "",
                        project,
                        mapping.unit_of(project, opt("components")),
                        status,
                        category,  # type: ignore[arg-type]
                        resolution,  # type: ignore[arg-type]
                        mapping.severity_of(opt("priority_name"), labels),
                        mapping.found_in_of(labels),  # type: ignore[arg-type]
                        started,
                        (done_moves[-1] if done_moves else resolved) if done else None,
                        done_moves[0] if done_moves else resolved,
                        reopened,
                        mapping.is_bot(opt("reporter_name")),
                        tuple(labels),
                        transitions,
                    )
                )
        except csv.Error as exc:
            raise UserError(
                f"malformed CSV: {exc}", file=str(issues_file), line=reader.line_num
            ) from None
        return batch
