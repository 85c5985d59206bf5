"""Bulk, idempotent writes of imported events and fast reads back into domain records.

A write compares each record's digest with the stored one for the same (source, source id):
new records are inserted, changed ones updated, identical ones left alone. Everything uses
Core ``executemany`` statements, never ORM objects one by one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, case, insert, select, update
from sqlalchemy.orm import Session

from platform_maturity.domain.events import (
    CostLine,
    Deployment,
    EventSet,
    Headcount,
    Incident,
    IncidentMerge,
    MttdSample,
    PipelineRun,
    PullRequest,
    RecoveryDrill,
    SliWindow,
    Transition,
    WorkItem,
)

if TYPE_CHECKING:
    from platform_maturity.domain.work_table import WorkTable
from platform_maturity.store.events import (
    CostLineRow,
    DeploymentRow,
    HeadcountRow,
    ImportedIncidentRow,
    ImportRunRow,
    IncidentMergeRow,
    MttdSampleRow,
    PipelineRunRow,
    PullRequestRow,
    RecoveryDrillRow,
    SliWindowRow,
    UnitHeadcountRow,
    WorkItemRow,
)

Record = WorkItem | PullRequest | PipelineRun | Deployment | Incident | CostLine


@dataclass
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


_TABLES: dict[type, Table] = {
    WorkItem: WorkItemRow.__table__,  # type: ignore[dict-item]
    PullRequest: PullRequestRow.__table__,  # type: ignore[dict-item]
    PipelineRun: PipelineRunRow.__table__,  # type: ignore[dict-item]
    Deployment: DeploymentRow.__table__,  # type: ignore[dict-item]
    Incident: ImportedIncidentRow.__table__,  # type: ignore[dict-item]
    CostLine: CostLineRow.__table__,  # type: ignore[dict-item]
}


_COLUMNS: dict[type, tuple[str, ...]] = {cls: tuple(f.name for f in fields(cls)) for cls in _TABLES}
# the table's column of each field (a work item's transitions are its history column)
_DB_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple("history" if n == "transitions" else n for n in names)
    for cls, names in _COLUMNS.items()
}
_GETTERS = {cls: attrgetter(*names) for cls, names in _COLUMNS.items()}
_TIMES: dict[type, tuple[int, ...]] = {
    cls: tuple(i for i, f in enumerate(fields(cls)) if "datetime" in str(f.type)) for cls in _TABLES
}
_CHUNK = 900  # ids per IN (...) lookup
_WHOLE_SOURCE = 20_000  # above this many ids, read the source's keys in one query


_TEXTS: dict[type, tuple[int, ...]] = {
    cls: tuple(i for i, f in enumerate(fields(cls)) if str(f.type).startswith("tuple"))
    for cls in _TABLES
}


def _clean(text: str | None) -> str:
    if text is None:
        return ""
    if "\t" in text or "\n" in text:
        return text.replace("\t", " ").replace("\n", " ")
    return text


def _iso(value: datetime) -> str:
    return value.isoformat()


def _text(value: tuple[Any, ...]) -> str:
    """Lists as text, one item a line: labels, key=value tags, or the status history."""
    if not value:
        return ""
    if isinstance(value[0], Transition):
        return "\n".join(
            f"{t.at.timestamp():.3f}\t{_clean(t.from_status)}\t{_clean(t.to_status)}"
            f"\t{t.to_category}"
            for t in value
        )
    if isinstance(value[0], tuple):
        return "\n".join(f"{k}={v}" for k, v in value)
    return "\n".join(value)


def _prepared(cls: type, values: Sequence[Any], to_time: Any) -> list[Any]:
    """A record's values as the table stores them: times converted, lists as text."""
    row = list(values)
    for i in _TIMES[cls]:
        value = row[i]
        if value is not None:
            row[i] = to_time(value)
    for i in _TEXTS[cls]:
        row[i] = _text(row[i])
    return row


def _digest(row: Sequence[Any]) -> str:
    text = "\x1f".join(map(str, row))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _row(record: Record, digest: str) -> dict[str, Any]:
    """The table row of a record as SQLAlchemy binds it (for updates)."""
    cls = type(record)
    row = dict(zip(_DB_NAMES[cls], _prepared(cls, _GETTERS[cls](record), _same), strict=True))
    row["digest"] = digest
    return row


