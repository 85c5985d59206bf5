"""The watcher's own incidents (issue 6) reach the KPI engine beside imported ones: mean
time to respond counts them per severity, in the unit that owns the component."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from platform_maturity.cli.main import main
from tests.conftest import NOW


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_incidents_opened_here_count_for_mean_time_to_respond(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "component", "add", "auth", "--name", "Authentication", "--unit", "alpha")
    opened = NOW - timedelta(days=10)
    monkeypatch.setenv("MATURITY_NOW", opened.isoformat())
    run(
        capsys,
        "incident",
        "open",
        "--component",
        "auth",
        "--title",
        "Log-in fails",
        "--severity",
        "sev1",
        "--started",
        (opened - timedelta(minutes=5)).isoformat(),
    )
    listed = json.loads(run(capsys, "incident", "list", "--all", "--format", "json"))
    key = str(listed[0]["id"])
    monkeypatch.setenv("MATURITY_NOW", (opened + timedelta(hours=3)).isoformat())
    run(capsys, "incident", "resolve", key)
    monkeypatch.setenv("MATURITY_NOW", NOW.isoformat())
    report = json.loads(run(capsys, "kpi", "--format", "json"))
    mttr = next(k for k in report["kpis"] if k["id"] == "mean-time-to-respond")
    (s1,) = [b for b in mttr["current"]["breakdowns"] if b["label"] == "incidents · S1"]
    assert s1["stats"]["n"] == 1
    assert s1["value"] == pytest.approx(3.0)
    unit = json.loads(run(capsys, "kpi", "--format", "json", "--unit", "alpha"))
    mttr = next(k for k in unit["kpis"] if k["id"] == "mean-time-to-respond")
    assert any(b["label"] == "incidents · S1" for b in mttr["current"]["breakdowns"])
