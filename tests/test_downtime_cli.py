"""Downtime commands end to end on a real workspace (SQLite and PostgreSQL): editing
components and flows in maturity.yaml, running probes against a local service, importing
Gatus, signals, incidents by hand, postmortems with money figures, the status page, and
bad input refused with exit 2 and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from platform_maturity.cli.main import main
from tests.downtime_servers import http_service

FIXTURES = Path(__file__).parent / "fixtures" / "gatus"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _setup(capsys: pytest.CaptureFixture[str], workspace_dir: Path) -> None:
    config = workspace_dir / "maturity.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "# the team's own note, kept by edits\n",
        encoding="utf-8",
    )
    assert (
        run(
            capsys,
            "component",
            "add",
            "auth",
            "--name",
            "Authentication",
            "--owner",
            "ines@example.com",
            "--unit",
            "alpha",
            "--revenue-per-minute",
            "120",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "flow",
            "add",
            "auth",
            "login",
            "--name",
            "Log in and land on the feed",
            "--budget",
            "500ms",
            "--step",
            "Open the login page",
            "--step",
            "Submit",
            "--detection",
            "synthetic",
        )[0]
        == 0
    )
    assert (
        run(capsys, "component", "escalation", "auth", "0=ines@example.com", "15=lead@example.com")[
            0
        ]
        == 0
    )


def test_components_and_flows_are_edited_in_maturity_yaml_keeping_comments(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(capsys, workspace_dir)
    text = (workspace_dir / "maturity.yaml").read_text(encoding="utf-8")
    assert "# the team's own note, kept by edits" in text
    data = yaml.safe_load(text)["downtime"]["components"][0]
    assert data["flows"][0]["latency_budget_ms"] == 500
    assert data["escalation"][1] == {"notify": ["lead@example.com"], "after_minutes": 15}
    code, out, _ = run(capsys, "component", "list")
    assert code == 0 and "Log in and land on the feed" in out and "500 ms" in out
    code, out, _ = run(capsys, "component", "list", "--format", "json")
    assert json.loads(out)[0]["flows"][0]["covered_by"] == ["synthetic"]
    # refused: an unknown unit, a duplicate id, a bad budget, an escalation going back in time
    before = (workspace_dir / "maturity.yaml").read_text(encoding="utf-8")
    for argv, message in [
        (("component", "add", "feed", "--name", "Feed", "--unit", "gamma"), "unknown unit"),
        (("component", "add", "auth", "--name", "Again"), "a component with this id exists"),
        (("flow", "add", "auth", "x", "--name", "Thing", "--budget", "fast"), "not a duration"),
        (("component", "escalation", "auth", "10=a@example.com", "5=b@example.com"), "come later"),
        (("component", "escalation", "auth", "0=webhook:nope"), "names no webhook"),
        (("component", "add", "Bad Id", "--name", "x y"), "lower case letters"),
    ]:
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert message in err, (argv, err)
    assert (workspace_dir / "maturity.yaml").read_text(encoding="utf-8") == before


def _add_probe(workspace_dir: Path, probe: dict[str, object]) -> None:
    path = workspace_dir / "maturity.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["downtime"].setdefault("probes", []).append(probe)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_probe_run_prints_results_and_records_them(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(capsys, workspace_dir)
    with http_service() as service:
        _add_probe(
            workspace_dir,
            {
                "name": "home",
                "flow": "auth/login",
                "url": service.url + "/",
                "conditions": ["[STATUS] == 200"],
            },
        )
        code, out, _ = run(capsys, "probe", "run", "--record")
        assert code == 0 and "1 of 1 passed" in out
        service.behaviour.mode = "fail"
        code, out, _ = run(capsys, "probe", "run", "home", "--format", "json")
        result = json.loads(out)["results"][0]
        assert code == 1 and result["ok"] is False and result["error"] == "[STATUS] (503) == 200"
    code, _, err = run(capsys, "probe", "run", "nothere")
    assert code == 2 and "no probe with this name" in err
    monkeypatch.setenv("MATURITY_NOW", "2026-11-20T13:00:00+00:00")  # an hour monitored
    code, out, _ = run(capsys, "uptime", "--format", "json")
    assert code == 0 and json.loads(out)["components"][0]["percent"] == 100.0


def test_gatus_import_warns_for_what_it_skips_and_writes_probes(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "probe", "import-gatus", str(FIXTURES / "config.yaml"))
    assert code == 0
    probes = yaml.safe_load(out)["probes"]
    names = [p["name"] for p in probes]
    assert names == ["login", "api-health", "postgres", "dns", "checkout-suite"]
    assert probes[-1]["steps"][1]["headers"]["Authorization"] == "Bearer [CONTEXT].token"
    for expected in (
        "skipped top-level 'alerting'",
        "endpoint 'login': skipped 'alerts'",
        "endpoint 'ping': left out, 'icmp' checks are not supported",
        "endpoint 'squeezed': left out, its condition is refused",
        "endpoint 'cert-days': left out, its condition is refused",
        "endpoint 'no-group': left out, it has no group",
    ):
        assert expected in err, expected
    code, out, _ = run(capsys, "probe", "import-gatus", str(FIXTURES / "config.yaml"), "--write")
    assert code == 0 and "Added 5 probe(s)" in out
    code, out, _ = run(capsys, "probe", "list")
    assert code == 0 and "checkout-suite" in out
    # the same names again are refused, the file unchanged
    before = (workspace_dir / "maturity.yaml").read_text(encoding="utf-8")
    code, _, err = run(capsys, "probe", "import-gatus", str(FIXTURES / "config.yaml"), "--write")
    assert code == 2 and "exist already" in err
    assert (workspace_dir / "maturity.yaml").read_text(encoding="utf-8") == before


def test_signals_open_incidents_and_the_incident_lifecycle_ends_in_a_postmortem(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _setup(capsys, workspace_dir)
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            json.dumps(
                {
                    "kind": "runtime",
                    "target": "auth/login",
                    "at": f"2026-11-20T11:{m:02d}:00Z",
                    "source": "api",
                }
            )
            for m in range(52, 58)
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "signal", "ingest", str(events))
    assert code == 0 and "Recorded 6 signal(s)" in out and "Opened INC-1" in out
    code, out, _ = run(capsys, "incident", "show", "INC-1", "--format", "json")
    shown = json.loads(out)
    assert shown["method"] == "runtime" and shown["started"].startswith("2026-11-20T11:52")
    assert run(capsys, "incident", "ack", "INC-1", "-m", "looking")[0] == 0
    code, _, err = run(capsys, "incident", "ack", "1")
    assert code == 2 and "already acknowledged by tester" in err
    assert (
        run(
            capsys,
            "incident",
            "update",
            "INC-1",
            "Logins fail for some users",
            "--public",
            "--status",
            "identified",
        )[0]
        == 0
    )
    # a postmortem needs a resolved incident
    code, _, err = run(
        capsys, "incident", "postmortem", "INC-1", "--summary", "x y z", "--cause", "a b c"
    )
    assert code == 2 and "still open" in err
    assert run(capsys, "incident", "resolve", "INC-1", "-m", "rolled back", "--public")[0] == 0
    out_file = tmp_path / "pm.md"
    code, out, _ = run(
        capsys,
        "incident",
        "postmortem",
        "INC-1",
        "--summary",
        "Logins failed after a deploy.",
        "--cause",
        "A session cookie change broke older clients.",
        "--gap",
        "O.T.3",
        "--action",
        "Add a login probe | ines@example.com | 2026-12-01",
        "--users",
        "340",
        "--responders",
        "2",
        "--out",
        str(out_file),
    )
    assert code == 0, out
    markdown = out_file.read_text(encoding="utf-8")
    # 8 min (11:52 → 12:00) × 120/min = 960 lost
    assert "lost revenue 960 USD" in markdown
    assert "| 1 | Add a login probe | prevent |" not in markdown  # kind only when given
    assert "- **O.T.3** — Every critical user journey" in markdown
    assert "Users affected: 340." in markdown
    assert "120 USD per minute of downtime × 8 min × 100 % of the revenue" in markdown
    assert "First detected by runtime signal" in markdown
    assert "acknowledged: Acknowledged by tester: looking" in markdown
    code, out, _ = run(capsys, "incident", "records")
    (record,) = json.loads(out)
    assert record["id"] == "INC-1" and record["detection_method"] == "runtime"
    assert record["acknowledged"] is not None and record["resolved"].startswith("2026-11-20T12:00")
    code, out, _ = run(capsys, "status", "build", "--out", str(tmp_path / "status"))
    assert code == 0
    public = (tmp_path / "status" / "index.html").read_text(encoding="utf-8")
    assert "Logins fail for some users" in public and "looking" not in public
    internal = (tmp_path / "status" / "internal.html").read_text(encoding="utf-8")
    assert "looking" in internal and "INC-1" in internal
    # the whole history leaves and comes back with export and restore
    _, before, _ = run(capsys, "incident", "show", "INC-1", "--format", "json")
    assert run(capsys, "export", str(tmp_path / "state.json"))[0] == 0
    assert run(capsys, "restore", str(tmp_path / "state.json"), "--yes")[0] == 0
    _, after, _ = run(capsys, "incident", "show", "INC-1", "--format", "json")
    assert json.loads(after) == json.loads(before)


def test_bad_signal_files_name_the_line_and_store_nothing(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _setup(capsys, workspace_dir)
    cases = {
        '{"target": "auth/login"}\nnot json\n': ":2: not valid JSON",
        '{"target": "auth/nope"}\n': "has no such flow",
        '{"target": "auth", "kind": "rumour"}\n': "unknown kind",
        '{"target": "auth", "at": "2026-11-20T10:00:00"}\n': "the time has no zone",
        '{"target": "auth", "at": "2030-01-01T00:00:00Z"}\n': "the time is in the future",
        '[{"target": "auth"}, {"target": "ghost"}]': "entry 2: no such component",
    }
    for text, message in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "signal", "ingest", str(path))
        assert code == 2 and message in err, (text, err)
    code, out, _ = run(capsys, "uptime", "--format", "json")
    assert json.loads(out)["components"][0]["percent"] is None  # nothing was stored
    code, _, err = run(
        capsys, "incident", "open", "--component", "auth", "--title", "Broken", "--severity", "sev9"
    )
    assert code == 2 and "unknown severity" in err
    code, out, _ = run(capsys, "signal", "user-report", "auth", "-m", "cannot log in")
    assert code == 0 and "Recorded 1 user report(s)" in out
