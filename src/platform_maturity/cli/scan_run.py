"""What ``maturity scan`` does, and a quick reading of its usual command lines.

The Typer command (:mod:`.scan_cmd`) defines the command line, its help and its errors.
A scan is what CI pipelines and pre-commit hooks run on every change, where most of a
small scan's time used to go to starting Typer (which builds a Pydantic adapter per
parameter). So :func:`fast_scan` reads a plainly well-formed scan command line itself (the
few options of the Typer command, in the forms Typer takes them) and runs
:func:`execute` directly; anything else (``--help``, a mistake, an unusual form) goes to
Typer, which says what it says today. Both paths run the same :func:`execute`, and a test
holds the two readings of the command line to the same result.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_maturity.cli.common import actor, console, now, one_of, progress_bar
from platform_maturity.services.settings import find_optional_workspace, find_workspace

if TYPE_CHECKING:
    from platform_maturity.domain.scans import ScanSummary
    from platform_maturity.services.scan import Progress
    from platform_maturity.services.scan_settings import ScanSettings

FORMATS = ("terminal", "json", "sarif")
SEVERITIES = ("low", "medium", "high", "critical")  # as domain.scans (not imported at start-up)


@dataclass(frozen=True)
class ScanRequest:
    """A ``maturity scan`` command line, read."""

    paths: tuple[Path, ...] = ()
    fmt: str = "terminal"
    out: Path | None = None
    list_checks: bool = False
    no_store: bool = False
    fail_on: str | None = None


def execute(request: ScanRequest, workspace_path: Path | None) -> int:
    """Run a scan; the exit code (0, or 1 for findings at ``--fail-on``). Bad input raises
    :class:`UserError` (exit 2, nothing stored)."""
    from platform_maturity.services.scan import catalog_for, run_scan

    # what start-up built (modules, classes, functions) lives as long as the process: the
    # garbage collector need not walk it again each time parsing fills a generation
    gc.freeze()
    one_of(request.fmt, FORMATS, "--format", "format")
    if request.fail_on is not None:
        one_of(request.fail_on, SEVERITIES, "--fail-on", "severity")
    if request.list_checks:
        from platform_maturity.reports.scan import render_catalog

        render_catalog(catalog_for(_optional_settings(workspace_path)).checks, console())
        return 0
    # the progress bar goes where the summary goes, or to stderr when stdout carries data
    to_stderr = request.fmt != "terminal" and request.out is None
    paths = list(request.paths)
    if request.no_store:
        settings = _optional_settings(workspace_path)  # no Pydantic when it is cached
        with _progress(to_stderr) as step:
            summary = run_scan(settings, None, paths, now(), actor(), step)
    else:
        from platform_maturity.services.scan_settings import scan_settings
        from platform_maturity.services.workspace import load_workspace, open_store

        ws = load_workspace(find_workspace(Path.cwd(), workspace_path), lean=True)
        with open_store(ws, now(), actor()) as database, _progress(to_stderr) as step:
            summary = run_scan(scan_settings(ws), database, paths, now(), actor(), step)
    if request.fmt == "terminal":
        from platform_maturity.reports.scan import render_scan_terminal

        render_scan_terminal(summary, console())
        return _finish(summary, request.fail_on)
    if summary.warnings:  # stdout carries the data: the warnings go to stderr
        from platform_maturity.reports.scan import render_scan_warnings

        render_scan_warnings(summary.warnings, console(stderr=True))
    if request.fmt == "json":
        from platform_maturity.reports.scan_json import scan_json

        text = scan_json(summary)
    else:
        from importlib.metadata import version

        from platform_maturity.reports.sarif import render_sarif

        text = render_sarif(summary.checks, summary.observations, version("platform-maturity"))
    if request.out is None:
        sys.stdout.write(text)
    else:
        request.out.write_text(text, encoding="utf-8")
        sys.stdout.write(f"Wrote {request.out}\n")
    sys.stdout.flush()
    return _finish(summary, request.fail_on)


def _optional_settings(workspace_path: Path | None) -> ScanSettings | None:
    """The scan settings of the workspace if there is one (an explicit one must exist)."""
    from platform_maturity.services.scan_settings import load_scan_settings

    found = find_optional_workspace(Path.cwd(), workspace_path)
    return None if found is None else load_scan_settings(found)


def _finish(summary: ScanSummary, fail_on: str | None) -> int:
    """Warn when earlier evidence stopped counting; 1 on findings at ``fail_on``, else 0."""
    from platform_maturity.domain.scans import failing_at_or_above

    if summary.uncovered_roots:
        err = console(stderr=True)  # Rich only when there is something to say
        err.print(
            f"[yellow]Warning:[/] scan #{summary.scan_id} is now the evidence of the report;"
            " the earlier scan's roots it does not cover no longer count:",
            markup=True,
            soft_wrap=True,
        )
        for root in summary.uncovered_roots:
            err.print(f"  {root}", markup=False, soft_wrap=True)
        err.print(
            "Use --no-store for a one-off look, or scan all configured paths"
            " (maturity scan with no PATH uses evidence: of maturity.yaml).",
            markup=False,
            soft_wrap=True,
        )
    if fail_on is None:
        return 0
    failing = failing_at_or_above(summary.observations, summary.checks, fail_on)
    if not failing:
        return 0
    checks = len({o.check_id for o in failing})
    console(stderr=True).print(
        f"{len(failing)} failing finding(s) of {checks} check(s) at severity {fail_on}"
        " or higher (--fail-on): exit 1",
        markup=False,
        soft_wrap=True,
    )
    return 1


@contextmanager
def _progress(to_stderr: bool) -> Iterator[Progress]:
    """A progress bar on a terminal; nothing (and no cost) when output is not one."""
    stream = sys.stderr if to_stderr else sys.stdout
    out = console(stderr=to_stderr) if stream.isatty() else None
    if out is None or not out.is_terminal:
        yield lambda _what, _done, _total: None
        return
    with progress_bar(out, "Scanning") as step:
        yield step


# --- the quick reading of the command line -------------------------------------------------


# The options of the Typer command (:func:`.scan_cmd.scan`) by the ScanRequest field each
# sets; a test holds these tables to the Typer command's options.
VALUED_OPTIONS = {"--format": "fmt", "-f": "fmt", "--out": "out", "-o": "out"}
VALUED_OPTIONS |= {"--fail-on": "fail_on"}
FLAG_OPTIONS = {"--list-checks": "list_checks", "--no-store": "no_store"}


def read_scan_line(argv: Sequence[str]) -> tuple[Path | None, ScanRequest] | None:
    """The workspace option and the request of ``[-w PATH] scan ...``; None when the line is
    anything else, asks for help, or is not plainly well formed (Typer then reads it).

    Options come as Typer (Click) takes them: ``--format json``, ``--format=json``, ``-f
    json`` or ``-fjson``, anywhere among the paths, the last of a repeated one counting.
    Anything less plain (``--``, a path or value that starts with ``-``, an option without
    its value, a flag with one) is left to Typer, which says what is wrong or reads it.
    """
    args = list(argv)
    workspace: Path | None = None
    while args and args[0] != "scan":
        if args[0] in ("-w", "--workspace") and len(args) > 1 and not args[1].startswith("-"):
            workspace = Path(args[1])
            del args[:2]
        else:
            return None
    if not args:
        return None
    values: dict[str, Any] = {}  # by ScanRequest field
    paths: list[Path] = []
    rest = iter(args[1:])
    for arg in rest:
        if not arg.startswith("-"):
            paths.append(Path(arg))
            continue
        if arg.startswith("--"):
            name, equals, inline = arg.partition("=")
            attached = inline if equals else None
        else:
            name, attached = arg[:2], arg[2:] or None
        if name in FLAG_OPTIONS and attached is None:
            values[FLAG_OPTIONS[name]] = True
        elif name in VALUED_OPTIONS:
            value = attached if attached is not None else next(rest, None)
            if not value or value.startswith("-"):
                return None
            values[VALUED_OPTIONS[name]] = value
        else:
            return None  # --help, --, an unknown option or a misused one
    if "out" in values:
        values["out"] = Path(values["out"])
    return workspace, ScanRequest(paths=tuple(paths), **values)


def fast_scan(argv: Sequence[str]) -> int | None:
    """Run a well-formed scan command line without Typer; None when Typer must read it."""
    read = read_scan_line(argv)
    if read is None:
        return None
    workspace, request = read
    return execute(request, workspace)
