"""``maturity backlog`` and ``maturity postmortem`` end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from platform_maturity.cli.main import main

SCANNERS = Path(__file__).parent / "fixtures" / "scanners"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_backlog_from_the_command_line(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys,
        "backlog",
        "add",
        "--title",
        "SQL injection in search",
        "--component",
        "storefront",
        "--risk",
        "4",
        "--impact",
        "4",
        "--reported",
        "2026-11-19",
        "--unit",
        "alpha",
    )
    assert code == 0 and "Added SEC-1 (triaged, severity 16)" in out
    code, out, _ = run(
        capsys, "backlog", "add", "-t", "Open bucket", "-c", "data", "--format", "json"
    )
    assert code == 0 and json.loads(out)["state"] == "new"
    code, out, _ = run(capsys, "backlog", "triage", "SEC-2", "--risk", "2", "--impact", "3")
    assert code == 0 and "severity 6 (medium: resolve within 3 months)" in out
    assert (
        run(capsys, "backlog", "update", "SEC-1", "--state", "in_progress", "--owner", "lea")[0]
        == 0
    )
    code, out, _ = run(capsys, "backlog", "list")
    assert code == 0 and "SEC-1" in out and "SEC-2" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run(capsys, "backlog", "list", "--format", "json", "--band", "high")
    assert [v["key"] for v in json.loads(out)] == ["SEC-1"]
    code, out, _ = run(capsys, "backlog", "show", "SEC-1", "--format", "json")
    shown = json.loads(out)
    assert shown["status"]["band"] == "high" and shown["history"][-1]["new_value"] == "in_progress"
    code, out, _ = run(capsys, "backlog", "show", "SEC-1")
    assert "risk 4 (Likely) × impact 4 (Major) = 16" in out
    # refused: a forbidden transition, an out-of-range score, an unknown item; nothing changes
    code, _, err = run(capsys, "backlog", "update", "SEC-1", "--state", "new")
    assert code == 2 and "cannot move to new" in err
    code, _, err = run(capsys, "backlog", "triage", "SEC-2", "--risk", "7", "--impact", "1")
    assert code == 2 and "scores run from 1 to 5" in err
    code, _, err = run(capsys, "backlog", "close", "SEC-9")
    assert code == 2 and "no backlog item" in err
    code, _, err = run(
        capsys,
        "backlog",
        "accept",
        "SEC-2",
        "--approver",
        "cto",
        "--reason",
        "ok for now",
        "--expires",
        "2028-01-01",
    )
    assert code == 2 and "at most a year" in err
    assert (
        run(capsys, "backlog", "accept", "SEC-2", "--approver", "cto", "--reason", "ok for now")[0]
        == 0
    )
    assert run(capsys, "backlog", "close", "SEC-1", "--reason", "parameterized")[0] == 0
    code, out, _ = run(capsys, "backlog", "list", "--all", "--format", "json")
    assert {v["key"]: v["state"] for v in json.loads(out)} == {
        "SEC-1": "resolved",
        "SEC-2": "risk_accepted",
    }
    code, out, _ = run(capsys, "audit", "--limit", "5")
    assert code == 0 and "SEC-1" in out


def test_imports_reviews_attainment_and_evidence(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "backlog",
        "import",
        str(SCANNERS / "trivy" / "image.json"),
        str(SCANNERS / "sarif" / "codeql.json"),
        "--unit",
        "beta",
    )
    assert code == 0 and "Imported" in out and "wait for triage" in out
    code, out, _ = run(
        capsys, "backlog", "import", str(SCANNERS / "trivy" / "image.json"), "--output", "json"
    )
    (again,) = json.loads(out)
    assert again["scan"]["created"] == 0 and again["scan"]["updated"] == 6
    code, _, err = run(
        capsys, "backlog", "import", str(SCANNERS / "osv" / "lockfiles.json"), "--format", "trivy"
    )
    assert code == 2 and "SchemaVersion" in err
    code, out, _ = run(capsys, "backlog", "scans")
    assert code == 0 and "trivy" in out and "#3" in out
    code, out, _ = run(capsys, "backlog", "list", "--state", "new", "--format", "json")
    assert len(json.loads(out)) == 8 and all(v["unit"] == "beta" for v in json.loads(out))
    code, out, _ = run(capsys, "backlog", "review", "--format", "markdown")
    assert code == 0 and "## 1. New items to triage (8)" in out
    code, _, err = run(capsys, "backlog", "review", "--format", "html")
    assert code == 2 and "--out" in err
    assert run(capsys, "backlog", "review", "--format", "html", "--out", "agenda.html")[0] == 0
    assert "Security backlog review" in (workspace_dir / "agenda.html").read_text()
    assert run(capsys, "backlog", "reviewed", "--attendee", "cto", "--notes", "scored all")[0] == 0
    code, out, _ = run(capsys, "backlog", "attainment", "--format", "json")
    assert json.loads(out)["period"]["untriaged_at_end"] == 8
    code, out, _ = run(capsys, "backlog", "evidence", "--from", "2026-01-01")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8 and rows[0]["outcome"] == "awaiting triage" and "resolve_due" in rows[0]
    assert (
        run(
            capsys,
            "backlog",
            "evidence",
            "--from",
            "2026-01-01",
            "--format",
            "json",
            "-o",
            "ev.json",
        )[0]
        == 0
    )
    evidence = json.loads((workspace_dir / "ev.json").read_text())
    assert evidence["format"] == "platform-maturity-sla-evidence" and len(evidence["items"]) == 8
    code, _, err = run(capsys, "backlog", "evidence", "--from", "2027-01-01", "--to", "2026-01-01")
    assert code == 2 and "empty" in err
    code, out, _ = run(capsys, "backlog", "policy")
    assert code == 0 and "Almost certain" in out and "start at once" in out


def test_restricted_by_default_in_reports_and_exports(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        "backlog",
        "add",
        "-t",
        "Leaked deploy key",
        "-c",
        "ci",
        "--risk",
        "3",
        "--impact",
        "4",
    )
    code, out, _ = run(capsys, "report", "--format", "json")
    assert json.loads(out)["security"] is None and "Leaked deploy key" not in out
    code, out, _ = run(capsys, "report", "--format", "json", "--include-security")
    assert json.loads(out)["security"]["open"] == 1
    code, out, _ = run(capsys, "report", "--format", "markdown", "--include-security")
    assert "## Security backlog (restricted)" in out
    assert run(capsys, "export", "plain.json")[0] == 0
    assert "Leaked deploy key" not in (workspace_dir / "plain.json").read_text()
    assert run(capsys, "export", "full.json", "--include-security")[0] == 0
    assert "Leaked deploy key" in (workspace_dir / "full.json").read_text()
    code, _, err = run(capsys, "restore", "plain.json", "--yes")
    assert code == 2 and "--drop-security" in err
    assert run(capsys, "restore", "full.json", "--yes")[0] == 0
    assert "SEC-1" in run(capsys, "backlog", "list")[1]


def test_postmortems_from_the_command_line(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        "backlog",
        "add",
        "-t",
        "Admin API without MFA",
        "-c",
        "platform",
        "--risk",
        "4",
        "--impact",
        "4",
    )
    code, out, _ = run(
        capsys,
        "postmortem",
        "add",
        "SEC-1",
        "--summary",
        "Password-only admin logins",
        "--cause",
        "an old allow-list",
        "--gap",
        "S.A.3",
        "--cost",
        "60k",
        "--action",
        "SSO for the admin API | platform | 2026-12-15",
    )
    assert code == 0 and "Wrote PM-1 about SEC-1." in out
    code, _, err = run(
        capsys,
        "postmortem",
        "add",
        "SEC-1",
        "--summary",
        "x" * 5,
        "--cause",
        "y" * 5,
        "--gap",
        "Q.Q.1",
    )
    assert code == 2 and "unknown goal code" in err
    code, _, err = run(
        capsys,
        "postmortem",
        "add",
        "SEC-1",
        "--summary",
        "x" * 5,
        "--cause",
        "y" * 5,
        "--cost",
        "lots",
    )
    assert code == 2 and "not an amount of money" in err
    assert run(capsys, "postmortem", "done", "PM-1", "1")[0] == 0
    code, out, _ = run(capsys, "postmortem", "show", "PM-1", "--format", "json")
    assert json.loads(out)["action_items"][0]["done_at"] is not None
    code, out, _ = run(capsys, "postmortem", "gaps", "--include-security")
    assert "S.A.3" in out and "60,000 USD" in out
    code, out, _ = run(capsys, "postmortem", "gaps")
    assert "S.A.3" not in out and "--include-security" in out
    code, out, _ = run(capsys, "report", "--format", "json", "--include-security")
    assert json.loads(out)["gap_costs"] == {"S.A.3": "1 postmortem(s), 60,000 USD"}


def test_help_explains_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backlog", "--help")
    assert code == 0
    for command in (
        "add",
        "triage",
        "update",
        "list",
        "show",
        "close",
        "accept",
        "review",
        "import",
        "securitytxt",
    ):
        assert command in out
