"""Work items written from a polars frame: the bulk twin of ``event_repo.write_records``.

The frame has the columns of :class:`WorkItem` (see ``importers/jira_pipeline_frame``).
The rows stored are byte for byte those ``write_records`` stores for the same items: the
same times (UTC text on SQLite, timestamps on PostgreSQL, where the digest is over their ISO
text), label and history texts, digests, ids in the same order, the same rule for
duplicates (the later row wins, at the place of the first) and for updates. On PostgreSQL
new rows go in with one ``COPY`` and the stored ids are looked up with one ``= ANY(array)``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from platform_maturity.domain.events import WorkItem
from platform_maturity.store.event_repo import _DB_NAMES, _HISTORY, WriteCounts, _bulk_insert
from platform_maturity.store.events import WorkItemRow

if TYPE_CHECKING:
    import polars as pl

_TIMES = ("created_at", "started_at", "completed_at", "first_completed_at")
_TABLE: Table = WorkItemRow.__table__  # type: ignore[assignment]


def write_work_frame(session: Session, frame: pl.DataFrame) -> WriteCounts:
    """Insert new work items and update changed ones, keyed by (source, source id)."""
    import polars as pl

    counts = WriteCounts()
    if frame.height == 0:
        return counts
    dialect = session.connection().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise ValueError(f"write_work_frame stores on SQLite and PostgreSQL, not {dialect}")
    postgres = dialect == "postgresql"
    rows = _stored(_latest(frame), postgres)
    names = (*_DB_NAMES[WorkItem], "digest")
    sources = rows["source"].unique(maintain_order=True).to_list()
    for source in sources:
        group = rows if len(sources) == 1 else rows.filter(pl.col("source") == source)
        keys = group["source_id"].to_list()
        existing = (
            _lookup_postgres(session, source, keys) if postgres else _lookup(session, source, keys)
        )
        if existing:
            old = [existing.get(sid) for sid in group["source_id"].to_list()]
            digests = group["digest"].to_list()
            state = pl.Series(
                [
                    0 if o is None else 2 if o[1] == d else 1
                    for o, d in zip(old, digests, strict=True)
                ],
                dtype=pl.Int8,
            )
            group = group.with_columns(
                state.alias("_state"),
                pl.Series([o[0] if o else None for o in old], dtype=pl.Int64).alias("_id"),
            )
            changed = group.filter(pl.col("_state") == 1)
            counts.unchanged += int((state == 2).sum())
            group = group.filter(pl.col("_state") == 0)
        else:
            changed = None
        if postgres:
            _copy(session, names, group)
        else:
            _bulk_insert(session, _TABLE, names, _tuples(group, names))
        counts.new += group.height
        if changed is not None:  # after the insert, as write_records does
            _update(session, changed, source, postgres)
            counts.updated += changed.height
    return counts


def _lookup(session: Session, source: str, keys: list[str]) -> dict[str, tuple[int, str]]:
    """Stored (id, digest) by source id, for the given ids: one join with a temporary
    table of the ids, not a pass over every item of the source."""
    connection = session.connection()
    if (
        connection.exec_driver_sql(
            "SELECT 1 FROM work_items WHERE source = ? LIMIT 1", (source,)
        ).first()
        is None
    ):
        return {}  # nothing from this source yet: every item is new
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_keys (source_id TEXT)")
        cursor.execute("DELETE FROM bulk_keys")
        cursor.executemany("INSERT INTO bulk_keys VALUES (?)", [(k,) for k in keys])
        cursor.execute(
            "SELECT w.source_id, w.id, w.digest FROM bulk_keys k"
            " JOIN work_items w ON w.source = ? AND w.source_id = k.source_id",
            (source,),
        )
        found = {sid: (rid, digest) for sid, rid, digest in cursor.fetchall()}
        cursor.execute("DELETE FROM bulk_keys")
    finally:
        cursor.close()
    return found


def _lookup_postgres(session: Session, source: str, keys: list[str]) -> dict[str, tuple[int, str]]:
    """Stored (id, digest) by source id, for the given ids: one query with the ids as an
    array (the unique index on (source, source id) answers it)."""
    connection = session.connection()
    if (
        connection.exec_driver_sql(
            "SELECT 1 FROM work_items WHERE source = %s LIMIT 1", (source,)
        ).first()
        is None
    ):
        return {}  # nothing from this source yet: every item is new
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            "SELECT source_id, id, digest FROM work_items WHERE source = %s"
            " AND source_id = ANY(%s::text[])",
            (source, keys),
        )
        return {sid: (rid, digest) for sid, rid, digest in cursor.fetchall()}
    finally:
        cursor.close()


def _copy(session: Session, names: tuple[str, ...], frame: pl.DataFrame) -> None:
    """New rows with one ``COPY ... FROM STDIN``, the text written by polars: times as their
    ISO text with the zone (+00:00), which PostgreSQL reads as the same instant the record
    path binds; backslash, tab, newline and carriage return escaped, NULL as ``\\N``."""
    import polars as pl

    if frame.height == 0:
        return

    def field(name: str) -> pl.Expr:
        column = pl.col(name)
        kind = frame.schema[name]
        if kind == pl.Boolean:
            text = pl.when(column).then(pl.lit("t")).otherwise(pl.lit("f"))
        elif kind == pl.String:
            text = (
                column.str.replace_all("\\", "\\\\", literal=True)
                .str.replace_all("\t", "\\t", literal=True)
                .str.replace_all("\n", "\\n", literal=True)
                .str.replace_all("\r", "\\r", literal=True)
            )
        else:
            text = column.cast(pl.String)
        return pl.when(column.is_null()).then(pl.lit("\\N")).otherwise(text)

    lines = frame.select(pl.concat_str([field(n) for n in names], separator="\t"))
    data = "\n".join(lines.to_series().to_list()) + "\n"
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {quote(_TABLE.name)} ({columns}) FROM STDIN") as copy:
            copy.write(data)
    finally:
        cursor.close()


def _latest(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (source, source id): the last one, at the place of the first."""
    import polars as pl

    indexed = frame.with_row_index("_at")
    places = indexed.group_by("source", "source_id").agg(
        pl.col("_at").min().alias("_first"), pl.col("_at").max().alias("_last")
    )
    if places.height == frame.height:
        return frame
    return (
        indexed.join(places.select("_first", "_last"), left_on="_at", right_on="_last")
        .sort("_first")
        .drop("_at", "_first")
    )


