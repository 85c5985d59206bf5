"""The bulk path of the Jira data pipeline import stores exactly what the record path does.

Generated exports (reopen cycles, ties in time, NULL and missing dates, labels, duplicate
issues, other fields' history, issues without history and history without issues, quoted
commas and newlines, times with and without a zone) are imported once with each path into
two SQLite stores, and every stored row (every column, the digest included) and every
import count must agree; then a second, different export on top, then each store re-reads
the other path's export and must find nothing changed.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import Transition, WorkItem
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.registry import importer
from platform_maturity.services.kpi_import import import_context, import_files
from platform_maturity.services.workspace import Workspace, load_workspace, open_store
from platform_maturity.store.db import Database
from tests.conftest import POSTGRES_ENV, create_postgres_schema, drop_postgres_schema

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WORKSPACE = """\
version: 1
organization:
  name: Bulk
kpi:
  units:
    "SHOP*": shop
    "pay": payments
"""
ISSUE_HEADER = ["id", "key", "issue_type", "status", "created_date"]
OPTIONAL = [
    "project_key",
    "status_category",
    "priority_name",
    "resolution",
    "resolution_date",
    "labels",
    "summary",
    "reporter_name",
    "components",
    "url",  # not read, nor are the next ones: named like the bulk reader's own columns
    "project",
    "severity",
    "transitions",
]
HISTORY_HEADER = ["issue_id", "changelog_id", "created_date", "field", "from_string", "to_string"]
STATUSES = ["To Do", "In Progress", "In Review", "Done", "Closed", "Reopened", "Won't Fix", ""]
IDS = ["1", "2", "3", "4", "10", "007"]


class Store:
    """A workspace with its own SQLite file or PostgreSQL schema; emptied before each
    example."""

    def __init__(self, folder: Path, postgres: str | None = None) -> None:
        folder.mkdir(parents=True)
        (folder / "maturity.yaml").write_text(WORKSPACE, encoding="utf-8")
        self.file = folder / "store.db"
        self.schema = ""
        url = f"sqlite:///{self.file}"
        self.postgres = postgres
        if postgres:
            self.schema, url = create_postgres_schema(postgres)
        self.workspace: Workspace = load_workspace(
            folder / "maturity.yaml", env={"MATURITY_DATABASE_URL": url}
        )
        self._opened = open_store(self.workspace, NOW, "test")
        self.database: Database = self._opened.__enter__()

    def clear(self) -> None:
        if self.schema:  # the ids start at 1 again, as in a new SQLite file
            with self.database.engine.begin() as connection:
                connection.execute(text("TRUNCATE work_items, import_runs RESTART IDENTITY"))
            return
        with sqlite3.connect(self.file) as connection:
            connection.execute("DELETE FROM work_items")
            connection.execute("DELETE FROM import_runs")

    def load(self, folder: Path, bulk: bool) -> tuple[Any, ...]:
        (result,) = import_files(
            self.workspace, self.database, "jira-pipeline", [folder], NOW, "test", bulk=bulk
        )
        return (result.rows_read, result.new, result.updated, result.unchanged, result.skipped)

    def rows(self) -> list[tuple[Any, ...]]:
        """Every column of every work item (on SQLite with each value's storage class)."""
        if self.schema:
            with self.database.engine.connect() as connection:
                return [
                    tuple(row)
                    for row in connection.exec_driver_sql("SELECT * FROM work_items ORDER BY id")
                ]
        with sqlite3.connect(self.file) as connection:
            names = [r[1] for r in connection.execute("PRAGMA table_info(work_items)")]
            types = ", ".join(f"typeof({n})" for n in names)
            return connection.execute(f"SELECT *, {types} FROM work_items ORDER BY id").fetchall()

    def close(self) -> None:
        self._opened.__exit__(None, None, None)
        if self.postgres:
            drop_postgres_schema(self.postgres, self.schema)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stores(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store]]:
    """Two stores of one kind: one takes the record path, the other the bulk path."""
    postgres = None
    if request.param == "postgresql":
        postgres = os.environ.get(POSTGRES_ENV)
        if not postgres:
            if os.environ.get("MATURITY_REQUIRE_POSTGRES"):
                pytest.fail(f"{POSTGRES_ENV} is not set but MATURITY_REQUIRE_POSTGRES is")
            pytest.skip(f"set {POSTGRES_ENV} to run the store tests on PostgreSQL")
    base = tmp_path_factory.mktemp("bulk")
    pair = (Store(base / "records", postgres), Store(base / "bulk", postgres))
    yield pair
    for store in pair:
        store.close()


# --------------------------------------------------------------------------- generated exports


