"""``maturity incident`` and ``maturity status``: communicate downtime and learn from it.

Services and renderers are imported inside the commands (fast start-up).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, parse_when, store
from platform_maturity.domain.errors import UserError

incident_app = typer.Typer(
    help=(
        "Incidents: opened from downtime by 'maturity watch' or by hand, with a timeline"
        " (detected, acknowledged, mitigated, resolved) and updates marked internal or public;"
        " postmortems with a money figure."
    ),
    no_args_is_help=True,
)
status_app = typer.Typer(
    help="The status page: components, their state, 90-day uptime bars, incident updates.",
    no_args_is_help=True,
)
IncidentArg = Annotated[str, typer.Argument(metavar="INCIDENT", help="e.g. INC-3 or 3.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]
Message = Annotated[str | None, typer.Option("--message", "-m", help="A note for the timeline.")]
Public = Annotated[
    bool, typer.Option("--public", help="Show this update on the public status page.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
    app.add_typer(status_app, name="status")


def _check_format(fmt: str) -> None:
    if fmt not in ("terminal", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="Use terminal or json.")


@incident_app.command("list")
def incident_list(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", "-a", help="Resolved ones too.")] = False,
    fmt: Fmt = "terminal",
) -> None:
    """Open incidents (all with --all)."""
    from platform_maturity.services.incidents import list_incidents

    _check_format(fmt)
    with store(ctx) as (_, db):
        incidents = list_incidents(db, everything)
    if fmt == "json":
        typer.echo(json.dumps([i.model_dump(mode="json") for i in incidents], indent=2))
        return
    from platform_maturity.reports.downtime_terminal import print_incidents

    print_incidents(console(), incidents, now())


@incident_app.command("show")
def incident_show(ctx: typer.Context, incident: IncidentArg, fmt: Fmt = "terminal") -> None:
    """One incident with its timeline and the notifications sent."""
    from platform_maturity.services.incidents import get_incident, notifications_of

    _check_format(fmt)
    with store(ctx) as (_, db):
        found = get_incident(db, incident)
        sent = notifications_of(db, int(found.id or 0))
    if fmt == "json":
        payload = found.model_dump(mode="json")
        payload["notifications"] = [n.model_dump(mode="json") for n in sent]
        typer.echo(json.dumps(payload, indent=2))
        return
    from platform_maturity.reports.downtime_terminal import print_incident

    print_incident(console(), found, sent, now())


@incident_app.command("records")
def incident_records(ctx: typer.Context) -> None:
    """Every incident as plain JSON records (id, component, severity, started, detected,
    acknowledged, mitigated, resolved, detection method) for KPI tooling."""
    from platform_maturity.services.incidents import incident_records as records

    with store(ctx) as (_, db):
        rows = records(db)
    typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))


@incident_app.command("open")
def incident_open(
    ctx: typer.Context,
    component: Annotated[str, typer.Option("--component", "-c", help="The component affected.")],
    title: Annotated[str, typer.Option("--title", "-t", help="What is wrong, in one line.")],
    severity: Annotated[str, typer.Option(help="sev1, sev2 or sev3.")] = "sev2",
    flow: Annotated[
        list[str] | None, typer.Option("--flow", help="A failing flow (repeat).")
    ] = None,
    started: Annotated[
        str | None, typer.Option(help="When the impact began (default: now).", show_default=False)
    ] = None,
    detected_by: Annotated[
        str | None,
        typer.Option(help="synthetic, runtime, healthcheck or user-report.", show_default=False),
    ] = None,
    message: Message = None,
) -> None:
    """Declare an incident by hand (e.g. after a user report)."""
    from platform_maturity.services.incidents import open_incident

    with store(ctx) as (ws, db):
        incident = open_incident(
            ws,
            db,
            component,
            title,
            severity=severity,
            flows=list(flow or []),
            started=parse_when(started, "--started") if started else None,
            method=detected_by,
            message=message,
            actor=actor(),
            now=now(),
        )
    console().print(f"Opened {incident.key}: {incident.title}")


@incident_app.command("ack")
def incident_ack(ctx: typer.Context, incident: IncidentArg, message: Message = None) -> None:
    """Acknowledge: you have it, the escalation stops."""
    from platform_maturity.services.incidents import acknowledge

    with store(ctx) as (_, db):
        found = acknowledge(db, incident, actor(), now(), message)
    console().print(f"Acknowledged {found.key}; escalation stopped.")


@incident_app.command("update")
def incident_update(
    ctx: typer.Context,
    incident: IncidentArg,
    message: Annotated[str, typer.Argument(help="The update.")],
    public: Public = False,
    status: Annotated[
        str | None,
        typer.Option(help="investigating, identified or monitoring.", show_default=False),
    ] = None,
) -> None:
    """Post an update: internal by default, on the public status page with --public."""
    from platform_maturity.services.incidents import post_update

    with store(ctx) as (_, db):
        found = post_update(
            db, incident, message, public=public, status=status, actor=actor(), now=now()
        )
    console().print(f"Posted a{' public' if public else 'n internal'} update to {found.key}.")


@incident_app.command("mitigate")
def incident_mitigate(
    ctx: typer.Context, incident: IncidentArg, message: Message = None, public: Public = False
) -> None:
    """The impact has stopped (the fix may still be coming)."""
    from platform_maturity.services.incidents import mitigate

    with store(ctx) as (_, db):
        found = mitigate(db, incident, actor(), now(), message, public)
    console().print(f"Marked {found.key} mitigated.")


@incident_app.command("resolve")
def incident_resolve(
    ctx: typer.Context, incident: IncidentArg, message: Message = None, public: Public = False
) -> None:
    """Resolve an incident (automatic ones resolve when their probes pass again)."""
    from platform_maturity.services.incidents import resolve

    with store(ctx) as (_, db):
        found = resolve(db, incident, actor(), now(), message, public)
    console().print(f"Resolved {found.key}.")


@incident_app.command("postmortem")
def incident_postmortem(
    ctx: typer.Context,
    incident: IncidentArg,
    summary: Annotated[
        str | None, typer.Option(help="What happened, for readers who were not there.")
    ] = None,
    cause: Annotated[str | None, typer.Option(help="The root cause.")] = None,
    gap: Annotated[
        list[str] | None,
        typer.Option(
            "--gap", help="A platform gap that allowed it or slowed the fix: a goal code (repeat)."
        ),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", help="'title | owner | due date' (repeat)."),
    ] = None,
    users: Annotated[int | None, typer.Option(help="Users affected (estimate).", min=0)] = None,
    detection: Annotated[
        str | None, typer.Option(help="How it was found, what would have found it sooner.")
    ] = None,
    responders: Annotated[int, typer.Option(help="People who worked on it.", min=1)] = 1,
    responder_hours: Annotated[
        float | None,
        typer.Option(
            help="Total responder hours (default: responders × detection to resolution).", min=0
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Markdown file (default: postmortems/INC-N.md in the workspace)."
        ),
    ] = None,
) -> None:
    """Write the postmortem of a resolved incident as Markdown, with its money figure.

    Without --summary and --cause the stored postmortem is written out again. Lost revenue
    comes from the component's revenue_per_minute; responder time from
    downtime.responder_rate_per_hour. Gap codes and the money figure are kept for the roadmap.
    """
    from platform_maturity.services.incidents import (
        postmortem_of,
        write_postmortem,
        write_postmortem_markdown,
    )
    from platform_maturity.services.postmortems import parse_action

    with store(ctx) as (ws, db):
        if summary is None and cause is None:
            document = postmortem_of(ws, db, incident, now())
            if document is None:
                raise UserError(
                    "this incident has no postmortem yet",
                    field="INCIDENT",
                    value=incident,
                    hint="Give --summary and --cause (and --gap, --action, --users) to write one.",
                )
        else:
            if not summary or not cause:
                raise UserError(
                    "a postmortem needs both --summary and --cause",
                    field="--summary" if not summary else "--cause",
                )
            document = write_postmortem(
                ws,
                db,
                incident,
                summary=summary,
                cause=cause,
                gaps=list(gap or []),
                actions=[parse_action(a) for a in action or []],
                users_affected=users,
                detection_notes=detection,
                responders=responders,
                responder_hours=responder_hours,
                author=actor(),
                now=now(),
            )
        path = out or ws.root / "postmortems" / f"{document.incident.key}.md"
        write_postmortem_markdown(ws, document, path)
    cost = document.cost
    console().print(
        f"Wrote PM-{document.postmortem.id} for {document.incident.key} to {path}: cost"
        f" {cost.total:,.2f} {document.currency} (lost revenue {cost.lost_revenue:,.2f},"
        f" responders {cost.response_cost:,.2f})."
    )


@status_app.command("build")
def status_build(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder (default: status/ in the workspace)."),
    ] = None,
    variant: Annotated[str, typer.Option(help="public, internal or both.")] = "both",
) -> None:
    """Write the static status page: index.html (public) and internal.html.

    Both are single self-contained files (no scripts, no external resources) that open
    offline and print well; the public one shows public names and public updates only.
    """
    from platform_maturity.services.status_page import VARIANTS, build_status_pages

    if variant not in ("public", "internal", "both"):
        raise UserError(
            "unknown variant",
            field="--variant",
            value=variant,
            hint="Use public, internal or both.",
        )
    chosen = VARIANTS if variant == "both" else (variant,)
    with store(ctx) as (ws, db):
        written = build_status_pages(ws, db, now(), out or ws.root / "status", chosen)
    for name, path in written.items():
        console().print(f"{name}: {path}")
