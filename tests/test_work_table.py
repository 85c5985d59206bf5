"""The columnar work items the KPI engine reads: from the store (SQLite and PostgreSQL) they
hold exactly what the records hold, and the KPIs computed from records and from columns agree."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_maturity.domain.events import EventSet, WorkItem
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.domain.work_table import MISSING, WorkTable, micros
from platform_maturity.engine.kpi.periods import parse_quarter
from platform_maturity.engine.kpi.report import kpi_report
from platform_maturity.framework.loader import load_framework
from platform_maturity.store import event_repo
from platform_maturity.store.db import open_database

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _items() -> list[WorkItem]:
    """Every case the engine tells apart: kinds, resolutions, bots, reopens, QA or production,
    units and severities present or not, times with microseconds, missing starts, open items."""
    items = []
    kinds = ["bug", "feature", "task", "other"]
    resolutions = [None, "done", "duplicate", "not_planned"]
    for n in range(160):
        created = T0 + timedelta(days=n * 1.7, microseconds=n * 12_345)
        done = n % 5 != 0
        items.append(
            WorkItem(
                source="jira",
                source_id=str(n),
                key=f"P-{n}",
                kind=kinds[n % 4],  # type: ignore[arg-type]
                created_at=created,
                unit=[None, "alpha", "beta", ""][n % 4 if n % 3 else 0],
                status_category="done" if done else "in_progress",
                resolution=resolutions[n % 4] if done else None,  # type: ignore[arg-type]
                severity=[None, "S1", "S2", "S3", "S4"][n % 5],
                found_in=["qa", "production", "unknown"][n % 3],  # type: ignore[arg-type]
                started_at=None if n % 7 == 0 else created + timedelta(hours=n % 11),
                completed_at=created + timedelta(days=n % 13, seconds=n) if done else None,
                reopened=2 if n % 6 == 0 else 0,
                is_bot=n % 17 == 0,
            )
        )
    # clock skew: completed before created
    items.append(replace(items[1], source_id="skew", completed_at=T0 - timedelta(days=1)))
    return items


def _rows(table: WorkTable) -> list[tuple[object, ...]]:
    def texts(column: object) -> list[str | None]:
        values = column.values  # type: ignore[attr-defined]
        return [values[c] or None for c in column.codes.tolist()]  # type: ignore[attr-defined]

    return list(
        zip(
            texts(table.kind),
            texts(table.unit),
            texts(table.resolution),
            texts(table.severity),
            texts(table.found_in),
            table.is_bot.tolist(),
            table.reopened.tolist(),
            table.created.tolist(),
            table.started.tolist(),
            table.completed.tolist(),
            strict=True,
        )
    )


def test_the_store_gives_the_columns_the_records_hold(database_url: str) -> None:
    items = _items()
    database = open_database(database_url)
    with database.transaction() as session:
        event_repo.write_records(session, items)
    with database.transaction() as session:
        table = event_repo.load_work_table(session)
    database.close()
    expected = WorkTable.from_items(items)
    assert sorted(_rows(table), key=repr) == sorted(_rows(expected), key=repr)
    assert MISSING in table.started.tolist() and MISSING in table.completed.tolist()
    assert micros(items[3].created_at) in table.created.tolist()  # microseconds kept exactly


def test_an_empty_store_gives_an_empty_table(database_url: str) -> None:
    database = open_database(database_url)
    with database.transaction() as session:
        table = event_repo.load_work_table(session)
    database.close()
    assert len(table) == 0 and table.created.dtype == np.int64


def _report(events: EventSet, unit: str | None = None) -> object:
    framework = load_framework()
    return kpi_report(
        framework,
        KpiMapping(),
        events,
        parse_quarter("2026-Q4"),
        ZoneInfo("UTC"),
        datetime(2027, 1, 2, tzinfo=UTC),
        "org",
        "EUR",
        quarters=4,
        unit=unit,
    )


def test_kpis_from_the_store_match_kpis_from_the_records(database_url: str) -> None:
    items = _items()
    database = open_database(database_url)
    with database.transaction() as session:
        event_repo.write_records(session, items)
    with database.transaction() as session:
        stored = event_repo.load_events(session, table=True)
    database.close()
    assert stored.work_items == [] and stored.work_table is not None
    for unit in (None, "alpha"):
        assert _report(stored, unit) == _report(EventSet(work_items=items), unit)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["bug", "feature", "task"]),
            st.sampled_from([None, "done", "duplicate", "not_planned"]),
            st.integers(0, 400 * 86400),
            st.one_of(st.none(), st.integers(-86400, 90 * 86400)),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_column_counts_match_a_plain_count(
    rows: list[tuple[str, str | None, int, int | None, bool]],
) -> None:
    """The velocity the columns give is a plain count of the completed, done, human items."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        WorkItem(
            "x",
            str(i),
            str(i),
            kind,  # type: ignore[arg-type]
            start + timedelta(seconds=created),
            resolution=resolution,  # type: ignore[arg-type]
            completed_at=None if took is None else start + timedelta(seconds=created + took),
            is_bot=bot,
        )
        for i, (kind, resolution, created, took, bot) in enumerate(rows)
    ]
    report = _report(EventSet(work_table=WorkTable.from_items(items)))
    velocity = next(k for k in report.kpis if k.id == "development-velocity")  # type: ignore[attr-defined]
    for period in velocity.history:
        expected = sum(
            1
            for item in items
            if item.completed_at is not None
            and period.start <= item.completed_at < period.end
            and item.resolution not in ("duplicate", "not_planned")
            and not item.is_bot
        )
        assert period.value == expected
