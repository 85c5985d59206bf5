"""The review agenda and the report's security section compared with gold files.

Update with ``make gold-update`` after an intended change, and look at the diff.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from platform_maturity.domain.backlog import Acceptance, ItemState, Review, Suggestion
from platform_maturity.domain.backlog_results import SecuritySection
from platform_maturity.engine.backlog.attainment import (
    last_twelve_months,
    loss_summary,
    quarterly_trend,
)
from platform_maturity.engine.backlog.review import agenda
from platform_maturity.engine.backlog.views import Backlog, item_view
from platform_maturity.reports.backlog_pages import render_agenda_html, render_agenda_markdown
from platform_maturity.reports.backlog_terminal import render_agenda
from platform_maturity.reports.render import render
from tests.test_backlog_engine import NOW, POLICY, day, item
from tests.test_reports_gold import _model

GOLD = Path(__file__).parent / "gold"


def _backlog() -> Backlog:
    return Backlog(
        items=(
            item(
                1,
                risk=2,
                impact=3,
                reported=200,
                state=ItemState.RESOLVED,
                resolved_at=day(150),
                title="Session cookies lack the Secure flag",
            ),
            item(
                2,
                risk=2,
                impact=3,
                reported=200,
                state=ItemState.RESOLVED,
                resolved_at=day(60),
                title="Verbose errors reveal versions",
            ),
            item(
                3,
                risk=4,
                impact=4,
                reported=40,
                state=ItemState.RESOLVED,
                started_at=day(39.8),
                resolved_at=day(20),
                title="AWS key in the image",
            ),
            item(
                4,
                risk=4,
                impact=5,
                reported=45,
                title="Admin API without MFA",
                owner="ines@example.com",
            ),
            item(5, risk=1, impact=2, reported=10, title="Old TLS ciphers on the partner LB"),
            item(
                6,
                risk=None,
                impact=None,
                reported=3,
                title="CVE-2024-2961 in libc6",
                suggestion=Suggestion(risk=3, impact=3, basis="Trivy severity high, CVSS 8.1"),
            ),
            item(
                7,
                risk=3,
                impact=2,
                reported=100,
                state=ItemState.RISK_ACCEPTED,
                title="TLS 1.0 on the partner endpoint",
                acceptance=Acceptance(
                    approver="cto@example.com",
                    reason="partners move in December",
                    accepted_at=day(50),
                    expires_at=NOW + timedelta(days=5),
                ),
            ),
            item(8, risk=2, impact=3, reported=85, title="Path <injection> & invoice download"),
        ),
        policy=POLICY,
        versions={1: POLICY.sla_policy},
        reviews=(Review(held_at=day(9), recorded_by="ines"),),
    )


def _gold(name: str, actual: str) -> None:
    gold = GOLD / name
    if os.environ.get("MATURITY_GOLD_UPDATE"):
        gold.write_text(actual, encoding="utf-8")
    assert gold.exists(), f"missing gold file {gold}; run 'make gold-update'"
    if actual != gold.read_text(encoding="utf-8"):
        out = GOLD / "actual" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(actual, encoding="utf-8")
        pytest.fail(f"{name} differs from the gold file; see {out} (make gold-update if intended)")


def test_review_agenda_markdown() -> None:
    _gold("review.md", render_agenda_markdown(agenda(_backlog(), NOW, "Gold Org")))


def test_review_agenda_html() -> None:
    html = render_agenda_html(agenda(_backlog(), NOW, "Gold Org"))
    assert "Path &lt;injection&gt; &amp; invoice" in html  # escaped
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    _gold("review.html", html)


def test_review_agenda_terminal_in_80_columns() -> None:
    buffer = io.StringIO()
    render_agenda(
        agenda(_backlog(), NOW, "Gold Org"), Console(file=buffer, width=80, color_system=None)
    )
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    _gold("review.txt", text)


def test_report_security_section(tmp_path: Path) -> None:
    backlog = _backlog()
    views = [item_view(backlog, i, NOW) for i in backlog.items]
    open_views = [v for v in views if v.state.value in ("new", "triaged", "in_progress")]
    section = SecuritySection(
        as_of=NOW,
        currency="USD",
        open=len(open_views),
        untriaged=1,
        attainment=last_twelve_months(backlog, NOW),
        trend=quarterly_trend(backlog, NOW),
        breaches=tuple(v for v in open_views if v.breached),
        top_exposure=tuple(sorted(open_views, key=lambda v: -(v.expected_annual_loss or 0))[:3]),
        loss=loss_summary(backlog, NOW),
        last_review=day(9),
        gap_costs=(("AL.B.1", "1 postmortem(s), 180,000 USD"),),
    )
    base = _model(tmp_path)
    first_gap = base.scorecard.gaps[0].code
    model = base.model_copy(
        update={"security": section, "gap_costs": {first_gap: "1 postmortem(s), 60,000 USD"}}
    )
    markdown = render(model, "markdown")
    _gold("report_security.md", markdown[markdown.index("## What to do next") :])
    html = render(model, "html")
    assert 'id="security"' in html and "Security backlog</a>" in html
    terminal = render(model, "terminal", width=100)
    assert "Security backlog: 4 open (1 to triage)" in terminal
    assert "postmortems:" in terminal and "60,000 USD" in terminal  # wrapped in its cell
