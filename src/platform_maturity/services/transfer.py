"""Export the whole workspace state as JSON, and restore it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError
from sqlalchemy import Date, Select, Table, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

# export and restore walk every table: each module's tables join the metadata when imported
import platform_maturity.store.backlog
import platform_maturity.store.downtime
import platform_maturity.store.events
import platform_maturity.store.postmortems  # noqa: F401
from platform_maturity.domain.backlog import ItemSource, ItemState
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import FoundIn, Resolution, RunKind, StatusCategory, WorkKind
from platform_maturity.domain.records import ANSWER_STATUSES, Outcome
from platform_maturity.domain.results import Scorecard
from platform_maturity.store import models, repo
from platform_maturity.store.db import Database
from platform_maturity.store.models import UTCDateTime

FORMAT = "platform-maturity-state"
FORMAT_VERSION = 1
# In dependency order: a table comes after the tables it refers to.
TABLES: tuple[str, ...] = (
    "framework_versions",
    "org_units",
    "subjects",
    "answers",
    "waivers",
    "measurements",
    "scans",
    "observations",
    "evidence",
    "snapshots",
    "snapshot_scores",
    "audit_events",
    # the security backlog and postmortems (restricted rows only with --include-security)
    "backlog_policies",
    "backlog_scans",
    "backlog_items",
    "backlog_findings",
    "backlog_reviews",
    "backlog_intake_log",
    "postmortems",
    "postmortem_gaps",
    "postmortem_actions",
    # downtime visibility
    "probe_results",
    "downtime_signals",
    "incidents",
    "incident_updates",
    "incident_notifications",
    # KPI data: imports and their records, head counts, drills, SLI windows, MTTD samples
    "import_runs",
    "work_items",
    "pull_requests",
    "pipeline_runs",
    "deployments",
    "imported_incidents",
    "incident_merges",
    "issue_refs",
    "issue_events",
    "cost_lines",
    "headcounts",
    "unit_headcounts",
    "recovery_drills",
    "sli_windows",
    "mttd_samples",
)
# children of a table with restricted rows: restricted when their parent row is
RESTRICTED_PARENT = {
    "postmortem_gaps": "postmortem_id",
    "postmortem_actions": "postmortem_id",
}


def _table(name: str) -> Table:
    return models.Base.metadata.tables[name]


def _encode(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else value


def restricted_table(name: str) -> bool:
    """A table whose every row is restricted (the security backlog's)."""
    return bool(_table(name).info.get("restricted"))


def _visible(name: str) -> Select[Any]:
    """The rows of a table that may leave the workspace without --include-security."""
    table = _table(name)
    query = select(table).order_by(*table.primary_key.columns)
    if "restricted" in table.columns:
        return query.where(table.columns["restricted"].is_(False))
    if name in RESTRICTED_PARENT:
        parent = _table("postmortems")
        allowed = select(parent.columns["id"]).where(parent.columns["restricted"].is_(False))
        return query.where(table.columns[RESTRICTED_PARENT[name]].in_(allowed))
    return query


def export_state(
    database: Database, path: Path, now: datetime, include_security: bool = False
) -> dict[str, int]:
    """Write the state as JSON; restricted data (the security backlog, its postmortems and
    audit entries) only with ``include_security``."""
    payload: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "include_security": include_security,
        "tables": {},
    }
    counts: dict[str, int] = {}
    with database.transaction() as session:
        for name in TABLES:
            table = _table(name)
            if not include_security and restricted_table(name):
                continue
            query = (
                select(table).order_by(*table.primary_key.columns)
                if include_security
                else _visible(name)
            )
            rows = session.execute(query).mappings()
            records = [{k: _encode(v) for k, v in row.items()} for row in rows]
            payload["tables"][table.name] = records
            counts[table.name] = len(records)
    path.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
    return counts


