"""The demo: one command, a believable organization, deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_maturity.cli.main import main


def _demo(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["demo", str(folder), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_scores_an_uneven_organization_deterministically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATURITY_DATABASE_URL", raising=False)
    monkeypatch.setenv("MATURITY_NOW", "2026-11-25T09:00:00+00:00")
    code, out, _ = _demo(tmp_path / "demo", capsys)
    assert code == 0
    assert "Northwind Parcel" in out and "What to do next" in out and "scorecard.html" in out
    report = json.loads((tmp_path / "demo" / "reports" / "scorecard.json").read_text())
    org = report["scorecard"]["organization"]
    assert len(org["pillars"]) == 8 and len(report["scorecard"]["units"]) == 4
    assert [h["name"] for h in report["history"]] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    scores = [h["score"] for h in report["history"]] + [org["score"]]
    assert scores == sorted(scores), "the demo organization improves quarter by quarter"
    unit_scores = [u["score"] for u in report["scorecard"]["units"]]
    assert max(unit_scores) - min(unit_scores) > 5, "teams are uneven"
    levels = {p["level"] for p in org["pillars"]}
    assert len(levels) > 1, "pillars reach different levels"
    # the same seed and day give the same organization; the folder is replaced
    first = (tmp_path / "demo" / "reports" / "scorecard.json").read_text()
    assert _demo(tmp_path / "demo", capsys)[0] == 0
    assert (tmp_path / "demo" / "reports" / "scorecard.json").read_text() == first
    assert _demo(tmp_path / "demo", capsys, "--seed", "8")[0] == 0
    assert (tmp_path / "demo" / "reports" / "scorecard.json").read_text() != first


def test_demo_refuses_a_folder_that_is_not_a_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    code, _, err = _demo(tmp_path / "mine", capsys)
    assert code == 2 and "not a demo workspace" in err
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
