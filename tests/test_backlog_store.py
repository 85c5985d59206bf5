"""The security backlog's use cases on SQLite and PostgreSQL: workflow and audit, policy
versions, imports and re-imports, restricted exports, scorecard evidence, postmortems."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform_maturity.domain.backlog import ItemState
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import Outcome
from platform_maturity.services import (
    backlog,
    backlog_imports,
    backlog_insights,
    postmortems,
    scorecard,
    transfer,
)
from platform_maturity.services.report import report_model
from platform_maturity.services.workspace import load_workspace, open_store
from platform_maturity.store.backlog import BacklogItemRow
from platform_maturity.store.models import AuditEvent
from tests.conftest import NOW

SCANNERS = Path(__file__).parent / "fixtures" / "scanners"


def _org_goal(card: object, code: str) -> object:
    goals = [
        g
        for p in card.organization.pillars  # type: ignore[attr-defined]
        for c in p.categories
        for g in c.goals
    ]
    return next(g for g in goals if g.code == code)


def test_workflow_is_audited_and_restricted(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        first = backlog.add_item(
            ws,
            db,
            title="SQL injection in search",
            component="storefront",
            risk=4,
            impact=4,
            reported_at=NOW - timedelta(hours=12),
            unit="alpha",
            actor="ana",
            now=NOW,
        )
        assert first.state == ItemState.TRIAGED and first.policy_version == 1
        second = backlog.add_item(
            ws, db, title="Open S3 bucket", component="data", actor="ana", now=NOW
        )
        assert second.state == ItemState.NEW
        backlog.triage(ws, db, "sec-2", risk=3, impact=2, owner="bo", actor="bo", now=NOW)
        backlog.update(ws, db, "SEC-1", backlog.Changes(state="in_progress"), actor="bo", now=NOW)
        backlog.close(db, "SEC-1", as_="resolved", reason="parameterized", actor="bo", now=NOW)
        backlog.accept(
            db,
            "SEC-2",
            approver="cto",
            reason="bucket holds public data only",
            expires=NOW + timedelta(days=30),
            actor="cto",
            now=NOW,
        )
        with pytest.raises(UserError, match="cannot move to in progress"):
            backlog.update(
                ws, db, "SEC-1", backlog.Changes(state="in_progress"), actor="bo", now=NOW
            )
        with pytest.raises(UserError, match="scores run from 1 to 5"):
            backlog.add_item(
                ws, db, title="x" * 5, component="c", risk=6, impact=1, actor="a", now=NOW
            )
        with pytest.raises(UserError, match="unknown state"):
            backlog.update(ws, db, "SEC-2", backlog.Changes(state="done"), actor="a", now=NOW)
        with pytest.raises(UserError, match="no backlog item with this key"):
            backlog.triage(ws, db, "SEC-99", risk=1, impact=1, actor="a", now=NOW)
        detail = backlog.show(ws, db, "SEC-1", NOW)
        changes = [(h.action, h.field, h.new_value) for h in detail.history]
        assert ("close", "state", "resolved") in changes and (
            "update",
            "state",
            "in_progress",
        ) in changes
        assert detail.view.within_sla is True
        with db.transaction() as session:
            events = list(
                session.scalars(select(AuditEvent).where(AuditEvent.entity.like("backlog%")))
            )
        assert events and all(e.restricted for e in events)
        views, _ = backlog.list_items(ws, db, backlog.Filters(), NOW)
        assert [v.key for v in views] == ["SEC-2"]  # accepted risks listed; resolved not
        views, _ = backlog.list_items(ws, db, backlog.Filters(all=True, unit="alpha"), NOW)
        assert [v.key for v in views] == ["SEC-1"]
        # the acceptance expires: the next change reopens it, recorded as the tool's doing
        later = NOW + timedelta(days=31)
        backlog.update(ws, db, "SEC-2", backlog.Changes(owner="cy"), actor="cy", now=later)
        again = backlog.show(ws, db, "SEC-2", later)
        assert again.item.state == ItemState.TRIAGED
        assert ("reopen", "state", "triaged") in [
            (h.action, h.field, h.new_value) for h in again.history
        ]
        assert next(h.actor for h in again.history if h.action == "reopen") == backlog.SYSTEM


def test_items_keep_the_policy_version_they_were_triaged_under(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        backlog.add_item(
            ws, db, title="Old finding", component="a", risk=2, impact=3, actor="a", now=NOW
        )
    config = workspace_dir / "maturity.yaml"
    config.write_text(
        config.read_text() + "backlog:\n  sla_bands:\n"
        "    - {name: low, min: 1, max_exclusive: 10, resolve_within_days: 180}\n"
        "    - {name: high, min: 10, max_exclusive: 26, resolve_within_days: 7}\n"
    )
    ws = load_workspace(config)
    with open_store(ws, NOW, "t") as db:
        backlog.add_item(
            ws, db, title="New finding", component="a", risk=2, impact=3, actor="a", now=NOW
        )
        views, _ = backlog.list_items(ws, db, backlog.Filters(), NOW)
        by_key = {v.key: v for v in views}
        assert (by_key["SEC-1"].policy_version, by_key["SEC-1"].band) == (1, "medium")
        assert by_key["SEC-1"].resolve_due == NOW + timedelta(days=90)
        assert (by_key["SEC-2"].policy_version, by_key["SEC-2"].band) == (2, "low")
        assert by_key["SEC-2"].resolve_due == NOW + timedelta(days=180)


def test_bad_backlog_settings_name_the_workspace_file(workspace_dir: Path) -> None:
    config = workspace_dir / "maturity.yaml"
    config.write_text(
        config.read_text() + "backlog:\n  sla_bands:\n"
        "    - {name: low, min: 1, max_exclusive: 6, resolve_within_days: 365}\n"
        "    - {name: medium, min: 5, max_exclusive: 26, resolve_within_days: 90}\n"
    )
    with pytest.raises(UserError) as caught:
        load_workspace(config)
    assert "overlap" in caught.value.message and caught.value.line == 12
    assert caught.value.file == str(config.resolve())


def test_imports_deduplicate_fix_and_reopen(workspace_dir: Path, tmp_path: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    scan = tmp_path / "trivy.json"
    original = json.loads((SCANNERS / "trivy" / "image.json").read_text())
    scan.write_text(json.dumps(original))
    with open_store(ws, NOW, "t") as db:
        (first,) = backlog_imports.import_files(ws, db, [scan], actor="ci", now=NOW)
        assert first.scan.created == 6 and first.scan.skipped == 0
        (again,) = backlog_imports.import_files(
            ws, db, [scan], actor="ci", now=NOW + timedelta(hours=1)
        )
        assert (again.scan.created, again.scan.updated, again.scan.fixed) == (0, 6, 0)
        views, _ = backlog.list_items(ws, db, backlog.Filters(states=("new",)), NOW)
        assert len(views) == 6 and all(v.suggested for v in views)
        libc = next(v for v in views if "libc6" in v.title)
        backlog.triage(
            ws, db, libc.key, risk=None, impact=None, use_suggestion=True, actor="a", now=NOW
        )
        # a newer scan without the libc finding resolves its item, with the scan as evidence
        fixed = json.loads(json.dumps(original))
        fixed["Results"][0]["Vulnerabilities"] = fixed["Results"][0]["Vulnerabilities"][1:]
        scan.write_text(json.dumps(fixed))
        (third,) = backlog_imports.import_files(
            ws, db, [scan], actor="ci", now=NOW + timedelta(days=2)
        )
        assert third.fixed == [libc.key]
        detail = backlog.show(ws, db, libc.key, NOW + timedelta(days=2))
        assert detail.item.state == ItemState.RESOLVED
        assert (
            detail.item.resolution
            and f"not found by scan #{third.scan.id}" in detail.item.resolution
        )
        assert detail.item.finding and detail.item.finding.fixed_by_scan_id == third.scan.id
        # it comes back: the item reopens
        scan.write_text(json.dumps(original))
        (fourth,) = backlog_imports.import_files(
            ws, db, [scan], actor="ci", now=NOW + timedelta(days=3)
        )
        assert fourth.reopened == [libc.key]
        assert (
            backlog.show(ws, db, libc.key, NOW + timedelta(days=3)).item.state == ItemState.TRIAGED
        )


def test_a_bad_file_stops_the_whole_import(workspace_dir: Path, tmp_path: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text('{"SchemaVersion": 2, "Results": [{"Vulnerabilities": [{"PkgName": 3.5}]}]}')
    with open_store(ws, NOW, "t") as db:
        with pytest.raises(UserError) as caught:
            backlog_imports.import_files(
                ws, db, [SCANNERS / "sarif" / "codeql.json", bad], actor="ci", now=NOW
            )
        assert (
            caught.value.file == str(bad)
            and caught.value.field == "Results[0].Vulnerabilities[0].VulnerabilityID"
        )
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(BacklogItemRow)) == 0


def test_github_alerts_apply_their_state(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        (result,) = backlog_imports.import_files(
            ws, db, [SCANNERS / "dependabot" / "alerts.json"], actor="ci", now=NOW
        )
        assert (result.scan.created, result.scan.skipped) == (1, 2)  # fixed and dismissed: not new
        views, _ = backlog.list_items(ws, db, backlog.Filters(), NOW)
        assert views[0].reported_at.isoformat().startswith("2026-09-05")


def test_exports_leave_restricted_data_out_unless_asked(
    workspace_dir: Path, tmp_path: Path
) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    plain, full = tmp_path / "plain.json", tmp_path / "full.json"
    with open_store(ws, NOW, "t") as db:
        backlog.add_item(
            ws, db, title="Leaked key", component="ci", risk=3, impact=3, actor="a", now=NOW
        )
        postmortems.add_postmortem(
            ws,
            db,
            "SEC-1",
            summary="Key in logs",
            cause="debug step",
            gaps=["S.A.1"],
            cost="40k",
            actions=[],
            author="a",
            now=NOW,
        )
        transfer.export_state(db, plain, NOW)
        transfer.export_state(db, full, NOW, include_security=True)
        text = plain.read_text()
        assert "Leaked key" not in text and "Key in logs" not in text
        payload = json.loads(text)
        assert payload["include_security"] is False and "backlog_items" not in payload["tables"]
        assert all(not e["restricted"] for e in payload["tables"]["audit_events"])
        assert json.loads(full.read_text())["tables"]["backlog_items"][0]["title"] == "Leaked key"
        with pytest.raises(UserError, match=r"holds .* restricted"):
            transfer.restore_state(db, plain, NOW, "t")
        assert len(backlog.list_items(ws, db, backlog.Filters(), NOW)[0]) == 1  # unchanged
        transfer.restore_state(db, full, NOW, "t")
        assert backlog.show(ws, db, "SEC-1", NOW).postmortems[0].cost is not None
        backlog.add_item(ws, db, title="After restore", component="x", actor="a", now=NOW)  # ids ok
        transfer.restore_state(db, plain, NOW, "t", drop_security=True)
        assert backlog.list_items(ws, db, backlog.Filters(all=True), NOW)[0] == []


def test_the_backlog_gives_the_scorecard_evidence(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        before = scorecard.current_scorecard(ws, db, NOW)
        assert _org_goal(before, "C.S.1").outcome == Outcome.UNKNOWN  # type: ignore[attr-defined]
        backlog.add_item(
            ws,
            db,
            title="Weak ciphers",
            component="edge",
            risk=2,
            impact=2,
            reported_at=NOW - timedelta(days=60),
            actor="a",
            now=NOW - timedelta(days=60),
        )
        backlog.close(db, "SEC-1", as_="resolved", actor="a", now=NOW - timedelta(days=10))
        backlog_insights.record_review(
            db, held_at=NOW - timedelta(days=5), attendees=["cto"], notes=None, actor="a", now=NOW
        )
        card = scorecard.current_scorecard(ws, db, NOW)
        central = _org_goal(card, "C.S.1")
        assert central.outcome == Outcome.MET and central.source == "scan"  # type: ignore[attr-defined]
        assert _org_goal(card, "C.S.3").outcome == Outcome.MET  # type: ignore[attr-defined]
        assert _org_goal(card, "C.S.5").outcome == Outcome.NOT_MET  # type: ignore[attr-defined]
        metrics = {m.id: m for p in card.organization.pillars for m in p.metrics}
        assert metrics["coordination.security-sla-attainment"].value == 100.0
        assert metrics["coordination.security-backlog-review-interval"].value == 5.0
        # a snapshot as of before the backlog existed has no backlog evidence
        past = scorecard.create_snapshot(ws, db, "old", NOW - timedelta(days=90), NOW, "a")
        assert _org_goal(past, "C.S.1").outcome == Outcome.UNKNOWN  # type: ignore[attr-defined]


def test_reports_carry_the_security_section_only_when_asked(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        backlog.add_item(
            ws,
            db,
            title="Exposed admin panel",
            component="web",
            risk=5,
            impact=4,
            reported_at=NOW - timedelta(days=40),
            actor="a",
            now=NOW,
        )
        postmortems.add_postmortem(
            ws,
            db,
            "SEC-1",
            summary="Admin panel on the internet",
            cause="no ingress policy",
            gaps=["S.A.1"],
            cost="250000 USD",
            actions=[],
            author="a",
            now=NOW,
        )
        plain = report_model(ws, db, NOW)
        full = report_model(ws, db, NOW, include_security=True)
    assert plain.security is None and plain.gap_costs == {}
    assert full.security is not None and [v.key for v in full.security.breaches] == ["SEC-1"]
    assert full.gap_costs["S.A.1"] == "1 postmortem(s), 250,000 USD"
    assert full.security.loss.open_total == pytest.approx(0.9 * 5_500_000)


def test_postmortems_attach_to_items_and_validate_gaps(workspace_dir: Path, tmp_path: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        with pytest.raises(UserError, match="no security backlog item"):
            postmortems.add_postmortem(
                ws,
                db,
                "SEC-5",
                summary="s" * 5,
                cause="c" * 5,
                gaps=[],
                cost=None,
                actions=[],
                author="a",
                now=NOW,
            )
        backlog.add_item(ws, db, title="XSS in preview", component="web", actor="a", now=NOW)
        with pytest.raises(UserError, match="unknown goal code"):
            postmortems.add_postmortem(
                ws,
                db,
                "SEC-1",
                summary="XSS",
                cause="no escaping",
                gaps=["S.X.1"],
                cost=None,
                actions=[],
                author="a",
                now=NOW,
            )
        file = tmp_path / "pm.yaml"
        file.write_text(
            "summary: Stored XSS in the preview page\nproximate_cause: template rendered raw HTML\n"
            "platform_gaps: [A.I.2, S.S.1]\ncost: 80k EUR\naction_items:\n"
            "  - {title: Autoescape everywhere, owner: web, due: 2026-12-15, kind: prevent}\n"
        )
        summary, cause, gaps, cost, actions = postmortems.read_postmortem_file(ws, file, NOW)
        pm = postmortems.add_postmortem(
            ws,
            db,
            "SEC-1",
            summary=summary,
            cause=cause,
            gaps=list(gaps),
            cost=f"{cost.amount} {cost.currency}" if cost else None,
            actions=list(actions),
            author="a",
            now=NOW,
        )
        done = postmortems.finish_action(db, f"PM-{pm.id}", 1, "web", NOW + timedelta(days=3))
        assert done.action_items[0].done
        with pytest.raises(UserError, match="done already"):
            postmortems.finish_action(db, f"PM-{pm.id}", 1, "web", NOW)
        costs = postmortems.costs_by_gap(db, NOW, include_security=True)
        assert [(g.code, str(g.costs[0])) for g in costs] == [
            ("A.I.2", "80,000 EUR"),
            ("S.S.1", "80,000 EUR"),
        ]
        assert postmortems.costs_by_gap(db, NOW, include_security=False) == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "summary: ok then\nproximate_cause: cause\nplatform_gaps:\n  - A.I.2\n  - Z.Z.9\n"
    )
    with pytest.raises(UserError) as caught:
        postmortems.read_postmortem_file(ws, bad, NOW)
    assert (caught.value.line, caught.value.field) == (5, "platform_gaps.1")
