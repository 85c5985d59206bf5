"""Every importer has fixtures with the expected records, walked by this one test.

Layout: tests/fixtures/importers/<kind>/<name>.<ext> and next to it
<name>.<ext>.expected.json: what the importer reads from it (every record, the rows read
and the skipped reasons). MATURITY_GOLD_UPDATE=1 rewrites the expected files; review the
diff. The real GitHub webhook payloads of the shared corpus are read in place.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.registry import BUILTIN, importer

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
WEBHOOKS = CORPUS / "github-webhooks" / "payload-examples" / "api.github.com"
CONTEXT = ImportContext(
    mapping=KpiMapping(units={"PAY": "payments", "acme/*": "platform", "checkout*": "payments"}),
    timezone=ZoneInfo("Europe/Berlin"),
    currency="EUR",
)
INPUTS = sorted(
    p
    for p in FIXTURES.glob("*/*")
    if p.is_file()
    and not p.name.endswith(".expected.json")
    and not p.name.startswith("issue_history")  # read with its issues file
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def summary(batch: ImportBatch) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rows_read": batch.rows_read,
        "skipped": dict(sorted(batch.skipped.items())),
    }
    for name in (
        "work_items",
        "pull_requests",
        "runs",
        "deployments",
        "incidents",
        "incident_times",
        "incident_merges",
        "costs",
        "headcounts",
        "issue_refs",
        "issue_events",
    ):
        records = getattr(batch, name)
        if records:
            out[name] = [_plain(asdict(r)) for r in records]
    return out


def test_every_builtin_importer_has_a_fixture() -> None:
    kinds = {p.parent.name for p in INPUTS}
    assert set(BUILTIN) <= kinds, f"importers without fixtures: {set(BUILTIN) - kinds}"


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_importer_reads_its_fixture(path: Path) -> None:
    batch = importer(path.parent.name).read(path, CONTEXT)
    got = summary(batch)
    expected_path = path.with_name(path.name + ".expected.json")
    if os.environ.get("MATURITY_GOLD_UPDATE"):
        expected_path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert expected_path.exists(), "run with MATURITY_GOLD_UPDATE=1 to write the expected file"
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


def _webhook(*parts: str) -> Path:
    path = WEBHOOKS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not found at {WEBHOOKS}")
    return path


def test_real_github_webhook_payloads() -> None:
    read = importer("github").read
    opened = read(_webhook("issues", "opened.payload.json"), CONTEXT)
    reopened = read(_webhook("issues", "reopened.payload.json"), CONTEXT)
    item = reopened.work_items[0]
    # GitHub keeps closed_at on a reopened issue: here it is open again and counted reopened
    assert (item.status_category, item.completed_at, item.reopened) == ("todo", None, 1)
    assert item.first_completed_at is not None
    assert opened.work_items[0].source_id == item.source_id == "Codertocat/Hello-World#1"
    pull = read(_webhook("pull_request", "ready_for_review.payload.json"), CONTEXT)
    assert pull.pull_requests[0].ready_at is not None
    run = read(_webhook("workflow_run", "completed.payload.json"), CONTEXT).runs[0]
    assert run.finished_at is not None and run.conclusion == "success"
    status = read(_webhook("deployment_status", "payload.json"), CONTEXT).deployments[0]
    assert (status.status, status.production) == ("success", True)
    assert status.finished_at is not None
    job = read(
        _webhook("workflow_job", "completed.success.with-organization.payload.json"), CONTEXT
    )
    assert job.runs[0].duration_s is not None and job.runs[0].duration_s > 0
    ping_free = read(_webhook("push", next(p.name for p in (WEBHOOKS / "push").iterdir())), CONTEXT)
    assert ping_free.skipped and not ping_free.work_items


def test_every_real_webhook_payload_is_read_or_skipped_with_a_reason() -> None:
    if not WEBHOOKS.exists():
        pytest.skip(f"shared corpus not found at {WEBHOOKS}")
    read = importer("github").read
    for path in sorted(WEBHOOKS.rglob("*.json")):
        batch = read(path, CONTEXT)
        records = (
            batch.work_items + batch.pull_requests + batch.runs + batch.deployments  # type: ignore[operator]
        )
        assert records or batch.skipped, path


def test_real_focus_sample() -> None:
    path = CORPUS / "focus" / "focus_sample.csv"
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    batch = importer("focus").read(path, CONTEXT)
    assert batch.rows_read == 1000 and len(batch.costs) == 1000
    assert len({c.source_id for c in batch.costs}) == 1000  # the extra Id column keys lines
    assert {c.charge_category for c in batch.costs} == {"Usage", "Adjustment", "Credit"}
    assert all(c.period_start.tzinfo is not None for c in batch.costs)  # no Z: read as UTC
    total = sum(c.effective_cost for c in batch.costs)
    assert total == pytest.approx(sum(c.effective_cost for c in batch.costs if c.currency == "USD"))
