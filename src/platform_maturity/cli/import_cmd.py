"""``maturity import KIND FILE...``: tracker, CI, incident and cost exports into the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, spinner, store
from platform_maturity.domain.errors import UserError

KINDS_HELP = (
    "github (REST pages, gh --json, webhook payloads), github-events (issue events),"
    " gitlab, gitlab-events (issue state and label events), jira-csv, jira-changelog,"
    " jira-pipeline (a Data Center data pipeline export folder),"
    " pagerduty (incidents or log entries), opsgenie, incidents-csv, deployments-csv, focus,"
    " aws-cur (legacy CUR or CUR 2.0), headcount, junit"
)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)


def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"The export format: {KINDS_HELP}.")],
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Exported files (or export folders). Default: evidence.exports.KIND of"
            " maturity.yaml.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal or json (counts per file).")
    ] = "terminal",
) -> None:
    """Import tracker, CI, incident and cost exports for the KPIs.

    Each file is one transaction; importing a file again changes nothing, and a newer
    export updates records by their ids in the source.

    The kpi: section of maturity.yaml says what the exports mean (bug and feature types,
    severity, started and released statuses, bots, the time zone of zone-less exports);
    docs/formats.md describes every format.
    """

    from platform_maturity.reports.kpi_terminal import render_import_results
    from platform_maturity.services.kpi_import import configured_exports, import_files

    if fmt not in ("terminal", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="terminal or json")
    out = console(stderr=fmt == "json")
    with store(ctx) as (ws, database):
        with spinner(out, "Importing") as step:
            results = import_files(
                ws,
                database,
                kind,
                files or configured_exports(ws, kind),
                now(),
                actor(),
                step,
            )
    if fmt == "json":
        typer.echo(
            json.dumps(
                [
                    {
                        "file": r.file,
                        "kind": r.kind,
                        "rows_read": r.rows_read,
                        "new": r.new,
                        "updated": r.updated,
                        "unchanged": r.unchanged,
                        "skipped": r.skipped_total,
                        "skipped_reasons": dict(sorted(r.skipped.items())),
                        "notes": dict(sorted(r.notes.items())),
                    }
                    for r in results
                ],
                indent=2,
            )
        )
        return
    render_import_results(results, out)
