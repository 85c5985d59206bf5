"""Export the whole workspace state as JSON, and restore it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from platform_maturity.domain.errors import UserError
from platform_maturity.store import models, repo
from platform_maturity.store.db import Database

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
    "observations",
    "evidence",
    "snapshots",
    "snapshot_scores",
    "audit_events",
)


def _table(name: str) -> Table:
    return models.Base.metadata.tables[name]


def _encode(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def export_state(database: Database, path: Path, now: datetime) -> dict[str, int]:
    payload: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "tables": {},
    }
    counts: dict[str, int] = {}
    with database.transaction() as session:
        for name in TABLES:
            table = _table(name)
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            records = [{k: _encode(v) for k, v in row.items()} for row in rows]
            payload["tables"][table.name] = records
            counts[table.name] = len(records)
    path.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
    return counts


def restore_state(database: Database, path: Path) -> dict[str, int]:
    """Replace the stored state with the file's, in one transaction."""
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
    try:
        return _replace_all(database, path, tables)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise UserError(
            f"the export does not fit the database schema: {detail}",
            file=str(path),
            hint="Nothing was changed. Use a file written by 'maturity export' of this version.",
        ) from None


def _replace_all(database: Database, path: Path, tables: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with database.transaction() as session:
        repo.clear_all(session)
        for name in TABLES:
            table = _table(name)
            records = tables.get(table.name, [])
            rows = []
            for index, record in enumerate(records):
                row = {}
                for column in table.columns:
                    value = record.get(column.name)
                    if value is not None and "DateTime" in type(column.type).__name__:
                        value = datetime.fromisoformat(value)
                    row[column.name] = value
                if set(record) - {c.name for c in table.columns}:
                    raise UserError(
                        "unknown column in the export",
                        file=str(path),
                        field=f"tables.{table.name}.{index}",
                        value=sorted(set(record) - {c.name for c in table.columns})[0],
                    )
                rows.append(row)
            if rows:
                session.execute(table.insert(), rows)
            counts[table.name] = len(rows)
        session.flush()
        _reset_sequences(session, database)
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