def _same(value: Any) -> Any:
    return value


def _lookup(
    session: Session, table: Table, source: str, keys: Sequence[str]
) -> dict[str, tuple[int, str]]:
    """Stored (id, digest) by source id, for the given ids only."""
    found: dict[str, tuple[int, str]] = {}
    first = select(table.c.id).where(table.c.source == source).limit(1)
    if session.execute(first).first() is None:
        return found  # nothing from this source yet: every record is new
    if len(keys) > _WHOLE_SOURCE:
        # many ids: one pass over the source's rows beats thousands of IN (...) queries
        wanted = set(keys)
        connection = session.connection()
        quote = connection.dialect.identifier_preparer.quote
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(
                f"SELECT source_id, id, digest FROM {quote(table.name)} WHERE source = {mark}",
                (source,),
            )
            for sid, rid, digest in cursor.fetchall():
                if sid in wanted:
                    found[sid] = (rid, digest)
        finally:
            cursor.close()
        return found
    for start in range(0, len(keys), _CHUNK):
        for rid, sid, digest in session.execute(
            select(table.c.id, table.c.source_id, table.c.digest).where(
                table.c.source == source, table.c.source_id.in_(keys[start : start + _CHUNK])
            )
        ):
            found[sid] = (rid, digest)
    return found


def _bulk_insert(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """One driver-level executemany: values are already in the database's form."""
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(quote(n) for n in names)
    marks = ", ".join([mark] * len(names))
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",
        [tuple(r) for r in rows],
    )


def _to_sqlite(value: datetime) -> str:
    """UTC text the way SQLAlchemy writes it to SQLite (2026-05-01 10:00:00.000000)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def write_records(session: Session, records: Sequence[Record]) -> WriteCounts:
    """Insert new records and update changed ones, all of one type, keyed by source id."""
    counts = WriteCounts()
    if not records:
        return counts
    cls = type(records[0])
    table = _TABLES[cls]
    getter = _GETTERS[cls]
    times = _TIMES[cls]
    # SQLite keeps UTC text the way SQLAlchemy writes it; PostgreSQL takes timestamps (the
    # digest is over the ISO text there)
    sqlite = session.connection().dialect.name == "sqlite"
    stored = _to_sqlite if sqlite else _iso
    by_source: dict[str, list[Record]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    for source, group in by_source.items():
        # the same id twice in one file: the later record wins
        latest = list({record.source_id: record for record in group}.values())
        existing = _lookup(session, table, source, [r.source_id for r in latest])
        if isinstance(group[0], PipelineRun | Deployment):
            latest = _merged(session, table, latest, existing)
        fresh: list[list[Any]] = []
        changed: list[dict[str, Any]] = []
        for record in latest:
            values = getter(record)
            prepared = _prepared(cls, values, stored)
            digest = _digest(prepared)
            old = existing.get(record.source_id)
            if old is None:
                if not sqlite:
                    for i in times:
                        prepared[i] = values[i]
                prepared.append(digest)
                fresh.append(prepared)
            elif old[1] != digest:
                row = _row(record, digest)
                row["_id"] = old[0]
                if isinstance(record, WorkItem) and not record.transitions:
                    if record.source == "jira":  # the CSV never has history
                        row["_history"] = False
                    elif record.source == "github":  # /issues after its events
                        row["_history"] = "if-none"
                changed.append(row)
            else:
                counts.unchanged += 1
        _bulk_insert(session, table, (*_DB_NAMES[cls], "digest"), fresh)
        if changed:
            _update(session, table, changed)
        counts.new += len(fresh)
        counts.updated += len(changed)
    return counts


def _merged(
    session: Session, table: Table, records: list[Record], existing: dict[str, tuple[int, str]]
) -> list[Record]:
    """Runs and deployments arrive in pieces (a run, then its jobs; a deployment, then its
    statuses): what a later record leaves empty keeps its stored value, the earliest
    creation time stays, and a deployment's known state is not reset to "created"."""
    known_ids = [existing[r.source_id][0] for r in records if r.source_id in existing]
    if not known_ids:
        return records
    cls = type(records[0])
    names = [f.name for f in fields(cls)]
    stored: dict[str, Any] = {}
    for start in range(0, len(known_ids), 500):
        for row in session.execute(
            select(*[table.c[n] for n in names]).where(
                table.c.id.in_(known_ids[start : start + 500])
            )
        ):
            stored[row.source_id] = cls(*row)
    out: list[Record] = []
    for record in records:
        old = stored.get(record.source_id)
        if old is None:
            out.append(record)
            continue
        changes: dict[str, Any] = {}
        for name in names:
            new_value, old_value = getattr(record, name), getattr(old, name)
            if new_value is None or new_value == "":
                changes[name] = old_value
            elif name == "created_at":
                changes[name] = min(new_value, old_value)
            elif name in ("production", "failed_change"):
                changes[name] = bool(new_value or old_value)
            elif name == "status" and new_value == "created":
                changes[name] = old_value
        out.append(replace(record, **changes))
    return out


