"""Rendered reports compared with gold files (tests/gold/). Update: make gold-update."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from platform_maturity.domain.records import Answer, Measurement, Outcome, Waiver
from platform_maturity.engine.diff import diff_scopes
from platform_maturity.engine.evaluate import Facts
from platform_maturity.engine.scorecard import build_scorecard
from platform_maturity.framework.loader import BUILTIN_ROOT, load_framework
from platform_maturity.reports.model import ReportModel, build_report_model
from platform_maturity.reports.render import render

GOLD = Path(__file__).parent / "gold"
FIXTURE = Path(__file__).parent / "fixtures" / "mini-framework"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=60)


def _model(tmp_path: Path) -> ReportModel:
    root = tmp_path / "framework"
    shutil.copytree(FIXTURE, root)
    shutil.copy(BUILTIN_ROOT / "framework.yaml", root / "framework.yaml")
    shutil.copytree(BUILTIN_ROOT / "measures", root / "measures")
    framework = load_framework(root)

    def answer(code: str, unit: str | None, status: Outcome, at: datetime, **kw: str) -> Answer:
        return Answer(goal_code=code, unit=unit, status=status, answered_at=at, **kw)

    answers = [
        answer("AL.B.1", "red", Outcome.NOT_MET, EARLIER),
        answer("AL.B.1", "red", Outcome.MET, NOW - timedelta(days=5), note="make build"),
        answer("AL.B.1", "blue", Outcome.MET, EARLIER, evidence_url="https://example.com/b1"),
        answer("AL.B.2", "red", Outcome.PARTLY_MET, EARLIER, note="half the repos"),
        answer("AL.S.1", None, Outcome.MET, EARLIER),
        answer("AL.S.2", "blue", Outcome.NOT_APPLICABLE, EARLIER, reason="no deploys"),
        answer("BE.R.1", "red", Outcome.MET, EARLIER),
        answer("BE.R.1", "blue", Outcome.NOT_MET, NOW - timedelta(days=3)),
        answer("BE.R.2", None, Outcome.NOT_MET, EARLIER, note="<b>pager</b> & on-call"),
    ]
    waivers = [
        Waiver(
            goal_code="BE.R.3",
            unit=None,
            reason="later",
            owner="ops",
            expires_at=NOW + timedelta(days=30),
            created_at=EARLIER,
        )
    ]
    measurements = [
        Measurement(metric_id="alpha.lead-time", unit="red", value=1.5, measured_at=EARLIER),
        Measurement(metric_id="alpha.lead-time", unit="blue", value=3.5, measured_at=EARLIER),
        Measurement(metric_id="beta.uptime", unit=None, value=99.95, measured_at=EARLIER),
    ]
    facts = Facts(
        answers=answers,
        waivers=waivers,
        measurements=measurements,
        units=("red", "blue"),
        unit_names={"red": "Red team", "blue": "Blue team"},
    )
    before = build_scorecard(framework, facts, EARLIER + timedelta(days=1), "Gold Org")
    card = build_scorecard(framework, facts, NOW, "Gold Org")
    changes = diff_scopes("2026-Q3", before.organization, "now", card.organization)
    return build_report_model(framework, "Gold Org", card, [before], ["2026-Q3"], changes, NOW)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("terminal", "report.txt"),
        ("markdown", "report.md"),
        ("html", "report.html"),
        ("json", "report.json"),
    ],
)
def test_report_matches_gold(tmp_path: Path, fmt: str, name: str) -> None:
    actual = render(_model(tmp_path), fmt, width=110)
    gold = GOLD / name
    if os.environ.get("MATURITY_GOLD_UPDATE"):
        gold.parent.mkdir(parents=True, exist_ok=True)
        gold.write_text(actual, encoding="utf-8")
    assert gold.exists(), f"missing gold file {gold}; run 'make gold-update'"
    expected = gold.read_text(encoding="utf-8")
    if actual != expected:
        out = GOLD / "actual" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(actual, encoding="utf-8")
        pytest.fail(f"{name} differs from the gold file; see {out} (make gold-update if intended)")
