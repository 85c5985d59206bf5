"""The demo organization's KPI data: generated exports in the real formats, imported for real.

Writes a Jira CSV export with its changelog JSON, GitHub REST pages (pull requests,
workflow runs, deployments and their statuses), PagerDuty incidents and log entries, a
FOCUS cost export and a head-count CSV under ``exports/``, then imports them through the
importers exactly as a user would. Recovery drills, the quarter's MTTD samples and the
Prometheus counts (no server runs in the demo) are recorded through their services.
Seeded and deterministic; the organization improves quarter by quarter.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from platform_maturity.domain.events import SliWindow
from platform_maturity.engine.kpi.periods import last_quarters, quarter_of
from platform_maturity.services.kpi import (
    build_kpi_report,
    draw_mttd_sample,
    record_drill,
    record_pillar_metrics,
)
from platform_maturity.services.kpi_import import import_context, import_files
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import event_repo
from platform_maturity.store.db import Database

UNITS = ("platform", "payments", "storefront", "data")
QUARTERS = 5  # four past quarters and the current one
JIRA_FMT = "%d/%b/%y %I:%M %p"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _quarter_spans(now: datetime, workspace: Workspace) -> list[tuple[datetime, datetime]]:
    zone = import_context(workspace).timezone
    quarters = last_quarters(quarter_of(now, zone), QUARTERS)
    return [(q.start(zone), min(q.end(zone), now)) for q in quarters]


def _when(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = max(1, int((end - start).total_seconds()))
    moment = start + timedelta(seconds=rng.randrange(seconds))
    return moment.replace(microsecond=0)


def write_exports(
    folder: Path, workspace: Workspace, now: datetime, seed: int
) -> dict[str, list[Path]]:
    rng = random.Random(seed * 31 + 4)
    exports = folder / "exports"
    exports.mkdir(exist_ok=True)
    spans = _quarter_spans(now, workspace)
    zone = import_context(workspace).timezone
    issues: list[dict[str, object]] = []
    number = 0
    for step, (start, end) in enumerate(spans):
        for unit in UNITS:
            prefix = unit[:3].upper()
            features = rng.randint(26, 38) + 3 * step
            bug_share = max(0.05, 0.30 - 0.05 * step + rng.uniform(-0.03, 0.03))
            for kind, count in (("Story", features), ("Bug", int(features * bug_share) + 1)):
                for _ in range(count):
                    number += 1
                    created = _when(rng, start - timedelta(days=20), end)
                    started = created + timedelta(hours=rng.randint(2, 120))
                    cycle = timedelta(hours=rng.uniform(20, 200) * (1.4 - 0.15 * step))
                    if kind == "Bug":
                        cycle = timedelta(hours=rng.uniform(1, 70) * (1.5 - 0.2 * step))
                    done = started + cycle
                    duplicate = kind == "Bug" and rng.random() < 0.06
                    reopened = rng.random() < 0.05
                    issues.append(
                        {
                            "key": f"{prefix}-{number}",
                            "type": kind,
                            "unit": unit,
                            "created": created,
                            "started": started,
                            "done": done if done < now else None,
                            "reopened": reopened,
                            "resolution": "Duplicate" if duplicate else "Done",
                            "priority": rng.choices(
                                ["Highest", "High", "Medium", "Low"], [1, 3, 5, 2]
                            )[0],
                            "labels": (
                                [rng.choice(["production", "production", "qa"])]
                                if kind == "Bug"
                                else ["feature"]
                            ),
                            "summary": f"{'Fix' if kind == 'Bug' else 'Add'} {unit} item {number}",
                        }
                    )
    _jira_csv(exports / "jira-issues.csv", issues, zone)
    _jira_changelog(exports / "jira-changelog.json", issues)
    _github(exports, rng, spans, now)
    _pagerduty(exports, rng, spans, now)
    _focus(exports / "focus-costs.csv", rng, spans)
    with (exports / "headcount.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "developers", "users"])
        for step, (start, _end) in enumerate(spans):
            for offset in range(3):
                month = (start.month - 1 + offset) % 12 + 1
                year = start.year + (start.month - 1 + offset) // 12
                writer.writerow([f"{year}-{month:02d}", 44 + 2 * step, 180_000 + 15_000 * step])
    return {
        "jira-csv": [exports / "jira-issues.csv"],
        "jira-changelog": [exports / "jira-changelog.json"],
        "github": [
            exports / "github-pulls.json",
            exports / "github-runs.json",
            exports / "github-deployments.json",
            exports / "github-deployment-statuses.json",
        ],
        "pagerduty": [exports / "pagerduty-incidents.json", exports / "pagerduty-log-entries.json"],
        "focus": [exports / "focus-costs.csv"],
        "headcount": [exports / "headcount.csv"],
    }


def _jira_csv(path: Path, issues: list[dict[str, object]], zone: object) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(
            [
                "Summary",
                "Issue key",
                "Issue Type",
                "Status",
                "Project key",
                "Priority",
                "Resolution",
                "Created",
                "Resolved",
                "Labels",
                "Labels",
                "Description",
            ]
        )
        for issue in issues:
            done = issue["done"]
            created = issue["created"]
            assert isinstance(created, datetime)
            labels = list(issue["labels"])  # type: ignore[call-overload]
            writer.writerow(
                [
                    issue["summary"],
                    issue["key"],
                    issue["type"],
                    "Done" if done else "In Progress",
                    str(issue["key"]).split("-")[0],
                    issue["priority"],
                    issue["resolution"] if done else "",
                    created.astimezone(zone).strftime(JIRA_FMT),  # type: ignore[arg-type]
                    done.astimezone(zone).strftime(JIRA_FMT) if isinstance(done, datetime) else "",  # type: ignore[arg-type]
                    labels[0] if labels else "",
                    "demo",
                    "Line one\nline two, with a comma",
                ]
            )


def _jira_changelog(path: Path, issues: list[dict[str, object]]) -> None:
    out = []
    for issue in issues:
        started, done = issue["started"], issue["done"]
        assert isinstance(started, datetime)
        histories = [
            {
                "created": started.isoformat(timespec="milliseconds"),
                "items": [{"field": "status", "fromString": "To Do", "toString": "In Progress"}],
            }
        ]
        if isinstance(done, datetime):
            if issue["reopened"]:
                early = started + (done - started) / 2
                histories += [
                    {
                        "created": early.isoformat(timespec="milliseconds"),
                        "items": [
                            {"field": "status", "fromString": "In Progress", "toString": "Done"}
                        ],
                    },
                    {
                        "created": (early + timedelta(minutes=30)).isoformat(
                            timespec="milliseconds"
                        ),
                        "items": [
                            {"field": "status", "fromString": "Done", "toString": "In Progress"}
                        ],
                    },
                ]
            histories.append(
                {
                    "created": done.isoformat(timespec="milliseconds"),
                    "items": [
                        {"field": "status", "fromString": "In Progress", "toString": "Done"},
                        {
                            "field": "resolution",
                            "fromString": None,
                            "toString": issue["resolution"],
                        },
                    ],
                }
            )
        created = issue["created"]
        assert isinstance(created, datetime)
        out.append(
            {
                "key": issue["key"],
                "fields": {
                    "summary": issue["summary"],
                    "issuetype": {"name": issue["type"]},
                    "status": {
                        "name": "Done" if done else "In Progress",
                        "statusCategory": {"key": "done" if done else "indeterminate"},
                    },
                    "priority": {"name": issue["priority"]},
                    "resolution": {"name": issue["resolution"]} if done else None,
                    "created": created.isoformat(timespec="milliseconds"),
                    "resolutiondate": done.isoformat(timespec="milliseconds")
                    if isinstance(done, datetime)
                    else None,
                    "labels": issue["labels"],
                    "project": {"key": str(issue["key"]).split("-")[0]},
                },
                "changelog": {"histories": histories},
            }
        )
    path.write_text(json.dumps({"issues": out}, indent=1), encoding="utf-8")


def _github(
    exports: Path, rng: random.Random, spans: list[tuple[datetime, datetime]], now: datetime
) -> None:
    pulls, runs, deployments, statuses = [], [], [], []
    pr = run_id = dep_id = status_id = 0
    for step, (start, end) in enumerate(spans):
        for unit in UNITS:
            repo = f"northwind/{unit}-service"
            for _ in range(rng.randint(40, 60)):
                pr += 1
                created = _when(rng, start, end)
                merged = created + timedelta(hours=rng.uniform(2, 60) * (1.5 - 0.2 * step))
                bot = rng.random() < 0.1
                user = (
                    {"login": "dependabot[bot]", "type": "Bot"}
                    if bot
                    else {"login": f"dev{rng.randint(1, 40)}", "type": "User"}
                )
                pulls.append(
                    {
                        "number": pr,
                        "state": "closed",
                        "title": f"Change {pr}",
                        "user": user,
                        "draft": False,
                        "created_at": _iso(created),
                        "closed_at": _iso(merged) if merged < now else None,
                        "merged_at": _iso(merged) if merged < now else None,
                        "head": {"ref": f"branch-{pr}", "sha": f"{pr:040x}"},
                        "base": {"ref": "main", "repo": {"full_name": repo}},
                    }
                )
                for workflow, minutes in (
                    ("CI", rng.uniform(3, 12) * (1.3 - 0.1 * step)),
                    ("Deploy", rng.uniform(3, 9) * (1.2 - 0.1 * step)),
                ):
                    if workflow == "Deploy" and rng.random() < 0.5:
                        continue
                    run_id += 1
                    began = merged if workflow == "Deploy" else created + timedelta(minutes=1)
                    finished = began + timedelta(minutes=minutes)
                    if finished >= now:
                        continue
                    runs.append(
                        {
                            "id": run_id,
                            "name": workflow,
                            "path": f".github/workflows/{workflow.lower()}.yml",
                            "workflow_id": 10 if workflow == "CI" else 11,
                            "run_attempt": 1,
                            "run_number": run_id,
                            "event": "pull_request" if workflow == "CI" else "push",
                            "status": "completed",
                            "conclusion": "success" if rng.random() > 0.08 else "failure",
                            "created_at": _iso(began),
                            "run_started_at": _iso(began + timedelta(seconds=20)),
                            "updated_at": _iso(finished),
                            "head_sha": f"{pr:040x}",
                            "repository": {"full_name": repo},
                        }
                    )
                    if workflow == "Deploy":
                        dep_id += 1
                        deployments.append(
                            {
                                "id": dep_id,
                                "sha": f"{pr:040x}",
                                "ref": "main",
                                "task": "deploy",
                                "environment": "production",
                                "production_environment": True,
                                "created_at": _iso(began),
                                "updated_at": _iso(finished),
                                "repository_url": f"https://api.github.com/repos/{repo}",
                            }
                        )
                        state = "success" if rng.random() > 0.1 - 0.015 * step else "failure"
                        for when, value in ((began, "in_progress"), (finished, state)):
                            status_id += 1
                            statuses.append(
                                {
                                    "id": status_id,
                                    "state": value,
                                    "environment": "production",
                                    "created_at": _iso(when),
                                    "deployment_url": f"https://api.github.com/repos/{repo}/deployments/{dep_id}",
                                    "repository_url": f"https://api.github.com/repos/{repo}",
                                }
                            )
    (exports / "github-pulls.json").write_text(json.dumps(pulls, indent=1), encoding="utf-8")
    (exports / "github-runs.json").write_text(
        json.dumps({"total_count": len(runs), "workflow_runs": runs}, indent=1), encoding="utf-8"
    )
    (exports / "github-deployments.json").write_text(
        json.dumps(deployments, indent=1), encoding="utf-8"
    )
    (exports / "github-deployment-statuses.json").write_text(
        json.dumps(list(reversed(statuses)), indent=1), encoding="utf-8"
    )


def _pagerduty(
    exports: Path, rng: random.Random, spans: list[tuple[datetime, datetime]], now: datetime
) -> None:
    incidents, entries = [], []
    number = 0
    for step, (start, end) in enumerate(spans):
        for _ in range(rng.randint(10, 16) - step):
            number += 1
            unit = rng.choice(UNITS)
            created = _when(rng, start, end)
            ack = created + timedelta(minutes=rng.uniform(1, 15))
            resolved = created + timedelta(hours=rng.uniform(0.3, 10) * (1.3 - 0.2 * step))
            priority = rng.choices(["P1", "P2", "P3"], [1, 3, 6])[0]
            done = resolved < now
            incidents.append(
                {
                    "id": f"Q{number:05d}",
                    "incident_number": number,
                    "title": f"{unit} errors elevated",
                    "status": "resolved" if done else "acknowledged",
                    "urgency": "high" if priority == "P1" else "low",
                    "priority": {"summary": priority},
                    "service": {"id": f"S{unit[:3].upper()}", "summary": f"{unit}-api"},
                    "created_at": _iso(created),
                    "resolved_at": None,
                    "last_status_change_at": _iso(resolved if done else ack),
                }
            )
            entries.append(
                {
                    "type": "acknowledge_log_entry",
                    "created_at": _iso(ack),
                    "incident": {"id": f"Q{number:05d}"},
                }
            )
            if done:
                entries.append(
                    {
                        "type": "resolve_log_entry",
                        "created_at": _iso(resolved),
                        "incident": {"id": f"Q{number:05d}"},
                    }
                )
            entries.append(
                {
                    "type": "notify_log_entry",
                    "created_at": _iso(created),
                    "incident": {"id": f"Q{number:05d}"},
                }
            )
    (exports / "pagerduty-incidents.json").write_text(
        json.dumps({"incidents": incidents, "limit": 100, "more": False}, indent=1),
        encoding="utf-8",
    )
    (exports / "pagerduty-log-entries.json").write_text(
        json.dumps({"log_entries": entries, "more": False}, indent=1), encoding="utf-8"
    )


def _focus(path: Path, rng: random.Random, spans: list[tuple[datetime, datetime]]) -> None:
    services = [
        ("Compute", "Amazon Elastic Compute Cloud", 41_000.0, "user"),
        ("Databases", "Amazon Relational Database Service", 17_500.0, "user"),
        ("Storage", "Amazon Simple Storage Service", 6_200.0, "user"),
        ("Networking", "Amazon CloudFront", 4_800.0, "user"),
        ("Developer Tools", "GitHub Enterprise", 9_100.0, "developer"),
        ("Developer Tools", "AWS CodeBuild", 3_300.0, "developer"),
        ("Management and Governance", "Amazon CloudWatch", 2_600.0, ""),
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "BilledCost",
                "EffectiveCost",
                "BillingCurrency",
                "ChargePeriodStart",
                "ChargePeriodEnd",
                "ChargeCategory",
                "ServiceCategory",
                "ServiceName",
                "ProviderName",
                "SubAccountName",
                "Tags",
            ]
        )
        for step, (start, end) in enumerate(spans):
            for offset in range(3):
                month = (start.month - 1 + offset) % 12 + 1
                year = start.year + (start.month - 1 + offset) // 12
                first = datetime(year, month, 1, tzinfo=UTC)
                if first >= end:
                    continue
                following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
                for category, name, base, bucket in services:
                    cost = base * (1 + 0.04 * step) * rng.uniform(0.92, 1.08)
                    tags = {"cost-scaling": bucket} if bucket else {}
                    writer.writerow(
                        [
                            f"{cost:.2f}",
                            f"{cost * 0.9:.2f}",
                            "USD",
                            first.strftime("%Y-%m-%d %H:%M:%S"),
                            following.strftime("%Y-%m-%d %H:%M:%S"),
                            "Usage",
                            category,
                            name,
                            "AWS",
                            "northwind-prod",
                            json.dumps(tags),
                        ]
                    )
                writer.writerow(
                    [
                        f"{1500 * (1 + 0.04 * step):.2f}",
                        "NULL",
                        "USD",
                        first.strftime("%Y-%m-%d %H:%M:%S"),
                        following.strftime("%Y-%m-%d %H:%M:%S"),
                        "Tax",
                        "Other",
                        "Tax",
                        "AWS",
                        "northwind-prod",
                        "NULL",
                    ]
                )


def create_demo_kpis(
    folder: Path, workspace: Workspace, database: Database, now: datetime, seed: int
) -> None:
    """Write the exports, import them, record drills, samples and counts, fill the metrics."""
    files = write_exports(folder, workspace, now, seed)
    for kind, paths in files.items():
        import_files(workspace, database, kind, paths, now, "demo")
    rng = random.Random(seed * 17 + 3)
    spans = _quarter_spans(now, workspace)
    for step, (start, end) in enumerate(spans):
        began = start + timedelta(days=rng.randint(20, 60), hours=9)
        if began < end:
            hours = rng.uniform(3.0, 9.0) * (1.2 - 0.18 * step)
            record_drill(
                database,
                began,
                began + timedelta(hours=hours),
                step != 1,
                "rebuild of the production stack from backups",
                None,
            )
    zone = import_context(workspace).timezone
    for quarter in last_quarters(quarter_of(now, zone), QUARTERS):
        name, sample, _ = draw_mttd_sample(workspace, database, quarter.name, now, 25, seed)
        with database.transaction() as session:
            for s in sample:
                if s.detected_at is not None and rng.random() < 0.9:
                    lag = timedelta(minutes=rng.uniform(5, 600) * (1.4 - 0.1 * quarter.number))
                    event_repo.update_mttd_sample(
                        session, name, s.key, s.detected_at - lag, None, None
                    )
    windows = []
    for step, (start, end) in enumerate(spans):
        for subsystem, volume, error, slow in (
            ("payments-checkout-api", 9.0e6, 0.0018, 0.031),  # units by kpi.units
            ("storefront-catalog-api", 2.4e7, 0.0006, 0.012),
            ("data-ingest-pipeline", 4.1e4, 0.011, 0.05),
        ):
            total = round(volume * rng.uniform(0.9, 1.1))
            factor = 1.25 - 0.15 * step
            windows.append(
                SliWindow(subsystem, "error", start, end, round(total * error * factor), total)
            )
            windows.append(
                SliWindow(
                    subsystem, "latency", start, end, round(total * slow * factor), total, 1.0
                )
            )
    with database.transaction() as session:
        event_repo.write_sli(session, windows, now)
    report = build_kpi_report(workspace, database, now)
    record_pillar_metrics(database, report, "demo", now)