@st.composite
def times(draw: st.DrawFn) -> str:
    moment = draw(
        st.sampled_from(
            [
                datetime(2026, 4, 1, 10, 0),
                datetime(2026, 4, 1, 10, 0) + timedelta(minutes=1),
                datetime(2026, 4, 2, 9, 30),
                datetime(2024, 2, 29, 23, 59, 59),
                datetime(1969, 12, 31, 23, 59, 59),
                datetime(999, 1, 1, 0, 0),
            ]
        )
    )
    fraction = draw(st.sampled_from(["", "", ".5", ".123", ".000250", ".999500", ".123456"]))
    separator = draw(st.sampled_from(["T", "T", " "]))
    zone = draw(st.sampled_from(["Z", ""]))
    return moment.isoformat(separator) + fraction + zone


def maybe_times() -> st.SearchStrategy[str]:
    return st.one_of(times(), st.sampled_from(["", "NULL"]))


TEXT = st.one_of(
    st.sampled_from(
        [
            "Wishlist, shared",
            'say "hi"',
            "two\nlines",
            "cr\r\nlf",
            "tab\there",
            " padded ",
            "",
            "\\N",  # COPY's NULL in text form
            "back\\slash\\t",
        ]
    ),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"), max_size=8),
)
LABELS = st.sampled_from(
    ["", "production", "qa, bug", "sev-1 production", "a\x1cb", "x\u00a0y  z", "feature,,"]
)


@st.composite
def issue(draw: st.DrawFn) -> dict[str, str]:
    return {
        "id": draw(st.sampled_from(IDS)),
        "key": draw(st.sampled_from(["SHOP-1", "SHOP-2", "PAY-3", "pay-4", "X", "-5", ""])),
        "issue_type": draw(st.sampled_from(["Story", "Bug", "Task", "Epic", "bug ", ""])),
        "status": draw(st.sampled_from(STATUSES)),
        "created_date": draw(st.one_of(times(), times(), maybe_times())),
        "project_key": draw(st.sampled_from(["", "SHOP", "PAY", "pay"])),
        "status_category": draw(st.sampled_from(["To Do", "In Progress", "Done", ""])),
        "priority_name": draw(st.sampled_from(["", "Highest", "Medium", "Low"])),
        "resolution": draw(st.sampled_from(["", "Fixed", "Duplicate", "Won't Do", "Done"])),
        "resolution_date": draw(maybe_times()),
        "labels": draw(LABELS),
        "summary": draw(TEXT),
        "reporter_name": draw(st.sampled_from(["", "alice", "dependabot[bot]"])),
        "components": draw(st.sampled_from(["", "web", "pay"])),
        "url": draw(TEXT),
        "project": draw(TEXT),
        "severity": draw(TEXT),
        "transitions": draw(TEXT),
    }


@st.composite
def change(draw: st.DrawFn, ids: list[str]) -> list[str]:
    # few distinct times, so moves of one issue often tie (and sort by from, then to)
    at = draw(
        st.sampled_from(["2026-04-01T10:00:00Z", "2026-04-01 10:00:00", "2026-04-03T08:00:00"])
    )
    return [
        draw(st.sampled_from([*ids, *ids, *ids, "99"])),
        str(draw(st.integers(1, 999))),
        draw(st.one_of(st.just(at), st.just(at), times(), maybe_times())),
        draw(st.sampled_from(["status", "status", "status", "Status", "assignee", "resolution"])),
        draw(st.one_of(st.sampled_from(STATUSES), TEXT)),
        draw(st.one_of(st.sampled_from(STATUSES), st.sampled_from(["a\tb", "c\nd"]))),
    ]


@st.composite
def exports(draw: st.DrawFn) -> dict[str, Any]:
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    columns = draw(st.permutations(ISSUE_HEADER + optional))
    issues = draw(st.lists(issue(), min_size=1, max_size=12))
    ids = sorted({i["id"] for i in issues}) or IDS
    return {
        "columns": columns,
        "issues": issues,
        "history": draw(st.lists(change(ids), min_size=4, max_size=40)),
        "history_files": draw(st.integers(1, 2)),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "line_end": draw(st.sampled_from(["\n", "\r\n"])),
    }


def write(folder: Path, export: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    style = {"quoting": export["quoting"], "lineterminator": export["line_end"]}
    with (folder / "issues_job1.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, **style)
        writer.writerow(export["columns"])
        for row in export["issues"]:
            writer.writerow([row[c] for c in export["columns"]])
    parts = export["history_files"]
    for part in range(parts):
        name = f"issue_history_job{part + 1}.csv"
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, **style)
            writer.writerow(HISTORY_HEADER)
            writer.writerows(export["history"][part::parts])
    return folder


def read_both(store: Store, folder: Path) -> tuple[ImportBatch, ImportBatch]:
    context = import_context(store.workspace)
    reader = importer("jira-pipeline")
    return reader.read(folder, context), reader.read(folder, replace(context, frames=True))


def records(batch: ImportBatch) -> list[WorkItem]:
    """The frame's rows as work items, to compare with the record reader's."""
    if batch.work_frame is None:
        return batch.work_items
    out = []
    for row in batch.work_frame.to_dicts():
        row["labels"] = tuple(row["labels"])
        row["transitions"] = tuple(Transition(**t) for t in row["transitions"])
        out.append(WorkItem(**row))
    return out


# --------------------------------------------------------------------------------- the tests

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(first=exports(), second=exports())
def test_both_paths_store_the_same_rows(
    stores: tuple[Store, Store], first: dict[str, Any], second: dict[str, Any]
) -> None:
    plain, bulk = stores
    plain.clear()
    bulk.clear()
    with tempfile.TemporaryDirectory() as scratch:
        one = write(Path(scratch) / "one", first)
        two = write(Path(scratch) / "two", second)
        for folder in (one, two):
            by_records, by_frame = read_both(bulk, folder)
            assert by_frame.work_frame is not None, "a plain export takes the bulk path"
            assert records(by_frame) == by_records.work_items
            assert (by_frame.rows_read, by_frame.skipped) == (
                by_records.rows_read,
                by_records.skipped,
            )
            assert plain.load(folder, bulk=False) == bulk.load(folder, bulk=True)
            assert plain.rows() == bulk.rows()
        # each path finds the other's rows unchanged
        for store, path_bulk in ((plain, True), (bulk, False)):
            _, new, updated, _, _ = store.load(two, bulk=path_bulk)
            assert (new, updated) == (0, 0)
        assert plain.rows() == bulk.rows()


def _export(issues: list[dict[str, str]], history: list[list[str]]) -> dict[str, Any]:
    return {
        "columns": ISSUE_HEADER + OPTIONAL,
        "issues": issues,
        "history": history,
        "history_files": 1,
        "quoting": csv.QUOTE_MINIMAL,
        "line_end": "\n",
    }


def _issue(number: int, **values: str) -> dict[str, str]:
    row = dict.fromkeys(OPTIONAL, "")
    row.update(
        id=str(number),
        key=f"SHOP-{number}",
        issue_type="Story",
        status="Done",
        created_date="2026-04-01T08:00:00Z",
        status_category="Done",
        summary=f"Issue {number}",
    )
    row.update(values)
    return row


def test_a_changed_export_updates_exactly_the_changed_items(
    stores: tuple[Store, Store], tmp_path: Path
) -> None:
    moves = [
        [str(n), str(n), "2026-04-02T10:00:00Z", "status", "To Do", "In Progress"]
        for n in range(1, 6)
    ]
    before = _export([_issue(n) for n in range(1, 6)], moves)
    after = _export(
        [
            _issue(1),
            _issue(2, summary="Renamed, with a comma"),
            _issue(3, status="Reopened", status_category="To Do"),
            _issue(4),
            _issue(5),
            _issue(6),
        ],
        # item 4 gains a move; item 5's history is gone (its stored history stays)
        [*moves[:4], ["4", "9", "2026-04-03T10:00:00Z", "status", "In Progress", "Done"]],
    )
    for store in stores:
        store.clear()
    counts = []
    for export in (before, after):
        folder = write(tmp_path / "export", export)
        counts.append(
            tuple(
                store.load(folder, bulk=b) for store, b in zip(stores, (False, True), strict=True)
            )
        )
    assert counts[1][0] == counts[1][1] == (6, 1, 4, 1, {})
    assert stores[0].rows() == stores[1].rows()
    with stores[1].database.engine.connect() as connection:
        history = dict(connection.exec_driver_sql("SELECT key, history FROM work_items").fetchall())
    assert history["SHOP-5"].endswith("\tTo Do\tIn Progress\tin_progress")
    assert history["SHOP-4"].count("\n") == 1


def assert_same_outcome(stores: tuple[Store, Store], folder: Path, name: str) -> None:
    """Bad input fails exactly as before (same error, nothing stored); odd but valid input
    is read by the record reader."""
    context = import_context(stores[0].workspace)
    try:
        expected: ImportBatch | UserError = importer("jira-pipeline").read(folder, context)
    except UserError as exc:
        expected = exc
    for store in stores:
        store.clear()
        if isinstance(expected, UserError):
            with pytest.raises(UserError) as failed:
                store.load(folder, bulk=True)
            assert str(failed.value) == str(expected)
            assert (failed.value.line, failed.value.field) == (expected.line, expected.field)
            assert store.rows() == []
        else:
            bulk = importer("jira-pipeline").read(folder, replace(context, frames=True))
            assert bulk.work_frame is None, name
            assert bulk.work_items == expected.work_items


def test_an_export_without_history_takes_the_bulk_path(
    stores: tuple[Store, Store], tmp_path: Path
) -> None:
    folder = write(tmp_path / "export", _export([_issue(1), _issue(2, key="")], []))
    (folder / "issue_history_job1.csv").unlink()
    by_records, by_frame = read_both(stores[0], folder)
    assert by_frame.work_frame is not None
    assert records(by_frame) == by_records.work_items
    assert by_frame.skipped == by_records.skipped == {"issue without key or created_date": 1}


@pytest.mark.parametrize(
    "created",
    [
        "2026-05-01T10:00:00+02:00",
        "2026-05-01",
        "2026-05-01T10:00:00.1234567Z",
        "2026-02-30T10:00:00Z",
        "0000-01-01T10:00:00Z",
        "2026-05-01T10:00:60Z",
        "\u0662\u0660\u0662\u0666-05-01T10:00:00Z",  # Arabic-Indic digits
        "yesterday",
    ],
)
def test_unusual_times_take_the_record_path(
    stores: tuple[Store, Store], tmp_path: Path, created: str
) -> None:
    folder = write(tmp_path / "export", _export([_issue(1, created_date=created)], []))
    assert_same_outcome(stores, folder, created)


BAD_CSV = {
    "ragged": b"id,key,issue_type,status,created_date\n1,A-1,Bug,Done\n",
    "too wide": b"id,key,issue_type,status,created_date\n1,A-1,Bug,Done,2026-04-01,x\n",
    "quote inside": b'id,key,issue_type,status,created_date\n1,A"1,Bug,Done,2026-04-01\n',
    "after a quote": b'id,key,issue_type,status,created_date\n1,"A-1"x,Bug,Done,2026-04-01\n',
    "unclosed": b'id,key,issue_type,status,created_date\n1,"A-1,Bug,Done,2026-04-01\n',
    "lone CR": b"id,key,issue_type,status,created_date\r1,A-1,Bug,Done,2026-04-01\r",
    "blank line": b"id,key,issue_type,status,created_date\n\n1,A-1,Bug,Done,2026-04-01\n",
    "latin-1": b"id,key,issue_type,status,created_date\n1,A-1,B\xfcg,Done,2026-04-01\n",
    "NUL": b"id,key,issue_type,status,created_date\n1,A-1,B\x00g,Done,2026-04-01\n",
    "no columns": b"id,key\n1,A-1\n",
    "empty": b"",
    "repeated column": b"id,key,issue_type,status,created_date,key\n1,A-1,Bug,Done,2026-04-01,B\n",
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_unusual_csv_takes_the_record_path(
    stores: tuple[Store, Store], tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "issues_job1.csv").write_bytes(BAD_CSV[name])
    assert_same_outcome(stores, folder, name)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), cut=st.integers(0, 400))
