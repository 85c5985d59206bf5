"""``maturity scan``: automated evidence from repositories, manifests and Terraform.

This module defines the command line (options, help, errors); :mod:`.scan_run` does the
work, and reads the usual command lines itself so that a scan starts without Typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import State


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
    from platform_maturity.cli.scan_run import ScanRequest, execute

    state: State = ctx.ensure_object(State)
    request = ScanRequest(tuple(paths or ()), fmt, out, list_checks, no_store, fail_on)
    code = execute(request, state.workspace_path)
    if code:
        raise typer.Exit(code)
