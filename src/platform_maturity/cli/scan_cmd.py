"""``maturity scan``: automated evidence from repositories, manifests and Terraform."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from platform_maturity.cli.common import actor, console, now, optional_workspace, store
from platform_maturity.domain.errors import UserError

if TYPE_CHECKING:
    from platform_maturity.domain.scans import ScanSummary
    from platform_maturity.services.scan import Progress

FORMATS = ("terminal", "json", "sarif")
SEVERITIES = ("low", "medium", "high", "critical")  # as domain.scans (not imported at start-up)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Repositories (or folders of them), manifest files or folders, Terraform"
            " folders or plan JSON. Default: the evidence paths in maturity.yaml.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, json or sarif.")
    ] = "terminal",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the json or sarif to a file.", show_default=False),
    ] = None,
    list_checks: Annotated[
        bool, typer.Option("--list-checks", help="List the checks and exit.")
    ] = False,
    no_store: Annotated[
        bool,
        typer.Option(
            "--no-store",
            help="Only report, record nothing: needs no workspace (a CI job that wants"
            " SARIF or JSON). A workspace, if found, still gives units, exemptions and checks.",
        ),
    ] = False,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="SEVERITY",
            help="Exit 1 when a failing, non-waived finding has this severity or a higher one"
            " (low, medium, high, critical). Default: the findings never change the exit code.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scan for automated evidence: each check's findings become goal outcomes in the report.

    One scan is stored in one transaction; files that cannot be read are recorded as
    findings of their own and the scan goes on. Exempt an object with the annotation
    `platform-maturity.io/exempt-<check id>: "<reason>"`, or in maturity.yaml under
    scan.exemptions.

    The report counts only the latest stored scan: scan all evidence paths (no PATH uses
    those of maturity.yaml), or use --no-store for a one-off look.

    Exit codes: 0 done (findings do not count unless --fail-on is given); 1 a failing,
    non-waived finding at or above the --fail-on severity (the output is still written and
    the scan still stored); 2 bad input, including a scan that read no inputs at all
    (nothing stored).
    """
    from platform_maturity.services.scan import catalog_for, run_scan

    # what start-up built (modules, classes, functions) lives as long as the process: the
    # garbage collector need not walk it again each time parsing fills a generation
    gc.freeze()
    if fmt not in FORMATS:
        raise UserError(
            "unknown format", field="--format", value=fmt, hint="Use one of: " + ", ".join(FORMATS)
        )
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UserError(
            "unknown severity",
            field="--fail-on",
            value=fail_on,
            hint="Use one of: " + ", ".join(SEVERITIES),
        )
    if list_checks:
        from platform_maturity.reports.scan import render_catalog

        render_catalog(catalog_for(optional_workspace(ctx, lean=True)).checks, console())
        return
    # the progress bar goes where the summary goes, or to stderr when stdout carries data
    to_stderr = fmt != "terminal" and out is None
    if no_store:
        ws = optional_workspace(ctx, lean=True)  # only the sections a scan reads
        with _progress(to_stderr) as step:
            summary = run_scan(ws, None, paths or [], now(), actor(), step)
    else:
        with store(ctx, lean=True) as (ws, database), _progress(to_stderr) as step:
            summary = run_scan(ws, database, paths or [], now(), actor(), step)
    if fmt == "terminal":
        from platform_maturity.reports.scan import render_scan_terminal

        render_scan_terminal(summary, console())
        _finish(summary, fail_on)
        return
    if summary.warnings:  # stdout carries the data: the warnings go to stderr
        from platform_maturity.reports.scan import render_scan_warnings

        render_scan_warnings(summary.warnings, console(stderr=True))
    if fmt == "json":
        from platform_maturity.reports.scan_json import scan_json

        text = scan_json(summary)
    else:
        from importlib.metadata import version

        from platform_maturity.reports.sarif import render_sarif

        text = render_sarif(summary.checks, summary.observations, version("platform-maturity"))
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}")
    _finish(summary, fail_on)


def _finish(summary: ScanSummary, fail_on: str | None) -> None:
    """Warn when earlier evidence stopped counting; exit 1 on findings at ``fail_on``."""
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
        return
    failing = failing_at_or_above(summary.observations, summary.checks, fail_on)
    if failing:
        err = console(stderr=True)
        checks = len({o.check_id for o in failing})
        err.print(
            f"{len(failing)} failing finding(s) of {checks} check(s) at severity {fail_on}"
            " or higher (--fail-on): exit 1",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)


@contextmanager
def _progress(to_stderr: bool) -> Iterator[Progress]:
    """A progress bar on a terminal; nothing (and no cost) when output is not one."""
    stream = sys.stderr if to_stderr else sys.stdout
    out = console(stderr=to_stderr) if stream.isatty() else None
    if out is None or not out.is_terminal:
        yield lambda _what, _done, _total: None
        return
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    ) as bar:
        task = bar.add_task("Scanning", total=None)

        def step(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield step