def restore_state(
    database: Database, path: Path, now: datetime, actor: str, drop_security: bool = False
) -> dict[str, int]:
    """Replace the stored state with the file's, in one transaction.

    Every row is checked first (columns, times, answer statuses, snapshot contents), so
    a bad file is reported with its table, row and field and changes nothing. The restore
    itself is appended to the restored audit trail.
    """
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise UserError(
            "not a platform-maturity state export",
            file=str(path),
            field="format",
            value=payload.get("format") if isinstance(payload, dict) else None,
            hint="Create one with 'maturity export FILE'.",
        )
    if payload.get("version") != FORMAT_VERSION:
        raise UserError(
            "unsupported export version",
            file=str(path),
            field="version",
            value=payload.get("version"),
        )
    tables = payload.get("tables") or {}
    if not isinstance(tables, dict):
        raise UserError("'tables' must be a mapping", file=str(path), field="tables")
    prepared = {name: _prepare(path, name, tables.get(name, [])) for name in TABLES}
    if not payload.get("include_security") and not drop_security:
        with database.transaction() as session:
            held = _restricted_rows(session)
        if held:
            raise UserError(
                f"the file has no security data, but the workspace holds {held} restricted"
                " row(s) (security backlog, its postmortems and audit entries)",
                file=str(path),
                field="include_security",
                hint="Restore an export made with 'maturity export --include-security', or pass"
                " --drop-security to replace them with nothing. Nothing was changed.",
            )
    try:
        return _replace_all(database, path, prepared, now, actor)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise UserError(
            f"the export does not fit the database schema: {detail}",
            file=str(path),
            hint="Nothing was changed. Use a file written by 'maturity export' of this version.",
        ) from None


def units_not_configured(database: Database, configured: set[str]) -> list[str]:
    """Units the stored state names that maturity.yaml does not define (after a restore:
    reports and ``--unit`` only know the units of maturity.yaml)."""
    with database.transaction() as session:
        stored = session.execute(select(models.OrgUnitRow.slug)).scalars().all()
    return sorted(set(stored) - configured)


def _prepare(path: Path, name: str, records: object) -> list[dict[str, Any]]:
    """Check one table's rows and turn them into column values."""
    table = _table(name)
    columns = {c.name: c for c in table.columns}
    if not isinstance(records, list):
        raise UserError("expected a list of rows", file=str(path), field=f"tables.{name}")
    rows = []
    for index, record in enumerate(records):
        where = f"tables.{name}.{index}"
        if not isinstance(record, dict):
            raise UserError("expected a row (a mapping)", file=str(path), field=where)
        unknown = sorted(set(record) - set(columns))
        if unknown:
            raise UserError(
                "unknown column",
                file=str(path),
                field=f"{where}.{unknown[0]}",
                hint="Use a file written by 'maturity export' of this version.",
            )
        row: dict[str, Any] = {}
        for column in columns.values():
            value = record.get(column.name)
            if value is None and column.name == "restricted":
                value = False  # exports written before restricted data existed
            if value is None and not column.nullable:
                raise UserError(
                    "required value missing", file=str(path), field=f"{where}.{column.name}"
                )
            if value is not None and isinstance(column.type, UTCDateTime):
                try:
                    value = datetime.fromisoformat(str(value))
                except ValueError:
                    raise UserError(
                        "not an ISO 8601 time",
                        file=str(path),
                        field=f"{where}.{column.name}",
                        value=value,
                    ) from None
                if value.tzinfo is None:
                    value = value.replace(tzinfo=UTC)
            if value is not None and isinstance(column.type, Date):
                try:
                    value = date.fromisoformat(str(value))
                except ValueError:
                    raise UserError(
                        "not an ISO 8601 date",
                        file=str(path),
                        field=f"{where}.{column.name}",
                        value=value,
                    ) from None
            row[column.name] = value
        _check_row(path, name, where, row)
        rows.append(row)
    return rows


def _restricted_rows(session: Session) -> int:
    total = 0
    for name in TABLES:
        table = _table(name)
        if restricted_table(name):
            total += session.scalar(select(func.count()).select_from(table)) or 0
        elif "restricted" in table.columns:
            total += (
                session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(table.columns["restricted"].is_(True))
                )
                or 0
            )
    return total


