"""Workspace commands: init, db, export, restore, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from platform_maturity.cli.common import actor, console, now, store, workspace
from platform_maturity.services import assessment, transfer
from platform_maturity.services.init import init_workspace
from platform_maturity.services.workspace import database_status, open_store

db_app = typer.Typer(
    help="Database schema: apply migrations, show the schema version.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
    app.command("export")(export)
    app.command("restore")(restore)
    app.command("audit")(audit)


def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = Path("."),
    name: Annotated[str, typer.Option(help="Organization name.")] = "My Organization",
    force: Annotated[bool, typer.Option(help="Overwrite an existing maturity.yaml.")] = False,
) -> None:
    """Create a workspace: a commented maturity.yaml to fill in."""
    path = init_workspace(folder, name, force)
    console().print(f"Created {path}\nNext: edit the units, then run 'maturity assess'.")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply any pending migrations (commands also do this on first use)."""
    with store(ctx) as (ws, database):
        status = database_status(ws, database)
    console().print(f"Database {status.url} is at revision {status.revision}.")


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Show the database URL and schema revision."""
    with store(ctx) as (ws, database):
        status = database_status(ws, database)
    console().print(f"url: {status.url}\nrevision: {status.revision} (newest {status.newest})")


def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON file to write.")],
    include_security: Annotated[
        bool,
        typer.Option(
            "--include-security",
            help="Also the security backlog, its postmortems and audit entries (restricted).",
        ),
    ] = False,
) -> None:
    """Write the whole workspace state (answers, waivers, metrics, snapshots, audit) as JSON.

    Restricted data (the security backlog) stays out unless --include-security is given.
    """
    with store(ctx) as (_, database):
        counts = transfer.export_state(database, file, now(), include_security)
    console().print(f"Wrote {file}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON file written by 'maturity export'.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the current state without asking.")
    ] = False,
    drop_security: Annotated[
        bool,
        typer.Option(
            "--drop-security",
            help="Restore a file without security data even though the workspace holds some"
            " (that data is discarded).",
        ),
    ] = False,
) -> None:
    """Replace the workspace state with an export, in one transaction."""
    ws = workspace(ctx)
    if not yes and not typer.confirm("This replaces everything stored in the workspace. Continue?"):
        raise typer.Abort()
    with open_store(ws, now(), actor()) as database:
        counts = transfer.restore_state(database, file, now(), actor(), drop_security)
        missing = transfer.units_not_configured(database, {u.slug for u in ws.config.units})
    console().print(f"Restored {file}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
    if missing:
        console().print(
            f"[yellow]warning:[/] the restored state names unit(s) {', '.join(missing)} that"
            f" {ws.config_path.name} does not define; add them under units: to report on them"
            " (--unit) or keep their records apart."
        )


def audit(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many events to show.")] = 50,
) -> None:
    """Show the audit trail: who changed what, when, from which value to which."""
    with store(ctx) as (_, database):
        events = assessment.audit_trail(database, limit)
        table = Table(title="Audit trail (newest first)", title_justify="left")
        for column in ("When", "Who", "Action", "What", "Field", "Old", "New"):
            table.add_column(column)
        for e in events:
            table.add_row(
                f"{e.at:%Y-%m-%d %H:%M}",
                e.actor,
                e.action,
                e.key,
                e.field or "",
                e.old_value or "",
                e.new_value or "",
            )
    console().print(table)
