"""Cross-check with Apache DevLake's DORA tests (their inputs and expected outputs).

Read in place from ../shared/corpus/dora-devlake. Where our deployment-based definitions
and DevLake's agree — which deployment an incident is blamed on, and the change failure
rate as deployments with an incident over deployments — our numbers must match theirs.
Where they differ (lead time, MTTR), docs/kpis.md says how and why.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from platform_maturity.domain.events import Deployment, Incident
from platform_maturity.engine.kpi import compute as c
from platform_maturity.engine.kpi.linking import link_incidents

E2E = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "dora-devlake"
    / "backend"
    / "plugins"
    / "dora"
    / "e2e"
    / "connect_incident_to_deployment"
)


def _rows(*parts: str) -> list[dict[str, str]]:
    path = E2E.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not found at {E2E}")
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("T", " ").split(".")[0])
    return value.replace(tzinfo=UTC)


def _project1() -> tuple[list[Incident], list[Deployment], dict[str, str]]:
    mapping = _rows("raw_tables", "project_mapping.csv")
    scopes = {(m["table"], m["row_id"]) for m in mapping if m["project_name"] == "project1"}
    incidents = [
        Incident("devlake", row["id"], row["id"], _time(row["created_date"]))
        for row in _rows("raw_tables", "incidents.csv")
        if (row["table"], row["scope_id"]) in scopes
    ]
    deployments = [
        # one deployment commit of DevLake is one deployment record here
        Deployment(
            source="devlake",
            source_id=row["id"],
            service="project1",
            environment=row["environment"] or "unknown",
            production=row["environment"] == "PRODUCTION",
            status="success" if row["result"] == "SUCCESS" else "failure",
            created_at=_time(row["started_date"]),
            finished_at=_time(row["finished_date"]),
            sha=row["cicd_deployment_id"],
        )
        for row in _rows("prev_success_deployment_commit", "cicd_deployment_commits_after.csv")
        if ("cicd_scopes", row["cicd_scope_id"]) in scopes
    ]
    expected = {
        row["id"]: row["deployment_id"]
        for row in _rows("snapshot_tables", "project_incident_deployment_relationships.csv")
        if row["project_name"] == "project1"
    }
    return incidents, deployments, expected


def test_incidents_are_linked_to_the_same_deployments_as_devlake() -> None:
    incidents, deployments, expected = _project1()
    linked = link_incidents(incidents, deployments, lookback=None, match_service=False)
    pipeline = {d.source_id: d.sha for d in deployments}
    ours = {i.source_id: pipeline[i.deployment_id] for i in linked if i.deployment_id}
    assert ours == expected
    assert len(ours) == 6


def test_deployment_change_failure_rate_matches_devlake_definition() -> None:
    incidents, deployments, _ = _project1()
    linked = link_incidents(incidents, deployments, lookback=None, match_service=False)
    window = c.Window("all", datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC))
    # DevLake counts deployments (pipelines), a pipeline failing when any incident links to
    # one of its commits: collapse our per-commit records the same way
    by_pipeline: dict[str, list[Deployment]] = {}
    for d in deployments:
        if d.production and d.status == "success":
            by_pipeline.setdefault(d.sha or "", []).append(d)
    blamed = {i.deployment_id for i in linked}
    pipelines = [
        Deployment(
            "devlake",
            key,
            "project1",
            "PRODUCTION",
            True,
            "success",
            group[0].created_at,
            max(d.finished_at for d in group if d.finished_at),
            failed_change=any(d.source_id in blamed for d in group),
        )
        for key, group in by_pipeline.items()
    ]
    period = c.change_failure_rate_deployments(window, pipelines, [])
    # pipeline1, 2, 4, 6 and 7 deployed to production; incidents blame pipeline2 and 7
    assert (period.numerator, period.denominator, period.value) == (2, 5, 40.0)


def test_a_lookback_bound_leaves_old_deployments_unblamed() -> None:
    incidents, deployments, _ = _project1()
    linked = link_incidents(incidents, deployments, lookback=None, match_service=False)
    from datetime import timedelta

    bounded = link_incidents(
        incidents, deployments, lookback=timedelta(days=3), match_service=False
    )
    assert sum(1 for i in linked if i.deployment_id) == 6
    # only the board incident (16 hours after its deployment) stays linked
    assert [i.source_id for i in bounded if i.deployment_id] == ["github:GithubIssue:1:1373792478"]