_CHOICES: dict[tuple[str, str], set[str]] = {
    ("backlog_items", "state"): {s.value for s in ItemState},
    ("backlog_items", "source"): {s.value for s in ItemSource},
    ("work_items", "kind"): set(get_args(WorkKind)),
    ("work_items", "status_category"): set(get_args(StatusCategory)),
    ("work_items", "found_in"): set(get_args(FoundIn)),
    ("work_items", "resolution"): set(get_args(Resolution)),
    ("pipeline_runs", "kind"): set(get_args(RunKind)),
    ("sli_windows", "kind"): {"error", "latency"},
}
_WHAT = {"backlog_items": "a backlog item", "work_items": "a work item"}


def _check_row(path: Path, name: str, where: str, row: dict[str, Any]) -> None:
    for (table, column), allowed in _CHOICES.items():
        if table != name or (row[column] is None and _nullable(name, column)):
            continue
        if row[column] not in allowed:
            raise UserError(
                f"not {_WHAT.get(name, 'a ' + name.rstrip('s').replace('_', ' '))} {column}",
                file=str(path),
                field=f"{where}.{column}",
                value=row[column],
                hint="Allowed: " + ", ".join(sorted(allowed)),
            )
    if name == "answers" and row["status"] not in {o.value for o in Outcome}:
        raise UserError(
            "not an answer status",
            file=str(path),
            field=f"{where}.status",
            value=row["status"],
            hint="Statuses: " + ", ".join(o.value for o in ANSWER_STATUSES),
        )
    if name == "work_items":
        _check_history(path, where, str(row["history"]))
    if name == "cost_lines":
        for number, line in enumerate(str(row["tags"]).split("\n") if row["tags"] else ()):
            if "=" not in line:
                raise UserError(
                    "a tag line is not key=value",
                    file=str(path),
                    field=f"{where}.tags",
                    value=line,
                    hint=f"Line {number + 1} of the tags.",
                )
    if name == "snapshots":
        try:
            Scorecard.model_validate_json(str(row["scorecard_json"]))
        except ValidationError:
            raise UserError(
                "the snapshot's scorecard cannot be read",
                file=str(path),
                field=f"{where}.scorecard_json",
            ) from None


def _nullable(name: str, column: str) -> bool:
    return bool(_table(name).columns[column].nullable)


def _check_history(path: Path, where: str, text: str) -> None:
    """A work item's status history: one transition a line, time, from, to, category."""
    categories = set(get_args(StatusCategory))
    for number, line in enumerate(text.split("\n") if text else ()):
        parts = line.split("\t")
        ok = len(parts) == 4 and parts[3] in categories and bool(parts[2])
        if ok:
            try:
                datetime.fromtimestamp(float(parts[0]), UTC)
            except (ValueError, OverflowError, OSError):
                ok = False
        if not ok:
            raise UserError(
                "not a status transition (Unix time, from, to, category; tab-separated)",
                file=str(path),
                field=f"{where}.history",
                value=line,
                hint=f"Line {number + 1} of the history.",
            )


def _replace_all(
    database: Database,
    path: Path,
    prepared: dict[str, list[dict[str, Any]]],
    now: datetime,
    actor: str,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with database.transaction() as session:
        for name in reversed(TABLES[TABLES.index("backlog_policies") :]):
            session.execute(delete(_table(name)))
        repo.clear_all(session)
        for name in TABLES:
            rows = prepared[name]
            if rows:
                session.execute(_table(name).insert(), rows)
            counts[name] = len(rows)
        session.flush()
        _reset_sequences(session, database)
        repo.audit(
            session,
            at=now,
            actor=actor,
            action="restore",
            entity="workspace",
            key=path.name,
            new=f"{sum(counts.values())} rows",
        )
    return counts


def _reset_sequences(session: Session, database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        return
    for name in TABLES:
        table = _table(name)
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and str(pk[0].type) == "INTEGER":
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'),"
                    f" COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )
