"""``maturity export`` / ``maturity restore`` carry the KPI data: a round trip through a
fresh workspace gives the same KPI report; a bad KPI row is named and changes nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from platform_maturity.cli.main import main
from platform_maturity.domain.events import SliWindow
from platform_maturity.services.workspace import load_workspace, open_store
from platform_maturity.store import event_repo
from platform_maturity.store.events import (
    CostLineRow,
    HeadcountRow,
    MttdSampleRow,
    RecoveryDrillRow,
    SliWindowRow,
    UnitHeadcountRow,
    WorkItemRow,
)
from platform_maturity.store.models import AuditEvent
from tests.conftest import NOW, POSTGRES_ENV, postgres_schema

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
KPI_YAML = """\
kpi:
  costs:
    unit_tag: team
  timezone: Europe/Berlin
  units:
    PAY: alpha
    acme/*: beta
"""
IMPORTS = [
    ("jira-csv", "export.csv"),
    ("jira-changelog", "search.json"),
    ("github", "rest-issues.json"),
    ("github", "gh-pr-list.json"),
    ("github", "rest-runs.json"),
    ("github", "rest-deployments.json"),
    ("pagerduty", "incidents.json"),
    ("pagerduty", "log_entries.json"),
    ("incidents-csv", "incidents.csv"),
    ("deployments-csv", "deployments.csv"),
    ("junit", "e2e.xml"),
    ("focus", "focus-1.2.csv"),
    ("aws-cur", "cur.csv"),
]
KPI_TABLES = (
    WorkItemRow,
    CostLineRow,
    HeadcountRow,
    UnitHeadcountRow,
    RecoveryDrillRow,
    SliWindowRow,
    MttdSampleRow,
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


@contextmanager
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with postgres_schema(os.environ[POSTGRES_ENV]) as url:
        yield url


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t.__tablename__: int(
                    connection.execute(select(func.count()).select_from(t)).scalar_one()
                )
                for t in (*KPI_TABLES, AuditEvent)
            }
    finally:
        engine.dispose()


def reports(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [
        run(capsys, "kpi", "-q", quarter, *unit, "--format", "json")
        for quarter in ("2026-Q1", "2026-Q2")
        for unit in ((), ("--unit", "alpha"), ("--unit", "beta"))
    ]


def fill(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace_dir / "maturity.yaml"
    config.write_text(config.read_text(encoding="utf-8") + KPI_YAML, encoding="utf-8")
    for kind, name in IMPORTS:
        run(capsys, "import", kind, str(FIXTURES / kind / name))
    run(capsys, "kpi", "drill", "--started", "2026-05-20T08:00Z", "--restored", "2026-05-20T11:30Z")
    run(capsys, "kpi", "headcount", "2026-04", "--developers", "12", "--users", "900")
    run(capsys, "kpi", "headcount", "2026-04", "--developers", "3", "--unit", "alpha")
    run(
        capsys,
        "kpi",
        "drill",
        "--started",
        "2026-04-02T08:00Z",
        "--restored",
        "2026-04-02T09:00Z",
        "--unit",
        "alpha",
    )
    run(capsys, "kpi", "sample-mttd", "-q", "2026-Q1", "--size", "20")
    ws = load_workspace(config)
    with open_store(ws, NOW, "tester") as db, db.transaction() as session:
        event_repo.write_sli(
            session,
            [
                SliWindow(
                    "checkout",
                    "error",
                    datetime(2026, 4, 1, tzinfo=UTC),
                    datetime(2026, 5, 1, tzinfo=UTC),
                    12,
                    4000,
                ),
                SliWindow(
                    "checkout",
                    "latency",
                    datetime(2026, 4, 1, tzinfo=UTC),
                    datetime(2026, 5, 1, tzinfo=UTC),
                    40,
                    4000,
                    threshold_s=1.0,
                ),
            ],
            NOW,
        )


def test_export_and_restore_carry_the_kpi_data(
    workspace_dir: Path,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill(workspace_dir, capsys)
    before = reports(capsys)
    stored = counts(database_url)
    assert all(stored[t.__tablename__] for t in KPI_TABLES), stored
    exported = tmp_path / "state.json"
    run(capsys, "export", str(exported))
    tables = json.loads(exported.read_text(encoding="utf-8"))["tables"]
    assert len(tables["work_items"]) == stored["work_items"]
    assert tables["import_runs"] and tables["deployments"] and tables["imported_incidents"]
    with fresh_database(database_url, tmp_path) as other:
        monkeypatch.setenv("MATURITY_DATABASE_URL", other)
        run(capsys, "restore", str(exported), "--yes")
        restored = counts(other)
        assert {k: v for k, v in restored.items() if k != "audit_events"} == {
            k: v for k, v in stored.items() if k != "audit_events"
        }
        assert restored["audit_events"] == stored["audit_events"] + 1  # the restore itself
        assert reports(capsys) == before
        # restored ids do not collide with new rows (PostgreSQL sequences follow)
        run(
            capsys,
            "kpi",
            "drill",
            "--started",
            "2026-06-01T08:00Z",
            "--restored",
            "2026-06-01T09:00Z",
        )
        run(capsys, "import", "opsgenie", str(FIXTURES / "opsgenie" / "alerts.csv"))


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("work_items", "kind", "epic", "not a work item kind"),
        ("work_items", "history", "12\tTo Do\tDone", "not a status transition"),
        ("work_items", "created_at", "yesterday", "not an ISO 8601 time"),
        ("pipeline_runs", "kind", "nightly", "not a pipeline run kind"),
        ("cost_lines", "tags", "team", "a tag line is not key=value"),
        ("headcounts", "month", "2026-13", "not an ISO 8601 date"),
        ("recovery_drills", "started_at", None, "required value missing"),
        ("unit_headcounts", "unit", None, "required value missing"),
    ],
)
def test_a_bad_kpi_row_is_named_and_changes_nothing(
    workspace_dir: Path,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    column: str,
    value: object,
    message: str,
) -> None:
    fill(workspace_dir, capsys)
    exported = tmp_path / "state.json"
    run(capsys, "export", str(exported))
    payload = json.loads(exported.read_text(encoding="utf-8"))
    rows = payload["tables"][table]
    assert rows, table
    rows[-1][column] = value
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(payload), encoding="utf-8")
    run(capsys, "kpi", "drill", "--started", "2026-06-01T08:00Z", "--restored", "2026-06-01T09:00Z")
    stored = counts(database_url)
    code = main(["restore", str(broken), "--yes"])
    err = capsys.readouterr().err
    assert code != 0
    assert message in err and f"tables.{table}.{len(rows) - 1}.{column}" in err
    assert counts(database_url) == stored
