"""The command line, end to end on a real workspace (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from platform_maturity.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_answer_measure_snapshot_report_round_trip(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            capsys,
            "answer",
            "A.E.1",
            "--status",
            "met",
            "--unit",
            "alpha",
            "--note",
            "devcontainer",
            "--evidence",
            "https://example.com/x",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "answer",
            "immediate-integration/A.D.1",
            "--status",
            "partly",
            "--at",
            "2026-11-01",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "answer",
            "O.F.9",
            "--status",
            "not_applicable",
            "--reason",
            "no UI",
            "--unit",
            "beta",
        )[0]
        == 0
    )
    code, out, _ = run(
        capsys, "measure", "automation.ci-pipeline-duration", "4 min", "--unit", "alpha"
    )
    assert code == 0 and "on target" in out
    assert run(capsys, "snapshot", "create", "2026-Q4")[0] == 0
    code, out, _ = run(capsys, "snapshot", "list")
    assert "2026-Q4" in out
    code, out, _ = run(capsys, "snapshot", "list", "--unit", "alpha")
    assert code == 0 and "pillar scores: alpha" in out and "2026-Q4" in out
    assert run(capsys, "answer", "A.E.2", "--status", "met", "--unit", "alpha")[0] == 0
    code, out, _ = run(capsys, "diff", "2026-Q4", "now", "--format", "json")
    assert code == 0 and [g["code"] for g in json.loads(out)["improved"]] == ["A.E.2"]
    code, out, _ = run(capsys, "report", "--format", "json")
    report = json.loads(out)
    assert report["scorecard"]["organization"]["name"] == "Test Org"
    assert len(report["scorecard"]["organization"]["pillars"]) == 8
    code, out, _ = run(capsys, "report")
    assert code == 0 and "Automation" in out and "What to do next" in out
    for fmt, name in (("html", "r.html"), ("markdown", "r.md")):
        assert run(capsys, "report", "--format", fmt, "--out", name, "--unit", "alpha")[0] == 0
        assert (workspace_dir / name).stat().st_size > 1000


def test_answers_export_import_and_waivers(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "answer", "A.E.1", "--status", "met", "--unit", "alpha")
    assert run(capsys, "answers", "export", "answers.yaml")[0] == 0
    text = (workspace_dir / "answers.yaml").read_text()
    assert "A.E.1" in text
    (workspace_dir / "answers.yaml").write_text(
        text + "- {code: A.E.3, status: not_met, unit: beta}\n"
    )
    code, out, _ = run(capsys, "answers", "import", "answers.yaml")
    assert code == 0 and "1 recorded, 1 unchanged" in out
    assert (
        run(
            capsys,
            "waive",
            "R.T.7",
            "--reason",
            "after migration",
            "--owner",
            "lea",
            "--expires",
            "2027-03-01",
            "--unit",
            "beta",
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "waivers", "list")
    assert "R.T.7" in out and "active" in out
    code, out, _ = run(capsys, "audit")
    assert code == 0 and "waive" in out


def test_export_restore(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "answer", "A.E.1", "--status", "met")
    _, before, _ = run(capsys, "report", "--format", "json")
    assert run(capsys, "export", "state.json")[0] == 0
    run(capsys, "answer", "A.E.1", "--status", "not_met")
    assert run(capsys, "restore", "state.json", "--yes")[0] == 0
    _, after, _ = run(capsys, "report", "--format", "json")
    assert json.loads(after)["scorecard"] == json.loads(before)["scorecard"]


def test_restore_warns_of_units_maturity_yaml_does_not_define(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "answer", "A.E.1", "--status", "met", "--unit", "beta")
    assert run(capsys, "export", "state.json")[0] == 0
    config = workspace_dir / "maturity.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("  - slug: beta")], encoding="utf-8")
    code, out, _ = run(capsys, "restore", "state.json", "--yes")
    assert code == 0
    assert "names unit(s) beta that maturity.yaml does not define" in " ".join(out.split())


def test_interactive_assess_saves_each_answer_and_resumes(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("m\nall good\n\na\nno such thing\n\n\nq\n"))
    code, out, _ = run(capsys, "assess", "--pillar", "automation", "--unit", "alpha")
    assert code == 0 and "0 of 27 goals answered" in out and "saved A.E.1: met" in out
    assert "saved A.E.2: not applicable" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    code, out, _ = run(capsys, "assess", "--pillar", "automation", "--unit", "alpha")
    assert "2 of 27 goals answered" in out and "A.E.3" in out


def test_db_and_framework_commands(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "db", "status")
    assert "revision" in out
    code, out, _ = run(capsys, "framework", "validate")
    assert code == 0 and "8 pillars" in out
    code, out, _ = run(capsys, "framework", "show", "O.S.3")
    assert code == 0 and "O.R.3" in out
    code, out, _ = run(capsys, "framework", "show", "automation")
    assert code == 0 and "A.E.1" in out
    code, out, _ = run(capsys, "framework", "export", "--format", "wa-lens")
    assert code == 0 and json.loads(out)["schemaVersion"] == "2021-11-01"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("answer", "Z.Z.9", "--status", "met"), "unknown goal code"),
        (("answer", "A.E.1", "--status", "maybe"), "unknown status"),
        (("answer", "A.E.1", "--status", "met", "--unit", "gamma"), "unknown unit"),
        (("answer", "A.E.1", "--status", "not_applicable"), "needs a reason"),
        (("answer", "A.E.1", "--status", "met", "--at", "yesterday"), "not a date"),
        (("measure", "automation.ci-pipeline-duration", "5 percent"), "measured in min"),
        (("measure", "automation.nope", "5"), "unknown metric"),
        (("measure", "automation.ci-pipeline-duration", "fast"), "not a number"),
        (("framework", "show", "nothing"), "neither a pillar nor a goal"),
        (("framework", "export", "--format", "pdf"), "unknown export format"),
        (("report", "--format", "pdf"), "unknown report format"),
        (("report", "--unit", "gamma"), "unknown unit"),
        (("diff", "nope", "now"), "unknown snapshot"),
        (
            ("waive", "A.E.1", "--reason", "x", "--owner", "o", "--expires", "2020-01-01"),
            "in the past",
        ),
        (("answers", "import", "missing.yaml"), "file not found"),
        (("restore", "missing.json", "--yes"), "file not found"),
        (("assess", "--pillar", "nope"), "unknown pillar"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    run(capsys, "export", "before.json")
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    run(capsys, "export", "after.json")
    tables = lambda name: json.loads((workspace_dir / name).read_text())["tables"]  # noqa: E731
    assert {k: v for k, v in tables("before.json").items() if k != "audit_events"} == {
        k: v for k, v in tables("after.json").items() if k != "audit_events"
    }


def test_duplicate_snapshot_name(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "snapshot", "create", "q")[0] == 0
    code, _, err = run(capsys, "snapshot", "create", "q")
    assert code == 2 and "exists already" in err


def test_malformed_workspace_and_override(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace_dir / "maturity.yaml").write_text(
        "organization:\n  name: X\nunits:\n  - slug: Bad Slug\n"
    )
    code, _, err = run(capsys, "report")
    assert code == 2 and "maturity.yaml:4" in err and "units.0.slug" in err
    (workspace_dir / "maturity.yaml").write_text(
        "organization: {name: X}\nframework:\n  overrides: [over.yaml]\n"
    )
    (workspace_dir / "over.yaml").write_text("changes:\n  - goal: A.E.1\n    level: seven\n")
    code, _, err = run(capsys, "report")
    assert code == 2 and "over.yaml:3" in err and "level" in err
    (workspace_dir / "maturity.yaml").write_text("organization: {name: X\n")
    code, _, err = run(capsys, "report")
    assert code == 2 and "not valid YAML" in err


def test_no_workspace_and_unreachable_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "report")
    assert code == 2 and "maturity init" in err
    assert run(capsys, "init", "ws", "--name", "Acme")[0] == 0
    code, _, err = run(capsys, "init", "ws")
    assert code == 2 and "exists here already" in err
    monkeypatch.setenv("MATURITY_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, _, err = run(capsys, "--workspace", "ws", "report")
    assert code == 2 and "cannot reach the database" in err


def test_help_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("demo", "assess", "answer", "measure", "report", "snapshot", "framework"):
        assert command in out


WORKSPACE_COMMANDS = [
    ("assess",),
    ("answer", "A.E.1", "--status", "met"),
    ("answers", "export", "a.yaml"),
    ("answers", "import", "a.yaml"),
    ("waive", "A.E.1", "--reason", "r", "--owner", "o"),
    ("waivers", "list"),
    ("measure", "automation.ci-pipeline-duration", "5 min"),
    ("snapshot", "create", "q"),
    ("snapshot", "list"),
    ("diff", "a", "b"),
    ("report",),
    ("export", "state.json"),
    ("restore", "state.json", "--yes"),
    ("audit",),
    ("db", "upgrade"),
    ("db", "status"),
]


@pytest.mark.parametrize("argv", WORKSPACE_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_workspace_command_without_a_workspace_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and "no maturity.yaml" in err and "maturity init" in err


@pytest.mark.parametrize("argv", WORKSPACE_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_workspace_command_with_an_unreachable_database_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init", ".")[0] == 0
    (tmp_path / "state.json").write_text("{}")
    (tmp_path / "a.yaml").write_text("answers: []\n")
    monkeypatch.setenv("MATURITY_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, _, err = run(capsys, *argv)
    assert code == 2 and "cannot reach the database" in err and "MATURITY_DATABASE_URL" in err


def test_framework_validate_reports_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "framework", "validate")
    assert code == 0 and "8 pillars" in out
    code, _, err = run(capsys, "framework", "validate", "nowhere.yaml")
    assert code == 2 and "no such file" in err
    (tmp_path / "o.yaml").write_text("out_of_scope:\n  - code: O.F.9\n")
    code, _, err = run(capsys, "framework", "validate", "o.yaml")
    assert code == 2 and "o.yaml:2" in err and "reason" in err
    (tmp_path / "o.yaml").write_text("out_of_scope:\n  - {code: O.F.9, reason: no UI}\n")
    assert run(capsys, "framework", "validate", "o.yaml")[0] == 0
    code, out, _ = run(capsys, "framework", "export", "--format", "markdown", "--out", "f.md")
    assert code == 0 and (tmp_path / "f.md").read_text().startswith("#")


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("answers", {"status": "meh"}, "not an answer status"),
        ("answers", {"answered_at": "yesterday"}, "not an ISO 8601 time"),
        ("answers", {"goal_code": None}, "required value missing"),
        ("answers", {"colour": "red"}, "unknown column"),
        ("snapshots", {"scorecard_json": "{}"}, "scorecard cannot be read"),
    ],
)
def test_restore_checks_every_row_and_keeps_the_state(
    workspace_dir: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    change: dict[str, object],
    message: str,
) -> None:
    run(capsys, "answer", "A.E.1", "--status", "met")
    run(capsys, "snapshot", "create", "q")
    run(capsys, "export", "good.json")
    state = json.loads((workspace_dir / "good.json").read_text())
    state["tables"][table][0].update(change)
    (workspace_dir / "bad.json").write_text(json.dumps(state))
    code, _, err = run(capsys, "restore", "bad.json", "--yes")
    assert code == 2 and message in err and f"tables.{table}.0" in err
    _, report, _ = run(capsys, "report", "--format", "json")
    goals = [
        g
        for p in json.loads(report)["scorecard"]["organization"]["pillars"]
        for c in p["categories"]
        for g in c["goals"]
        if g["code"] == "A.E.1"
    ]
    assert goals[0]["outcome"] == "met"


def test_restore_is_recorded_in_the_audit_trail(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "answer", "A.E.1", "--status", "met")
    run(capsys, "export", "s.json")
    assert run(capsys, "restore", "s.json", "--yes")[0] == 0
    _, out, _ = run(capsys, "audit")
    assert "restore" in out and "s.json" in out


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (("answr",), "No such command"),
        (("answer",), "Missing argument"),
        (("report", "--colour"), "No such option"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], text: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and text in out + err and "Traceback" not in out + err


def test_declining_the_restore_prompt_aborts(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "export", "s.json")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, err = run(capsys, "restore", "s.json")
    assert code == 1 and "Aborted" in out + err


def test_relative_workspace_paths_keep_the_database_inside_the_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATURITY_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init", "ws")[0] == 0
    assert run(capsys, "--workspace", "ws", "answer", "A.E.1", "--status", "met")[0] == 0
    assert (tmp_path / "ws" / ".maturity" / "maturity.db").exists()
    assert not (tmp_path / "ws" / "ws").exists()
    monkeypatch.chdir(tmp_path / "ws")
    _, out, _ = run(capsys, "answers", "export", "a.yaml")
    assert "Wrote 1 answers" in out


def test_writing_to_a_folder_is_a_clear_error(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace_dir / "out").mkdir()
    code, _, err = run(capsys, "report", "--format", "markdown", "--out", "out")
    assert code == 2 and "Is a directory" in err


def test_the_command_table_names_the_module_of_every_command() -> None:
    import importlib

    import typer

    from platform_maturity.cli.app import build_app
    from platform_maturity.cli.main import COMMAND_MODULES, command_name

    registered: dict[str, str] = {}
    for module_name in dict.fromkeys(COMMAND_MODULES.values()):
        app = typer.Typer()
        importlib.import_module(f"platform_maturity.cli.{module_name}").register(app)
        names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
        registered.update(dict.fromkeys((n for n in names if n), module_name))
    assert registered == COMMAND_MODULES
    full = typer.main.get_command(build_app())
    assert sorted(full.commands) == sorted(COMMAND_MODULES)  # type: ignore[attr-defined]
    assert command_name(["-w", "scan", "report", "--unit", "x"]) == "report"
    assert command_name(["--workspace", "ws", "scan", "."]) == "scan"
    assert command_name(["--help"]) is None
    assert command_name(["--help", "scan"]) is None


def test_a_command_line_loads_only_the_module_of_its_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from platform_maturity.cli.main import main\n"
        "main(['scan', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('platform_maturity.cli.')))\n"
        "print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout.splitlines()
    loaded = [
        f"platform_maturity.cli.{m}" for m in ("app", "common", "main", "scan_cmd", "scan_run")
    ]
    assert out[-2] == str(loaded)
    assert out[-1] == "False False"
