"""The demo organization's security backlog is believable: imported from Trivy, SARIF and
pip-audit outputs plus items entered by hand, with a real agenda and a security section."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from platform_maturity.services import backlog, backlog_imports, backlog_insights, postmortems
from platform_maturity.services.demo import create_demo
from platform_maturity.services.report import report_model
from platform_maturity.services.workspace import DATABASE_ENV, open_store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_demo_backlog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    workspace = create_demo(tmp_path / "demo", NOW)
    with open_store(workspace, NOW, "test") as db:
        scans = backlog_imports.list_scans(db)
        assert {s.format for s in scans} == {"trivy", "sarif", "pip-audit"}
        assert sum(s.fixed for s in scans) >= 20  # rescans show fixes
        views, _ = backlog.list_items(workspace, db, backlog.Filters(all=True), NOW)
        sources = {v.source.value for v in views}
        assert {"scanner", "audit", "report"} <= sources
        states = {v.state.value for v in views}
        assert {"new", "triaged", "resolved", "risk_accepted", "duplicate"} <= states
        agenda = backlog_insights.review_agenda(workspace, db, NOW)
        assert agenda.to_triage and agenda.breaches and agenda.expiring_acceptances
        assert agenda.last_review is not None and (NOW - agenda.last_review).days < 14
        period = agenda.attainment
        assert period.attainment_percent is not None and 60 <= period.attainment_percent < 100
        assert postmortems.list_postmortems(db)
        model = report_model(workspace, db, NOW, include_security=True)
    section = model.security
    assert section is not None and section.breaches and section.loss.open_total > 0
    assert len([q for q in section.trend if q.resolved]) >= 3
    card = model.scorecard.organization
    goals = {g.code: g for p in card.pillars for c in p.categories for g in c.goals}
    assert goals["C.S.1"].source == "scan" and goals["C.S.1"].outcome.value == "met"
    assert goals["C.S.6"].source == "scan"