# a work item without history (e.g. from a CSV) keeps the history another import gave it
_HISTORY = ("started_at", "first_completed_at", "reopened", "history")


def _update(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    groups: dict[object, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r.get("_history", True), []).append(r)
    for how, group in groups.items():
        skip = _HISTORY if how is False else ()
        columns = [c for c in group[0] if c not in ("_id", "_history", *skip)]
        values: dict[str, Any] = {c: bindparam(c) for c in columns}
        if how == "if-none":
            # the history columns change only where no history was stored before
            values.update(
                {c: case((table.c.history == "", bindparam(c)), else_=table.c[c]) for c in _HISTORY}
            )
            # a duplicate known from the events stays one when /issues says just "closed"
            values["resolution"] = case(
                (
                    (table.c.history != "")
                    & (table.c.resolution == "duplicate")
                    & (bindparam("resolution") == "done"),
                    table.c.resolution,
                ),
                else_=bindparam("resolution"),
            )
        statement = update(table).where(table.c.id == bindparam("_id")).values(values)
        # parameters name only the columns to set: any other column key would be set too
        session.connection().execute(
            statement, [{k: r[k] for k in ("_id", *columns)} for r in group]
        )


def record_import(
    session: Session,
    kind: str,
    file: str,
    sha256: str,
    at: datetime,
    actor: str,
    rows_read: int,
    counts: WriteCounts,
    skipped: int,
) -> None:
    session.execute(
        insert(ImportRunRow.__table__),  # type: ignore[arg-type]
        [
            {
                "kind": kind,
                "file": file,
                "sha256": sha256,
                "imported_at": at,
                "actor": actor,
                "rows_read": rows_read,
                "new": counts.new,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "skipped": skipped,
            }
        ],
    )


def write_headcounts(session: Session, rows: Iterable[Headcount], at: datetime) -> WriteCounts:
    """Head counts of the organization (``unit`` None) or of a unit; an empty count keeps
    the one recorded before."""
    counts = WriteCounts()
    for row in rows:
        existing: HeadcountRow | UnitHeadcountRow | None = (
            session.get(HeadcountRow, row.month)
            if row.unit is None
            else session.get(UnitHeadcountRow, (row.unit, row.month))
        )
        if existing is None:
            values = {
                "month": row.month,
                "developers": row.developers,
                "users": row.users,
                "note": row.note,
                "recorded_at": at,
            }
            session.add(
                HeadcountRow(**values)
                if row.unit is None
                else UnitHeadcountRow(unit=row.unit, **values)
            )
            counts.new += 1
            continue
        developers = row.developers if row.developers is not None else existing.developers
        users = row.users if row.users is not None else existing.users
        if (developers, users) == (existing.developers, existing.users):
            counts.unchanged += 1
            continue
        existing.developers, existing.users = developers, users
        existing.note = row.note or existing.note
        existing.recorded_at = at
        counts.updated += 1
    session.flush()
    return counts


def write_incident_merges(session: Session, merges: Iterable[IncidentMerge]) -> WriteCounts:
    """Record incidents merged into others; the same merge again changes nothing."""
    counts = WriteCounts()
    for merge in merges:
        row = session.execute(
            select(IncidentMergeRow).where(
                IncidentMergeRow.source == merge.source,
                IncidentMergeRow.source_id == merge.source_id,
            )
        ).scalar_one_or_none()
        if row is None:
            session.add(
                IncidentMergeRow(
                    source=merge.source,
                    source_id=merge.source_id,
                    merged_into=merge.merged_into,
                    merged_at=merge.at,
                )
            )
            counts.new += 1
        elif (row.merged_into, row.merged_at) != (merge.merged_into, merge.at):
            row.merged_into, row.merged_at = merge.merged_into, merge.at
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()
    return counts


def _with_merges(session: Session, incidents: list[Incident]) -> list[Incident]:
    """Imported incidents with the merges their tool's log reported applied."""
    merges = {
        (r.source, r.source_id): r.merged_into
        for r in session.execute(select(IncidentMergeRow)).scalars()
    }
    if not merges:
        return incidents
    return [
        replace(i, duplicate=True, merged_into=target)
        if (target := merges.get((i.source, i.source_id))) is not None
        else i
        for i in incidents
    ]


def write_drill(session: Session, drill: RecoveryDrill) -> bool:
    """Record a recovery drill; True when it is new (the same id updates it)."""
    row = session.execute(
        select(RecoveryDrillRow).where(RecoveryDrillRow.source_id == drill.source_id)
    ).scalar_one_or_none()
    new = row is None
    if row is None:
        row = RecoveryDrillRow(source_id=drill.source_id)
        session.add(row)
    row.scenario = drill.scenario
    row.started_at = drill.started_at
    row.restored_at = drill.restored_at
    row.success = drill.success
    row.notes = drill.notes
    row.unit = drill.unit
    session.flush()
    return new


def write_sli(session: Session, windows: Iterable[SliWindow], at: datetime) -> WriteCounts:
    counts = WriteCounts()
    for window in windows:
        row = session.execute(
            select(SliWindowRow).where(
                SliWindowRow.subsystem == window.subsystem,
                SliWindowRow.kind == window.kind,
                SliWindowRow.start == window.start,
            )
        ).scalar_one_or_none()
        if row is None:
            row = SliWindowRow(
                subsystem=window.subsystem, kind=window.kind, start=window.start, end=window.end
            )
            session.add(row)
            counts.new += 1
        else:
            counts.updated += 1
        row.end, row.bad, row.total = window.end, window.bad, window.total
        row.threshold_s, row.query, row.collected_at = window.threshold_s, window.query, at
    session.flush()
    return counts


def save_mttd_samples(session: Session, samples: Iterable[MttdSample], at: datetime) -> int:
    added = 0
    for sample in samples:
        session.add(
            MttdSampleRow(
                quarter=sample.quarter,
                source=sample.source,
                source_id=sample.source_id,
                key=sample.key,
                title=sample.title,
                deployed_at=sample.deployed_at,
                detected_at=sample.detected_at,
                note=sample.note,
                drawn_at=at,
            )
        )
        added += 1
    session.flush()
    return added


def update_mttd_sample(
    session: Session,
    quarter: str,
    key: str,
    deployed_at: datetime | None,
    detected_at: datetime | None,
    note: str | None,
) -> bool:
    row = session.execute(
        select(MttdSampleRow).where(MttdSampleRow.quarter == quarter, MttdSampleRow.key == key)
    ).scalar_one_or_none()
    if row is None:
        return False
    if deployed_at is not None:
        row.deployed_at = deployed_at
    if detected_at is not None:
        row.detected_at = detected_at
    if note is not None:
        row.note = note
    return True


# ----------------------------------------------------------------------------- reading


def _labels(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def _tags(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for line in text.split("\n") if text else ():
        key, _, value = line.partition("=")
        out.append((key, value))
    return tuple(out)


def _history(text: str) -> tuple[Transition, ...]:
    out = []
    for line in text.split("\n") if text else ():
        at, frm, to, category = line.split("\t")
        moment = datetime.fromtimestamp(float(at), UTC)
        out.append(Transition(moment, frm or None, to, category))  # type: ignore[arg-type]
    return tuple(out)


def history_text(transitions: tuple[Transition, ...]) -> str:
    """A status history as the ``history`` column keeps it."""
    return _text(transitions)


def parse_history(text: str) -> tuple[Transition, ...]:
    """The status history of a ``history`` column."""
    return _history(text)


def load_work_items(session: Session, transitions: bool = False) -> list[WorkItem]:
    """Every work item; its status history only when ``transitions`` is asked for.

    Read with one driver-level query (a million rows in seconds): SQLite gives UTC text,
    PostgreSQL aware timestamps.
    """
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = _DB_NAMES[WorkItem]
    assert names == _WORK_COLUMNS, "the unpacking below follows WorkItem's fields"
    sqlite = connection.dialect.name == "sqlite"
    parse = datetime.fromisoformat

    def when(value: Any) -> datetime | None:
        if value is None:
            return None
        if sqlite:
            return parse(value + "+00:00")  # much faster than .replace(tzinfo=UTC)
        return value if value.tzinfo is UTC else value.astimezone(UTC)  # type: ignore[no-any-return]

    def fetch(columns: Sequence[str]) -> list[Any]:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(
                f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote('work_items')}"
            )
            return list(cursor.fetchall())
        finally:
            cursor.close()

    rows = fetch([n for n in names if n != "history" or transitions])
    if not transitions:
        rows = [(*row, "") for row in rows]
    # one tuple unpacking per row: the fastest way to a million records in Python
    return [
        WorkItem(
            source,
            source_id,
            key,
            kind,
            parse(created + "+00:00") if sqlite else when(created),  # type: ignore[arg-type]
            title,
            project,
            unit,
            status,
            category,
            resolution,
            severity,
            found_in,
            when(started) if started is not None else None,
            when(completed) if completed is not None else None,
            when(first) if first is not None else None,
            reopened,
            bool(is_bot),
            tuple(labels.split("\n")) if labels else (),
            _history(history) if transitions and history else (),
        )
        for (
            source,
            source_id,
            key,
            kind,
            created,
            title,
            project,
            unit,
            status,
            category,
            resolution,
            severity,
            found_in,
            started,
            completed,
            first,
            reopened,
            is_bot,
            labels,
            history,
        ) in rows
    ]


def load_work_table(session: Session) -> WorkTable:
    """What the KPI engine reads of every work item, as columns (see :class:`WorkTable`).

    One driver-level query, shaped so a million rows cost little to bring into Python: the
    database joins the texts and flags into one value per row (a few hundred distinct ones);
    SQLite's UTC text times are parsed by NumPy, PostgreSQL gives integer microseconds
    (``EXTRACT(EPOCH ...)``).
    """
    from platform_maturity.domain.work_table import MISSING, TEXT_COLUMNS, WorkTable

    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    sqlite = connection.dialect.name == "sqlite"
    separator = "char(31)" if sqlite else "chr(31)"

    def when(column: str) -> str:
        name = quote(column)
        if sqlite:  # 2026-05-01 10:00:00.250000, UTC; NumPy reads 'NaT' as not a time
            return f"COALESCE({name}, 'NaT')"
        value = f"CAST(EXTRACT(EPOCH FROM {name}) * 1000000 AS BIGINT)"
        return f"COALESCE({value}, CAST({MISSING} AS BIGINT))"

    # None and "" read alike (no unit, no severity, ...): the engine treats them alike
    facts = [f"COALESCE({quote(c)}, '')" for c in TEXT_COLUMNS] + [
        f"CASE WHEN {quote('is_bot')} THEN '1' ELSE '0' END",
        f"CASE WHEN {quote('reopened')} <> 0 THEN '1' ELSE '0' END",
    ]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            f"SELECT {f' || {separator} || '.join(facts)}, {when('created_at')},"
            f" {when('started_at')}, {when('completed_at')} FROM {quote('work_items')}"
        )
        rows = cursor.fetchall()
    finally:
        cursor.close()
    index: dict[str, int] = {}
    combination = [index.setdefault(row[0], len(index)) for row in rows]
    decoded = [text.split("\x1f") for text in index]
    times = [list(map(itemgetter(i), rows)) for i in (1, 2, 3)]
    return WorkTable.from_rows(
        [tuple(t or None for t in d[: len(TEXT_COLUMNS)]) for d in decoded],
        [d[-2] == "1" for d in decoded],
        [d[-1] == "1" for d in decoded],
        combination,
        times[0],
        times[1],
        times[2],
        text_times=sqlite,
    )


_WORK_COLUMNS = (
    "source",
    "source_id",
    "key",
    "kind",
    "created_at",
    "title",
    "project",
    "unit",
    "status",
    "status_category",
    "resolution",
    "severity",
    "found_in",
    "started_at",
    "completed_at",
    "first_completed_at",
    "reopened",
    "is_bot",
    "labels",
    "history",
)


def _load(session: Session, cls: type[Any], table: Table) -> list[Any]:
    names = [f.name for f in fields(cls)]
    rows = session.execute(select(*[table.c[n] for n in names]))
    if cls is CostLine:
        at = names.index("tags")
        out = []
        for row in rows:
            values = list(row)
            values[at] = _tags(values[at])
            out.append(cls(*values))
        return out
    return [cls(*row) for row in rows]


def load_events(session: Session, transitions: bool = False, table: bool = False) -> EventSet:
    """Every imported and recorded event. With ``table``, the work items come as columns
    (``work_table``, what the KPI engine reads) instead of records."""
    drills = [
        RecoveryDrill(
            r.source_id, r.started_at, r.restored_at, r.success, r.scenario, r.notes, r.unit
        )
        for r in session.execute(select(RecoveryDrillRow)).scalars()
    ]
    heads = [
        Headcount(r.month, r.developers, r.users, r.note)
        for r in session.execute(select(HeadcountRow).order_by(HeadcountRow.month)).scalars()
    ] + [
        Headcount(r.month, r.developers, r.users, r.note, r.unit)
        for r in session.execute(
            select(UnitHeadcountRow).order_by(UnitHeadcountRow.unit, UnitHeadcountRow.month)
        ).scalars()
    ]
    sli = [
        SliWindow(r.subsystem, r.kind, r.start, r.end, r.bad, r.total, r.threshold_s, r.query)  # type: ignore[arg-type]
        for r in session.execute(select(SliWindowRow)).scalars()
    ]
    items = WorkItemRow.__table__
    mttd = [
        MttdSample(
            r.quarter,
            r.source,
            r.source_id,
            r.key,
            r.title,
            r.deployed_at,
            r.detected_at,
            r.note,
            unit,
        )
        for r, unit in session.execute(
            select(MttdSampleRow, items.c.unit)
            .outerjoin(
                items,
                (items.c.source == MttdSampleRow.source)
                & (items.c.source_id == MttdSampleRow.source_id),
            )
            .order_by(MttdSampleRow.id)
        )
    ]
    return EventSet(
        work_items=[] if table else load_work_items(session, transitions),
        work_table=load_work_table(session) if table else None,
        pull_requests=_load(session, PullRequest, _TABLES[PullRequest]),
        runs=_load(session, PipelineRun, _TABLES[PipelineRun]),
        deployments=_load(session, Deployment, _TABLES[Deployment]),
        incidents=_with_merges(session, _load(session, Incident, _TABLES[Incident])),
        costs=_load(session, CostLine, _TABLES[CostLine]),
        headcounts=heads,
        drills=drills,
        sli=sli,
        mttd=mttd,
    )


def mttd_quarter_keys(session: Session, quarter: str) -> set[str]:
    return set(
        session.execute(select(MttdSampleRow.key).where(MttdSampleRow.quarter == quarter))
        .scalars()
        .all()
    )


def months_with_headcount(session: Session) -> list[date]:
    return list(session.execute(select(HeadcountRow.month)).scalars())


def has_events(session: Session) -> bool:
    """Whether anything was imported, collected or recorded for the KPIs."""
    for table in (*_TABLES.values(), SliWindowRow.__table__, RecoveryDrillRow.__table__):
        if session.execute(select(table.c.id).limit(1)).first() is not None:
            return True
    return False
