"""``maturity backlog import|scans``: findings from real scanners into the backlog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, progress_bar, store
from platform_maturity.domain.errors import UserError


def add_commands(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("scans")(scans)


def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Scanner output files (JSON).", show_default=False)
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="auto, sarif, trivy, osv, pip-audit, npm-audit, dependabot or code-scanning.",
        ),
    ] = "auto",
    target: Annotated[
        str | None,
        typer.Option(
            help="What was scanned (image, repository, project); default: what the file says,"
            " else its name. Rescans of the same target mark missing findings fixed.",
            show_default=False,
        ),
    ] = None,
    component: Annotated[
        str | None,
        typer.Option(
            help="The component new items belong to; default: the target.", show_default=False
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", help="The unit new items belong to.", show_default=False),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who answers for new items.", show_default=False)
    ] = None,
    output: Annotated[str, typer.Option("--output", help="terminal or json.")] = "terminal",
) -> None:
    """Import scanner findings; new ones wait for triage with a suggested score.

    New findings arrive as 'new' with a suggested risk and impact (from CVSS, EPSS or the
    scanner's severity) to confirm at triage.

    Findings are matched across imports by fingerprint: a re-import updates them, a finding
    missing from a newer scan of the same target is resolved with that scan as evidence,
    one that comes back reopens. All files are checked before anything is stored; one bad
    file stops the import with its line and field and nothing changes.
    """
    from platform_maturity.services.backlog_imports import import_files

    if output not in ("terminal", "json"):
        raise UserError(
            "unknown output", field="--output", value=output, hint="Use terminal or json."
        )
    out = console(stderr=output == "json")
    with store(ctx) as (ws, database):
        with progress_bar(out, "Importing") as step:
            results = import_files(
                ws,
                database,
                files,
                fmt=fmt,
                target=target,
                component=component,
                unit=unit,
                owner=owner,
                actor=actor(),
                now=now(),
                progress=step,
            )
    if output == "json":
        typer.echo(
            json.dumps(
                [
                    {
                        "file": r.file,
                        "scan": r.scan.model_dump(mode="json"),
                        "created": r.created,
                        "fixed": r.fixed,
                        "reopened": r.reopened,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
        return
    from platform_maturity.reports.terminal import make_table

    table = make_table(out, "Imported")
    for column in ("Scan", "Format", "Target", "Found", "New", "Fixed", "Back", "Skip"):
        table.add_column(
            column,
            justify="left" if column in ("Format", "Target") else "right",
            no_wrap=column != "Target",
            overflow="fold",
        )
    for r in results:
        s = r.scan
        table.add_row(
            f"#{s.id}",
            s.format,
            s.target,
            str(s.findings),
            str(s.created),
            str(s.fixed),
            str(s.reopened),
            str(s.skipped),
        )
    out.print(table)
    created = sum(r.scan.created for r in results)
    if created:
        out.print(
            f"{created} new item(s) wait for triage: maturity backlog list --state new",
            soft_wrap=True,
        )


def scans(ctx: typer.Context) -> None:
    """The imported scans: when, which tool and target, and what each changed."""
    from platform_maturity.reports.terminal import make_table
    from platform_maturity.services.backlog_imports import list_scans

    with store(ctx) as (_, database):
        found = list_scans(database)
    out = console()
    table = make_table(out, f"Imported scans ({len(found)})")
    for column in ("Scan", "Imported", "Format", "Target", "Found", "New", "Fixed"):
        table.add_column(column, no_wrap=column != "Target", overflow="fold")
    for s in found:
        table.add_row(
            f"#{s.id}",
            f"{s.imported_at:%Y-%m-%d}",
            s.format,
            s.target,
            str(s.findings),
            str(s.created),
            str(s.fixed),
        )
    out.print(table)
