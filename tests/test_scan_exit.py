"""`maturity scan` exit codes (--fail-on, a scan that read nothing) and evidence replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_maturity.cli import scan_run
from platform_maturity.domain.scans import SEVERITIES, failing_at_or_above, uncovered_roots
from platform_maturity.services.scan import catalog_for
from tests.test_scan import goal, manifest, manifests, run

__all__ = ["manifests"]  # the fixture, shared with test_scan


def _failing_levels(document: dict[str, object]) -> set[str]:
    """The severities of the failing, non-waived findings of a scan's JSON output."""
    severity = {c.id: c.severity for c in catalog_for(None).checks}
    findings = document["findings"]
    assert isinstance(findings, list)
    return {
        severity[f["check"]]
        for f in findings
        if f["passed"] is False and not f["waived"] and f["check"] in severity
    }


def test_fail_on_exits_1_at_or_above_the_threshold_only(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "scan", "--format", "json", "--no-store")
    levels = _failing_levels(json.loads(out))
    assert code == 0 and "high" in levels  # run-as-non-root fails; no --fail-on: exit 0
    highest = max(SEVERITIES.index(level) for level in levels)
    for index, level in enumerate(SEVERITIES):
        code, out, err = run(capsys, "scan", "--format", "json", "--fail-on", level)
        expected = 1 if index <= highest else 0
        assert code == expected, (level, err)
        assert json.loads(out)["findings"]  # the output is written either way
        assert ("--fail-on" in err) == (expected == 1)
    # the scans that exited 1 were stored all the same
    assert json.loads(run(capsys, "scan", "--format", "json")[1])["scan_id"] == len(SEVERITIES) + 1
    code, out, err = run(capsys, "scan", "--fail-on", "low")
    assert code == 1 and "k8s.container-run-as-non-root" in out
    assert "at severity low or higher" in err


def test_fail_on_does_not_count_waived_findings(
    manifests: Path, workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (workspace_dir / "maturity.yaml").read_text()
    (workspace_dir / "maturity.yaml").write_text(
        config + "scan:\n  exemptions:\n    - {check: '*', subject: '*', reason: accepted}\n"
    )
    code, out, err = run(capsys, "scan", "--format", "json", "--fail-on", "low")
    findings = json.loads(out)["findings"]
    assert any(f["passed"] is False and f["waived"] for f in findings)
    assert not any(f["passed"] is False and not f["waived"] for f in findings)
    assert code == 0, err


def test_fail_on_rejects_an_unknown_severity(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "scan", "--fail-on", "severe")
    assert code == 2 and "--fail-on" in err and "'severe'" in err and "critical" in err
    assert scan_run.SEVERITIES == SEVERITIES


def test_a_scan_that_reads_nothing_is_an_error_and_stores_nothing(
    manifests: Path, workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads(run(capsys, "scan", "--format", "json")[1])
    (workspace_dir / "empty").mkdir()
    (workspace_dir / "empty" / "notes.txt").write_text("no manifests here\n")
    for extra in ((), ("--no-store",)):
        code, out, err = run(capsys, "scan", "empty", "--format", "json", *extra)
        assert code == 2 and out == ""
        assert "read no inputs" in err and str((workspace_dir / "empty").resolve()) in err
        assert "Nothing was stored" in err
    report = json.loads(run(capsys, "report", "--format", "json")[1])
    assert goal(report, "S.A.20")["source"] == "scan"  # the earlier scan still counts
    again = json.loads(run(capsys, "scan", "--format", "json")[1])
    assert again["scan_id"] == first["scan_id"] + 1


def test_a_scan_that_leaves_earlier_roots_uncovered_warns(
    manifests: Path, workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = workspace_dir / "other"
    other.mkdir()
    (other / "app.yaml").write_text(manifest("cart"))
    code, _, err = run(capsys, "scan")
    assert code == 0 and "Warning" not in err  # the first scan replaces nothing
    code, _, err = run(capsys, "scan", "other")
    assert code == 0
    assert "scan #2 is now the evidence" in err
    assert f"  {manifests.resolve()}\n" in err
    assert "--no-store" in err and "evidence: of maturity.yaml" in err
    # the configured paths again do not cover the one-off scan's root either
    code, _, err = run(capsys, "scan")
    assert code == 0 and f"  {other.resolve()}\n" in err
    # a scan of the same roots, or of a folder that holds them, warns of nothing
    code, _, err = run(capsys, "scan", "k8s")
    assert code == 0 and "Warning" not in err
    code, _, err = run(capsys, "scan", ".")
    assert code == 0 and "Warning" not in err
    # a sub-folder of what was scanned before does not cover it
    code, _, err = run(capsys, "scan", "k8s", "--format", "json")
    assert code == 0 and f"  {workspace_dir.resolve()}\n" in err
    # --no-store replaces nothing, so it warns of nothing
    code, _, err = run(capsys, "scan", "other", "--no-store")
    assert code == 0 and "Warning" not in err


def test_failing_at_or_above_and_uncovered_roots_are_pure() -> None:
    checks = catalog_for(None).checks
    with pytest.raises(ValueError, match="unknown severity"):
        failing_at_or_above([], checks, "severe")
    assert failing_at_or_above([], checks, "low") == []
    assert uncovered_roots(["/a/b", "/c", "/d/e"], ["/a", "/d/e/f"]) == ["/c", "/d/e"]
    assert uncovered_roots([], ["/a"]) == []
    assert uncovered_roots(["/ab"], ["/a"]) == ["/ab"]