def _stored(frame: pl.DataFrame, postgres: bool) -> pl.DataFrame:
    """The table's columns as the record path digests them, the digest included, plus
    ``_moves`` (whether the item has transitions): times as SQLite keeps them (UTC text), or
    for PostgreSQL as ``datetime.isoformat()`` of the UTC time (2026-05-01T10:00:00+00:00,
    microseconds only when there are some)."""
    import polars as pl

    def text(column: str) -> pl.Expr:
        time = pl.col(column)
        if not postgres:
            return time.dt.strftime("%Y-%m-%d %H:%M:%S%.6f")
        return (
            pl.when(time.dt.microsecond() != 0)
            .then(time.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00"))
            .otherwise(time.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
        )

    texts = frame.with_columns(
        *(text(c) for c in _TIMES),
        pl.col("labels").list.join("\n"),
        _history(frame).alias("transitions"),
        (pl.col("transitions").list.len() > 0).alias("_moves"),
    ).rename({"transitions": "history"})
    names = _DB_NAMES[WorkItem]
    # str() of each value, joined by \x1f: None reads "None", booleans "True"/"False"
    joined = texts.select(
        pl.concat_str(
            [
                pl.when(pl.col(n)).then(pl.lit("True")).otherwise(pl.lit("False"))
                if texts.schema[n] == pl.Boolean
                else pl.col(n).cast(pl.String).fill_null("None")
                for n in names
            ],
            separator="\x1f",
        )
    ).to_series()
    blake2b = hashlib.blake2b
    digests = [blake2b(t.encode(), digest_size=16).hexdigest() for t in joined.to_list()]
    return texts.select(*names, pl.Series("digest", digests, dtype=pl.String), "_moves")


def _history(frame: pl.DataFrame) -> pl.Series:
    """Each item's transitions as text: "unix time (%.3f)\\tfrom\\tto\\tcategory" lines."""
    import polars as pl

    moves = (
        frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"), "transitions")
        .explode("transitions")
        .drop_nulls("transitions")
        .unnest("transitions")
    )
    micros = moves["at"].dt.epoch("us")
    if bool((micros % 1000 == 0).all()):
        millis = (micros // 1000).abs()
        stamps = pl.select(
            pl.concat_str(
                pl.when(micros < 0).then(pl.lit("-")).otherwise(pl.lit("")),
                (millis // 1000).cast(pl.String),
                pl.lit("."),
                (millis % 1000).cast(pl.String).str.zfill(3),
            )
        ).to_series()
    else:  # below a millisecond: Python's own rounding of the float, as datetime.timestamp()
        stamps = pl.Series([f"{us / 1_000_000:.3f}" for us in micros.to_list()], dtype=pl.String)

    def clean(column: str) -> pl.Expr:
        text = pl.col(column).fill_null("")
        return text.str.replace_all("\t", " ", literal=True).str.replace_all(
            "\n", " ", literal=True
        )

    lines = moves.with_columns(stamps.alias("_stamp")).select(
        "_row",
        pl.concat_str(
            "_stamp",
            pl.lit("\t"),
            clean("from_status"),
            pl.lit("\t"),
            clean("to_status"),
            pl.lit("\t"),
            "to_category",
        ).alias("line"),
    )
    texts = lines.group_by("_row").agg(pl.col("line").str.join("\n"))
    rows = pl.DataFrame({"_row": pl.int_range(frame.height, dtype=pl.UInt32, eager=True)})
    joined = rows.join(texts, on="_row", how="left", maintain_order="left")
    return joined["line"].fill_null("")


def _tuples(frame: pl.DataFrame, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return list(zip(*(frame[n].to_list() for n in names), strict=True))


def _update(session: Session, changed: pl.DataFrame, source: str, postgres: bool) -> None:
    """Set every column of the changed rows; a Jira item without transitions (the issues
    CSV alone) keeps the history stored before, as ``write_records`` does."""
    import polars as pl

    if changed.height == 0:
        return
    if source == "github" and not bool(changed["_moves"].all()):
        raise ValueError("GitHub work items without history are written as records")
    names = (*_DB_NAMES[WorkItem], "digest")
    keep_history = source == "jira"
    for moves in (True, False):
        group = changed.filter(pl.col("_moves") == moves)
        if group.height == 0:
            continue
        columns = [n for n in names if moves or not keep_history or n not in _HISTORY]
        connection = session.connection()
        quote = connection.dialect.identifier_preparer.quote
        assignments = ", ".join(f"{quote(c)} = {_mark(c, postgres)}" for c in columns)
        connection.exec_driver_sql(
            f"UPDATE {quote(_TABLE.name)} SET {assignments} WHERE id = {_mark('id', postgres)}",
            _tuples(group, (*columns, "_id")),
        )


def _mark(column: str, postgres: bool) -> str:
    """The parameter of a column: PostgreSQL reads a time's ISO text as a timestamp."""
    if not postgres:
        return "?"
    return "CAST(%s AS TIMESTAMP WITH TIME ZONE)" if column in _TIMES else "%s"