def test_damaged_exports_read_alike(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, cut: int
) -> None:
    """Damaged files: both paths read the same items or fail with the same error."""
    seed = (Path(__file__).parent / "fixtures/importers/jira-pipeline").glob("issues_*.csv")
    text = next(iter(seed)).read_bytes()
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    (folder / "issues_job1.csv").write_bytes(text[:cut] + data + text[cut:])
    context = ImportContext(KpiMapping(), ZoneInfo("UTC"))
    outcomes = []
    for frames in (False, True):
        try:
            outcomes.append(
                records(importer("jira-pipeline").read(folder, replace(context, frames=frames)))
            )
        except UserError as exc:
            outcomes.append([str(exc), exc.line, exc.field])
    assert outcomes[0] == outcomes[1]


def test_every_store_imports_the_export(database_url: str, tmp_path: Path) -> None:
    """Both stores take the frame; both import and re-import alike, either way."""
    from platform_maturity.store.work_frame import write_work_frame

    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "maturity.yaml").write_text(WORKSPACE, encoding="utf-8")
    workspace = load_workspace(
        folder / "maturity.yaml", env={"MATURITY_DATABASE_URL": database_url}
    )
    moves = [["1", "1", "2026-04-02T10:00:00Z", "status", "To Do", "In Progress"]]
    export = write(tmp_path / "export", _export([_issue(1), _issue(2)], moves))
    frame = (
        importer("jira-pipeline")
        .read(export, replace(import_context(workspace), frames=True))
        .work_frame
    )
    assert frame is not None
    with open_store(workspace, NOW, "test") as database:
        first = import_files(workspace, database, "jira-pipeline", [export], NOW, "t")
        again = import_files(workspace, database, "jira-pipeline", [export], NOW, "t")
        assert (first[0].new, again[0].unchanged, again[0].new) == (2, 2, 0)
        with database.transaction() as session:
            assert write_work_frame(session, frame).unchanged == 2
        records = import_files(workspace, database, "jira-pipeline", [export], NOW, "t", bulk=False)
        assert (records[0].new, records[0].updated, records[0].unchanged) == (0, 0, 2)
