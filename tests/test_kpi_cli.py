"""``maturity import`` and ``maturity kpi`` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from platform_maturity.cli.main import main
from platform_maturity.store.events import (
    CostLineRow,
    HeadcountRow,
    ImportedIncidentRow,
    ImportRunRow,
    IssueEventRow,
    WorkItemRow,
)
from platform_maturity.store.models import MeasurementRow

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def count(url: str, table: type) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


def history(url: str) -> dict[str, int]:
    """Transitions kept per work item that has any."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(WorkItemRow.key, WorkItemRow.history)).all()
    finally:
        engine.dispose()
    return {key: len(text.splitlines()) for key, text in rows if text}


def imported(
    capsys: pytest.CaptureFixture[str], kind: str, *files: Path
) -> list[dict[str, object]]:
    code, out, err = run(capsys, "import", kind, *map(str, files), "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_imports_are_idempotent_and_update_by_source_id(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    csv_file = FIXTURES / "jira-csv" / "export.csv"
    first = imported(capsys, "jira-csv", csv_file)
    assert first[0] | {"file": ""} == {
        "file": "",
        "kind": "jira-csv",
        "rows_read": 6,
        "new": 6,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "skipped_reasons": {},
        "notes": {},
    }
    again = imported(capsys, "jira-csv", csv_file)
    assert (again[0]["new"], again[0]["updated"], again[0]["unchanged"]) == (0, 0, 6)
    # the changelog adds history to two issues; the CSV imported again keeps it
    log = imported(capsys, "jira-changelog", FIXTURES / "jira-changelog" / "search.json")
    assert (log[0]["new"], log[0]["updated"]) == (0, 2)
    assert history(database_url) == {"PAY-103": 4, "PAY-104": 1}
    imported(capsys, "jira-csv", csv_file)
    assert history(database_url) == {"PAY-103": 4, "PAY-104": 1}
    # a newer export changes one issue
    newer = tmp_path / "newer.csv"
    newer.write_text(
        csv_file.read_text(encoding="utf-8-sig").replace(
            "Refactor invoices,PAY-104,10104,Task,In Progress",
            "Refactor invoices,PAY-104,10104,Task,Done",
        ),
        encoding="utf-8",
    )
    update = imported(capsys, "jira-csv", newer)
    assert (update[0]["new"], update[0]["updated"], update[0]["unchanged"]) == (0, 1, 5)
    assert count(database_url, WorkItemRow) == 6
    assert count(database_url, ImportRunRow) == 5


def test_pagerduty_log_entries_complete_imported_incidents(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    early = imported(capsys, "pagerduty", FIXTURES / "pagerduty" / "log_entries.json")
    assert early[0]["skipped_reasons"] == {
        "log entry of an incident not imported yet": 1,
        "log entry type not used for KPIs (notify_log_entry)": 1,
    }
    imported(capsys, "pagerduty", FIXTURES / "pagerduty" / "incidents.json")
    late = imported(capsys, "pagerduty", FIXTURES / "pagerduty" / "log_entries.json")
    assert late[0]["updated"] == 1
    engine = create_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(
            select(ImportedIncidentRow.acknowledged_at, ImportedIncidentRow.resolved_at).where(
                ImportedIncidentRow.source_id == "PT4KHLN"
            )
        ).one()
    engine.dispose()
    assert row[0] is not None and row[1] is not None


def _mttr(capsys: pytest.CaptureFixture[str], quarter: str) -> dict[str, object]:
    code, out, err = run(capsys, "kpi", "-q", quarter, "--format", "json")
    assert code == 0, err
    kpis = {k["id"]: k for k in json.loads(out)["kpis"]}
    return kpis["mean-time-to-respond"]["current"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("logs_first", [True, False], ids=["logs-first", "incidents-first"])
def test_pagerduty_merged_incidents_are_left_out_as_duplicates(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], logs_first: bool
) -> None:
    incidents = FIXTURES / "pagerduty" / "merged-incidents.json"
    logs = FIXTURES / "pagerduty" / "merge-log-entries.json"
    for path in (logs, incidents) if logs_first else (incidents, logs):
        imported(capsys, "pagerduty", path)
    imported(capsys, "pagerduty", logs)  # acknowledgements of incidents imported since
    again = imported(capsys, "pagerduty", logs)
    assert (again[0]["new"], again[0]["updated"]) == (0, 0)  # the same merges again
    mttr = _mttr(capsys, "2026-Q2")
    # Q1MRG0A2 is merged into Q1MRG0A1 (its resolve reason), Q1MRG0B2 into Q1MRG0B1 (a merge
    # log entry): only the surviving incidents count, 2 h (P1) and 1.5 h (P2)
    assert mttr["stats"]["n"] == 2  # type: ignore[index]
    assert mttr["value"] == pytest.approx(1.75)
    excluded = {e["reason"]: e["count"] for e in mttr["excluded"]}  # type: ignore[attr-defined]
    assert excluded == {
        "duplicate (merged into Q1MRG0A1)": 1,
        "duplicate (merged into Q1MRG0B1)": 1,
    }


def test_aws_cur_2_costs_per_developer_with_tags_mapped_like_cur_1_and_focus(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = imported(capsys, "aws-cur", FIXTURES / "aws-cur" / "cur2.csv")
    assert (result[0]["rows_read"], result[0]["new"]) == (5, 5)
    again = imported(capsys, "aws-cur", FIXTURES / "aws-cur" / "cur2.csv")
    assert (again[0]["new"], again[0]["updated"], again[0]["unchanged"]) == (0, 0, 5)
    # the organization's head counts only (the fixture also has a unit this workspace lacks)
    heads = tmp_path / "headcount.csv"
    heads.write_text("month,developers,users\n2026-04,42,120000\n2026-05,44,\n", encoding="utf-8")
    imported(capsys, "headcount", heads)
    code, out, err = run(capsys, "kpi", "-q", "2026-Q2", "--format", "json")
    assert code == 0, err
    kpis = {k["id"]: k for k in json.loads(out)["kpis"]}
    current = kpis["cost-per-developer"]["current"]
    # May's developer-scaling effective cost: the EC2 CI runner tagged user_cost_scaling
    # = developer (the rule's key cost-scaling, as CUR 2.0 spells it) at its net cost
    # 0.0734, and CodeBuild 12.50; over the average of 42 and 44 developers
    assert current["numerator"] == pytest.approx(0.0734 + 12.50)
    assert current["denominator"] == pytest.approx(43)
    assert current["value"] == pytest.approx((0.0734 + 12.50) / 43)
    excluded = {e["reason"]: e["count"] for e in current["excluded"]}
    assert excluded == {"Tax lines": 1}


def test_a_bad_cur_2_map_cell_stores_nothing(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = (FIXTURES / "aws-cur" / "cur2.csv").read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace('""developer""}"', '""developer""]"')
    bad = tmp_path / "cur2.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "aws-cur", str(bad))
    assert code == 2
    assert "cur2.csv:5" in err and "resource_tags is not a JSON object" in err
    assert count(database_url, CostLineRow) == 0 and count(database_url, ImportRunRow) == 0


def test_github_issue_events_give_reopenings_duplicates_and_starts(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    events_file = FIXTURES / "github-events" / "issue-events.json"
    events = json.loads(events_file.read_text(encoding="utf-8"))
    result = imported(capsys, "github-events", events_file)
    assert (result[0]["rows_read"], result[0]["new"]) == (11, 3)
    assert result[0]["skipped_reasons"] == {
        "event of a pull request": 1,
        "issue event not used for KPIs (subscribed)": 1,
    }
    again = imported(capsys, "github-events", events_file)
    assert (again[0]["new"], again[0]["updated"], again[0]["unchanged"]) == (0, 0, 3)
    # the same issues from /issues afterwards keep the history the events gave them
    issues = {e["issue"]["number"]: e["issue"] for e in events if "pull_request" not in e["issue"]}
    page = tmp_path / "issues.json"
    page.write_text(json.dumps([issues[n] for n in sorted(issues)]), encoding="utf-8")
    imported(capsys, "github", page)
    assert history(database_url) == {"acme/shop#7": 4, "acme/shop#8": 1, "acme/shop#9": 2}
    code, out, err = run(capsys, "kpi", "-q", "2026-Q2", "--format", "json")
    assert code == 0, err
    kpis = {k["id"]: k for k in json.loads(out)["kpis"]}
    mttr = kpis["mean-time-to-respond"]["current"]
    # #7 opened 1 April 09:00, closed, reopened, closed for good 4 April 09:00: 72 h;
    # #8 was marked as a duplicate before it was closed
    assert (mttr["stats"]["n"], mttr["value"]) == (1, pytest.approx(72.0))
    assert {e["reason"]: e["count"] for e in mttr["excluded"]} == {"duplicate bug report": 1}
    assert any("1 reopened bug" in w for w in mttr["warnings"])
    # #9 labelled In Progress (a started status) 6 April 08:00, closed 8 April 08:00
    latency = kpis["development-latency"]["current"]
    assert latency["stats"]["n"] == 1
    assert latency["stats"]["mean"] == pytest.approx(2.0)  # days


@pytest.mark.parametrize("events_first", [True, False], ids=["events-first", "issues-first"])
def test_gitlab_resource_events_give_reopenings_and_starts_in_either_order(
    workspace_dir: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    events_first: bool,
) -> None:
    events_file = FIXTURES / "gitlab-events" / "resource-events.json"
    issues_file = FIXTURES / "gitlab" / "issues-with-events.json"
    waiting = "issues with events, not imported yet (their history is built when they are)"
    given = "issues given their history from events"
    if events_first:
        early = imported(capsys, "gitlab-events", events_file)[0]
        assert (early["rows_read"], early["new"], early["skipped"]) == (16, 12, 4)
        assert early["notes"] == {waiting: 4}  # none of the issues is imported yet
        late = imported(capsys, "gitlab", issues_file)[0]
        assert (late["new"], late["notes"]) == (3, {given: 3})
    else:
        early = imported(capsys, "gitlab", issues_file)[0]
        assert (early["new"], early["notes"]) == (3, {})
        late = imported(capsys, "gitlab-events", events_file)[0]
        assert (late["new"], late["notes"]) == (12, {given: 3, waiting: 1})
    assert history(database_url) == {"shop/api#11": 3, "shop/api#12": 2, "shop/api#13": 3}
    # either file again changes nothing, and the issues page keeps the history the events gave
    for kind, path, notes in (
        ("gitlab-events", events_file, {waiting: 1}),
        ("gitlab", issues_file, {}),
    ):
        again = imported(capsys, kind, path)[0]
        assert (again["new"], again["updated"], again["notes"]) == (0, 0, notes), kind
    assert history(database_url) == {"shop/api#11": 3, "shop/api#12": 2, "shop/api#13": 3}
    # a newer issues page (a title changed) updates the issue and keeps its history
    issues = json.loads(issues_file.read_text(encoding="utf-8"))
    issues[0]["title"] = "Checkout times out under load"
    newer = tmp_path / "issues-newer.json"
    newer.write_text(json.dumps(issues), encoding="utf-8")
    update = imported(capsys, "gitlab", newer)[0]
    assert (update["updated"], update["notes"]) == (1, {given: 1})
    assert history(database_url) == {"shop/api#11": 3, "shop/api#12": 2, "shop/api#13": 3}
    code, out, err = run(capsys, "kpi", "-q", "2026-Q2", "--format", "json")
    assert code == 0, err
    kpis = {k["id"]: k for k in json.loads(out)["kpis"]}
    mttr = kpis["mean-time-to-respond"]["current"]
    # #11 opened 1 April 09:00, closed, reopened, closed for good 4 April 09:00: 72 h
    assert (mttr["stats"]["n"], mttr["value"]) == (1, pytest.approx(72.0))
    assert any("1 reopened bug" in w for w in mttr["warnings"])
    # #12 labelled Doing (a started status) 6 April 08:00, closed 10 April 08:00 as the label
    # left it; #13 was started but is still open
    latency = kpis["development-latency"]["current"]
    assert latency["stats"]["n"] == 1
    assert latency["stats"]["mean"] == pytest.approx(4.0)  # days


def test_a_bad_gitlab_event_stores_nothing_and_names_its_path(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    imported(capsys, "gitlab", FIXTURES / "gitlab" / "issues-with-events.json")
    events = json.loads((FIXTURES / "gitlab-events" / "resource-events.json").read_text())
    events[9]["action"] = "toggle"  # after nine good events
    bad = tmp_path / "events.json"
    bad.write_text(json.dumps(events), encoding="utf-8")
    code, _, err = run(capsys, "import", "gitlab-events", str(bad))
    assert code == 2
    assert "events.json" in err and "[9].action" in err and "toggle" in err
    assert count(database_url, IssueEventRow) == 0 and count(database_url, ImportRunRow) == 1
    assert history(database_url) == {}


def test_a_bad_file_stores_nothing_and_names_row_and_column(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = (FIXTURES / "focus" / "focus-1.2.csv").read_text(encoding="utf-8")
    lines = good.splitlines()
    lines[3] = lines[3].replace("-10.00,-10.00", "-10.00,ten", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "focus", str(bad))
    assert code == 2
    assert "bad.csv:4" in err and "EffectiveCost" in err and "'ten'" in err
    assert count(database_url, CostLineRow) == 0
    latin = tmp_path / "latin.csv"
    latin.write_bytes(good.replace("Cloud Inc", "Nuage Sàrl").encode("latin-1"))
    code, _, err = run(capsys, "import", "focus", str(latin))
    assert code == 2 and "not UTF-8" in err and "latin.csv:2" in err
    cut = tmp_path / "cut.json"
    cut.write_text((FIXTURES / "pagerduty" / "incidents.json").read_text()[:300])
    code, _, err = run(capsys, "import", "pagerduty", str(cut))
    assert code == 2 and "not valid JSON" in err
    code, _, err = run(capsys, "import", "jira", str(bad))
    assert code == 2 and "did you mean jira-csv" in err
    assert count(database_url, CostLineRow) == 0 and count(database_url, ImportRunRow) == 0


def test_kpi_report_in_every_format_and_pillar_metrics_recorded(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, "jira-csv", FIXTURES / "jira-csv" / "export.csv")
    imported(capsys, "jira-changelog", FIXTURES / "jira-changelog" / "search.json")
    github = [p for p in (FIXTURES / "github").glob("*.json") if ".expected" not in p.name]
    imported(capsys, "github", *sorted(github))
    code, out, err = run(capsys, "kpi", "--quarter", "2026-Q1", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    kpis = {k["id"]: k for k in report["kpis"]}
    cfr = kpis["change-failure-rate"]["current"]
    # PAY-101 (production) and PAY-105 (qa) over PAY-103; the duplicate PAY-102 left out
    assert (cfr["numerator"], cfr["denominator"], cfr["value"]) == (2, 1, 200.0)
    assert kpis["development-latency"]["current"]["stats"]["n"] == 1
    code, out, _ = run(capsys, "kpi", "--quarter", "2026-Q1")
    assert code == 0 and "Change failure rate" in out and "200.0 %" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    code, out, _ = run(capsys, "kpi", "-q", "2026-Q2", "--format", "markdown")
    assert code == 0 and out.startswith("## KPIs — 2026-Q2") and "| KPI | Value |" in out
    assert count(database_url, MeasurementRow) >= 2  # PR latency and CI duration of 2026-Q2
    before = count(database_url, MeasurementRow)
    run(capsys, "kpi", "-q", "2026-Q2", "--format", "json")
    assert count(database_url, MeasurementRow) == before  # recomputing replaces, never adds
    code, _, err = run(capsys, "kpi", "--quarter", "Q7")
    assert code == 2 and "2026-Q3" in err


def test_mttd_sample_drill_and_headcount(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = FIXTURES / "jira-csv" / "export.csv"
    rows = source.read_text(encoding="utf-8-sig").splitlines()
    extra = [
        f"Crash {n},PAY-{200 + n},{20000 + n},Bug,Done,PAY,High,Done,0{1 + n % 9}/Mar/26 9:00 AM,"
        f"1{n % 9}/Mar/26 4:00 PM,production,,,alice,"
        for n in range(30)
    ]
    bugs = tmp_path / "bugs.csv"
    bugs.write_text("\n".join(rows[:1] + extra) + "\n", encoding="utf-8")
    imported(capsys, "jira-csv", bugs)
    worksheet = tmp_path / "sample.csv"
    code, out, err = run(
        capsys, "kpi", "sample-mttd", "-q", "2026-Q1", "--size", "22", "--out", str(worksheet)
    )
    assert code == 0, err
    lines = worksheet.read_text().splitlines()
    assert len(lines) == 23 and lines[0].startswith("quarter,key")
    code, out, _ = run(capsys, "kpi", "sample-mttd", "-q", "2026-Q1", "--size", "22")
    assert "(0 newly drawn)" in out  # drawing again keeps the sample
    filled = [lines[0]] + [
        ",".join([*line.split(",")[:3], "2026-03-01T08:00:00+00:00", *line.split(",")[4:]])
        for line in lines[1:]
    ]
    worksheet.write_text("\n".join(filled) + "\n")
    code, out, err = run(capsys, "kpi", "sample-mttd", "--fill", str(worksheet))
    assert code == 0 and "Updated 22" in out, err
    code, out, _ = run(capsys, "kpi", "-q", "2026-Q1", "--format", "json")
    mttd = next(k for k in json.loads(out)["kpis"] if k["id"] == "mean-time-to-detect")
    assert mttd["current"]["stats"]["n"] == 22
    code, out, err = run(
        capsys,
        "kpi",
        "drill",
        "--started",
        "2026-10-01T08:00:00Z",
        "--restored",
        "2026-10-01T11:30:00Z",
    )
    assert code == 0 and "3.5 h" in out, err
    code, _, err = run(
        capsys, "kpi", "drill", "--started", "2026-10-01T08:00:00Z", "--restored", "2026-09-01"
    )
    assert code == 2 and "ends before it starts" in err
    code, out, _ = run(
        capsys, "kpi", "headcount", "2026-10", "--developers", "12", "--users", "500"
    )
    assert code == 0
    code, out, _ = run(capsys, "kpi", "--format", "json")
    rto = next(k for k in json.loads(out)["kpis"] if k["id"] == "recovery-time-objective")
    assert rto["current"]["value"] == 3.5 and rto["met"] is True
    code, _, err = run(capsys, "kpi", "headcount", "October", "--developers", "3")
    assert code == 2 and "not a month" in err


def test_large_reimports_read_the_source_keys_in_one_pass(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from platform_maturity.store import event_repo

    monkeypatch.setattr(event_repo, "_WHOLE_SOURCE", 0)
    # the record path (on SQLite the export would otherwise be written as a frame)
    monkeypatch.setattr(
        "platform_maturity.importers.jira_pipeline_frame.read_frame", lambda *args: None
    )
    pipeline = FIXTURES / "jira-pipeline"
    first = imported(capsys, "jira-pipeline", pipeline)
    again = imported(capsys, "jira-pipeline", pipeline)
    assert (first[0]["new"], again[0]["unchanged"], again[0]["new"]) == (3, 3, 0)


def test_measure_records_head_counts(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "measure", "developers", "42", "--at", "2026-10")
    assert code == 0 and "42 developers for 2026-10" in out, err
    code, out, _ = run(capsys, "measure", "users", "120,000")
    assert code == 0 and "120,000 users for 2026-11" in out
    code, _, err = run(capsys, "measure", "users", "many")
    assert code == 2 and "not a number" in err


def test_unit_kpis_and_the_report_section(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace_dir / "maturity.yaml").write_text(
        (workspace_dir / "maturity.yaml").read_text() + "kpi:\n  units:\n    PAY: alpha\n",
        encoding="utf-8",
    )
    imported(capsys, "jira-csv", FIXTURES / "jira-csv" / "export.csv")
    code, out, err = run(capsys, "kpi", "-q", "2026-Q1", "--unit", "alpha", "--format", "json")
    assert code == 0, err
    alpha = json.loads(out)
    assert alpha["scope"] == "alpha"
    velocity = next(k for k in alpha["kpis"] if k["id"] == "development-velocity")
    assert velocity["current"]["value"] == 3.0
    code, out, _ = run(capsys, "kpi", "-q", "2026-Q1", "--unit", "beta", "--format", "json")
    beta = json.loads(out)
    assert (
        next(k for k in beta["kpis"] if k["id"] == "development-velocity")["current"]["value"] == 0
    )
    code, out, _ = run(capsys, "report", "--format", "markdown")
    assert code == 0 and "## KPIs — 2026-Q4" in out and "| Change failure rate |" in out
    code, out, _ = run(capsys, "report", "--format", "json")
    assert json.loads(out)["kpis"]["quarter"] == "2026-Q4"


def test_a_cut_off_csv_is_refused_and_leaves_the_stored_items_as_they_were(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = FIXTURES / "jira-csv" / "export.csv"
    imported(capsys, "jira-csv", export)
    before = run(capsys, "kpi", "-q", "2026-Q1", "--format", "json")[1]
    text = export.read_text(encoding="utf-8-sig")
    cut = tmp_path / "cut.csv"
    # the download stopped after the Resolved time of the row of PAY-103
    cut.write_text(text[: text.index("20/Mar/26 5:30 PM") + len("20/Mar/26 5:30 PM")])
    code, _, err = run(capsys, "import", "jira-csv", str(cut))
    assert code == 2
    assert "cut.csv" in err and "values but the header has 15 columns" in err
    assert "cut off" in err
    assert run(capsys, "kpi", "-q", "2026-Q1", "--format", "json")[1] == before


def test_a_head_count_file_with_an_unknown_column_is_refused(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    heads = tmp_path / "heads.csv"
    heads.write_text("month,devs,users\n2026-04,42,100\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "headcount", str(heads))
    assert code == 2
    assert "unknown column devs" in err and "month, developers, users, unit, note" in err
    assert count(database_url, HeadcountRow) == 0


def test_a_utf16_export_gets_a_utf16_hint(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "jira.csv"
    export.write_bytes(
        (FIXTURES / "jira-csv" / "export.csv").read_text("utf-8-sig").encode("utf-16")
    )
    code, _, err = run(capsys, "import", "jira-csv", str(export))
    assert code == 2 and "UTF-16" in err and "iconv -f utf-16" in err


def test_a_json_export_of_another_kind_says_what_it_holds(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "import", "github", str(FIXTURES / "pagerduty" / "incidents.json"))
    assert code == 2
    assert "the file holds an object with" in err and "incidents" in err
    assert "maturity import --help" in err


def test_an_export_kind_in_maturity_yaml_that_does_not_exist_is_named(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workspace_dir / "maturity.yaml"
    config.write_text(
        config.read_text() + "evidence:\n  exports:\n    jira: [exports/jira.csv]\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", "jira-csv")
    assert code == 2
    assert "evidence.exports.jira" in err and "Did you mean jira-csv?" in err
