"""``maturity scan``: automated evidence from repositories, manifests and Terraform."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from platform_maturity.cli.common import actor, console, now, store, workspace
from platform_maturity.domain.errors import UserError
from platform_maturity.reports.sarif import render_sarif
from platform_maturity.reports.scan import render_catalog, render_scan_terminal, scan_json
from platform_maturity.services.scan import catalog_for, run_scan

FORMATS = ("terminal", "json", "sarif")


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
) -> None:
    """Scan for automated evidence: each check's findings become goal outcomes in the report.

    One scan is stored in one transaction; files that cannot be read are recorded as
    findings of their own and the scan goes on. Exempt an object with the annotation
    platform-maturity.io/exempt-<check id>: "<reason>", or in maturity.yaml under
    scan.exemptions.
    """
    if fmt not in FORMATS:
        raise UserError(
            "unknown format", field="--format", value=fmt, hint="Use one of: " + ", ".join(FORMATS)
        )
    if list_checks:
        render_catalog(catalog_for(workspace(ctx)).checks, console())
        return
    out_console = console(stderr=fmt != "terminal" and out is None)
    with store(ctx) as (ws, database):
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=out_console,
            transient=True,
        ) as progress:
            task = progress.add_task("Scanning", total=None)

            def step(what: str, done: int, total: int) -> None:
                progress.update(task, description=what, completed=done, total=total)

            summary = run_scan(ws, database, paths or [], now(), actor(), step)
    if fmt == "terminal":
        render_scan_terminal(summary, out_console)
        return
    text = (
        scan_json(summary)
        if fmt == "json"
        else render_sarif(summary.checks, summary.observations, version("platform-maturity"))
    )
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console().print(f"Wrote {out}")
