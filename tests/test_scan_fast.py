"""A scan command line is read without Typer when it is well formed: the quick reading must
give exactly what Typer gives, and leave every other line (help, mistakes) to Typer."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_maturity.cli import scan_run
from platform_maturity.cli.main import main
from platform_maturity.cli.scan_run import ScanRequest, read_scan_line

WELL_FORMED = [
    ["scan"],
    ["scan", "."],
    ["scan", "a", "b/c", "--no-store"],
    ["-w", "ws", "scan", "repos", "--format", "json", "--out", "scan.json"],
    ["--workspace", "ws", "scan", "--no-store", "-f", "sarif", "-o", "x.sarif", "manifests"],
    ["scan", "one", "--format=json", "two", "--fail-on", "high", "three"],
    ["scan", "--fail-on=critical", "--no-store", "--format", "terminal"],
    ["scan", "--list-checks"],
    ["scan", "-fjson", "-ox.json", "p"],
    ["scan", "--format", "json", "--format", "sarif", "p"],  # the last one counts
    ["scan", "--format", "yaml"],  # a bad value: both read it; execute() refuses it
    ["scan", "--fail-on", "urgent"],
    ["scan", "-f=json"],  # the value is "=json", as Click reads it; execute() refuses it
    ["scan", "--no-store", "--no-store", "-o", "a", "--out=b"],
    ["-w", "ws", "-w", "other", "scan"],
]

FOR_TYPER = [
    ["scan", "--help"],
    ["scan", "p", "--help"],
    ["--help", "scan"],
    ["scan", "-h"],
    ["scan", "--unknown"],
    ["scan", "--form", "json"],  # an abbreviation: Typer does not take them either
    ["scan", "--format"],
    ["scan", "--no-store=yes"],
    ["scan", "--format="],
    ["scan", "--out", "-"],
    ["scan", "-"],
    ["scan", "-x"],
    ["scan", "--list-checks=no"],
    ["scan", "--", "-odd-name"],
    ["-w", "scan"],
    ["-wws", "scan"],
    ["--workspace=ws", "scan"],
    ["report"],
    [],
]


def typer_reading(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[Path | None, object]:
    """What the Typer command passes on for ``argv``."""
    seen: list[tuple[Path | None, object]] = []

    def record(request: ScanRequest, workspace: Path | None) -> int:
        seen.append((workspace, request))
        return 0

    monkeypatch.setattr(scan_run, "fast_scan", lambda _argv: None)  # Typer reads every line
    monkeypatch.setattr(scan_run, "execute", record)
    code = main(argv)
    monkeypatch.undo()
    assert code == 0 and len(seen) == 1, f"Typer did not run the scan for {argv}"
    return seen[0]


@pytest.mark.parametrize("argv", WELL_FORMED, ids=" ".join)
def test_the_quick_reading_of_a_scan_line_is_typers(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_scan_line(argv) == typer_reading(argv, monkeypatch)


@pytest.mark.parametrize("argv", FOR_TYPER, ids=lambda a: " ".join(a) or "(none)")
def test_help_mistakes_and_other_commands_are_left_to_typer(argv: list[str]) -> None:
    assert read_scan_line(argv) is None


def test_the_options_of_the_typer_command_are_all_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new option of the Typer command must be taught to the quick reading too."""
    import typer

    from platform_maturity.cli.app import build_app

    group = typer.main.get_command(build_app("scan"))
    command = group.commands["scan"]  # type: ignore[attr-defined]
    typer_options = sorted(
        o for p in command.params for o in p.opts if o.startswith("-") and o != "--help"
    )
    quick_options = sorted([*scan_run.VALUED_OPTIONS, *scan_run.FLAG_OPTIONS])
    assert quick_options == typer_options
    fields = set(ScanRequest.__dataclass_fields__)
    assert {p.name for p in command.params} - {"help"} == fields
    set_by_options = {*scan_run.VALUED_OPTIONS.values(), *scan_run.FLAG_OPTIONS.values()}
    assert set_by_options == fields - {"paths"}
    flags = sorted(
        o for p in command.params if getattr(p, "is_flag", False) for o in p.opts if o != "--help"
    )
    assert sorted(scan_run.FLAG_OPTIONS) == flags


def test_typer_reports_what_the_quick_reading_leaves(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--unknown"]) == 2
    assert "No such option" in capsys.readouterr().err
    assert main(["scan", "--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out
