"""``maturity backlog``: the security backlog — items, triage, workflow, lists.

Services and renderers are imported inside the commands, so that starting one command
does not pay for the others.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, parse_when, store
from platform_maturity.domain.errors import UserError

backlog_app = typer.Typer(
    help=(
        "The security backlog: every known vulnerability scored risk × impact (severity"
        " 1-25), held to the SLA of its severity band, reviewed by leadership. Restricted:"
        " exports and reports leave it out unless given --include-security."
    ),
    no_args_is_help=True,
)

ItemArg = Annotated[str, typer.Argument(help="Item key, e.g. SEC-12.", show_default=False)]
Fmt = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]


def register(app: typer.Typer) -> None:
    from platform_maturity.cli import (
        backlog_disclosure_cmd,
        backlog_import_cmd,
        backlog_review_cmd,
    )

    backlog_review_cmd.add_commands(backlog_app)
    backlog_import_cmd.add_commands(backlog_app)
    backlog_disclosure_cmd.add_commands(backlog_app)
    app.add_typer(backlog_app, name="backlog")


def _check_format(fmt: str, allowed: tuple[str, ...] = ("terminal", "json")) -> None:
    if fmt not in allowed:
        raise UserError(
            "unknown format", field="--format", value=fmt, hint="Use " + " or ".join(allowed) + "."
        )


def _done(message: str) -> None:
    console().print(message, soft_wrap=True)


@backlog_app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", "-t", help="What is wrong, in one line.")],
    component: Annotated[
        str, typer.Option("--component", "-c", help="The affected component or subject.")
    ],
    description: Annotated[str, typer.Option(help="Details, steps to reproduce.")] = "",
    source: Annotated[
        str, typer.Option(help="Where it came from: scanner, report, audit or postmortem.")
    ] = "report",
    reporter: Annotated[
        str | None, typer.Option(help="Who reported it.", show_default=False)
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who answers for the fix.", show_default=False)
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="The unit that owns it.", show_default=False)
    ] = None,
    risk: Annotated[
        int | None,
        typer.Option(help="1-5: probability of exploitation within 12 months.", show_default=False),
    ] = None,
    impact: Annotated[
        int | None,
        typer.Option(help="1-5: financial liability if exploited.", show_default=False),
    ] = None,
    reported: Annotated[
        str | None,
        typer.Option(
            help="When it became known (the SLA clock starts there); default now.",
            show_default=False,
        ),
    ] = None,
    fmt: Fmt = "terminal",
) -> None:
    """Add an item. With --risk and --impact it is triaged at once; else it waits as new."""
    from platform_maturity.services import backlog

    _check_format(fmt)
    with store(ctx) as (ws, database):
        item = backlog.add_item(
            ws,
            database,
            title=title,
            component=component,
            description=description,
            source=source,
            reporter=reporter,
            owner=owner,
            unit=unit,
            risk=risk,
            impact=impact,
            reported_at=parse_when(reported, "--reported") if reported else None,
            actor=actor(),
            now=now(),
        )
    if fmt == "json":
        typer.echo(item.model_dump_json(indent=2))
        return
    score = f", severity {item.severity}" if item.severity else ", waiting for triage"
    _done(f"Added {item.key} ({item.state.label}{score}).")


@backlog_app.command("triage")
def triage(
    ctx: typer.Context,
    item: ItemArg,
    risk: Annotated[
        int | None,
        typer.Option(help="1-5: probability of exploitation within 12 months.", show_default=False),
    ] = None,
    impact: Annotated[
        int | None, typer.Option(help="1-5: financial liability if exploited.", show_default=False)
    ] = None,
    accept_suggestion: Annotated[
        bool,
        typer.Option(
            "--accept-suggestion", help="Confirm the score suggested for an imported finding."
        ),
    ] = False,
    owner: Annotated[
        str | None, typer.Option(help="Who answers for the fix.", show_default=False)
    ] = None,
) -> None:
    """Score an item risk × impact; a new item becomes triaged and its SLA deadlines apply.

    'maturity backlog policy' shows what each level of risk and impact means.
    """
    from platform_maturity.services import backlog

    with store(ctx) as (ws, database):
        result = backlog.triage(
            ws,
            database,
            item,
            risk=risk,
            impact=impact,
            use_suggestion=accept_suggestion,
            owner=owner,
            actor=actor(),
            now=now(),
        )
        policy = backlog.backlog_policy(ws)
    band = policy.sla_policy.band_for(result.severity or 1)
    _done(
        f"{result.key}: risk {result.risk} × impact {result.impact} = severity"
        f" {result.severity} ({band.name}: {band.deadline_text})."
    )


@backlog_app.command("update")
def update(
    ctx: typer.Context,
    item: ItemArg,
    state: Annotated[
        str | None,
        typer.Option(
            help="Move along the workflow: triaged, in_progress, resolved, new.", show_default=False
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(show_default=False)] = None,
    description: Annotated[str | None, typer.Option(show_default=False)] = None,
    component: Annotated[str | None, typer.Option(show_default=False)] = None,
    owner: Annotated[str | None, typer.Option(show_default=False)] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", show_default=False)] = None,
    note: Annotated[
        str | None, typer.Option(help="A note for the audit trail.", show_default=False)
    ] = None,
) -> None:
    """Change an item's fields or state; every change goes to the audit trail."""
    from platform_maturity.services import backlog

    with store(ctx) as (ws, database):
        result = backlog.update(
            ws,
            database,
            item,
            backlog.Changes(
                state=state,
                title=title,
                description=description,
                component=component,
                owner=owner,
                unit=unit,
                note=note,
            ),
            actor=actor(),
            now=now(),
        )
    _done(f"Updated {result.key} ({result.state.label}).")


@backlog_app.command("close")
def close(
    ctx: typer.Context,
    item: ItemArg,
    as_: Annotated[str, typer.Option("--as", help="resolved, duplicate or invalid.")] = "resolved",
    reason: Annotated[
        str | None,
        typer.Option(help="How it was fixed, or why it is invalid.", show_default=False),
    ] = None,
    of: Annotated[
        str | None,
        typer.Option("--of", help="For a duplicate: the item it duplicates.", show_default=False),
    ] = None,
) -> None:
    """Resolve an item, or close it as a duplicate or as invalid."""
    from platform_maturity.services import backlog

    with store(ctx) as (_, database):
        result = backlog.close(
            database, item, as_=as_, reason=reason, duplicate_of=of, actor=actor(), now=now()
        )
    _done(f"Closed {result.key} as {result.state.label}.")


@backlog_app.command("accept")
def accept(
    ctx: typer.Context,
    item: ItemArg,
    approver: Annotated[str, typer.Option(help="Who accepts the risk (a leader).")],
    reason: Annotated[str, typer.Option(help="Why it is acceptable for now.")],
    expires: Annotated[
        str | None,
        typer.Option(
            help="When to look again (at most a year); default in 90 days.", show_default=False
        ),
    ] = None,
) -> None:
    """Accept an item's risk for a while; when the acceptance expires the item reopens."""
    from platform_maturity.services import backlog

    moment = now()
    until = parse_when(expires, "--expires") if expires else moment + timedelta(days=90)
    with store(ctx) as (_, database):
        result = backlog.accept(
            database,
            item,
            approver=approver,
            reason=reason,
            expires=until,
            actor=actor(),
            now=moment,
        )
    _done(f"{result.key}: risk accepted by {approver} until {until:%Y-%m-%d}.")


@backlog_app.command("list")
def list_items(
    ctx: typer.Context,
    state: Annotated[
        list[str] | None,
        typer.Option(
            "--state", "-s", help="Only these states (repeat for several).", show_default=False
        ),
    ] = None,
    band: Annotated[
        str | None, typer.Option(help="Only this severity band.", show_default=False)
    ] = None,
    owner: Annotated[str | None, typer.Option(show_default=False)] = None,
    component: Annotated[
        str | None, typer.Option(help="Component contains this text.", show_default=False)
    ] = None,
    source: Annotated[str | None, typer.Option(show_default=False)] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", show_default=False)] = None,
    breached: Annotated[
        bool, typer.Option("--breached", help="Only items past a deadline.")
    ] = False,
    due_before: Annotated[
        str | None, typer.Option(help="Only items due before this date.", show_default=False)
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Also resolved, duplicate and invalid items.")
    ] = False,
    fmt: Fmt = "terminal",
) -> None:
    """List open items (and accepted risks), breaches and the most severe first."""
    from platform_maturity.reports.backlog_terminal import render_items
    from platform_maturity.reports.backlog_view import money
    from platform_maturity.services import backlog

    _check_format(fmt)
    moment = now()
    with store(ctx) as (ws, database):
        views, loaded = backlog.list_items(
            ws,
            database,
            backlog.Filters(
                states=tuple(state or ()),
                band=band,
                owner=owner,
                component=component,
                source=source,
                unit=unit,
                breached=breached,
                due_before=parse_when(due_before, "--due-before") if due_before else None,
                all=all_,
            ),
            moment,
        )
    if fmt == "json":
        typer.echo(json.dumps([v.model_dump(mode="json") for v in views], indent=2))
        return
    out = console()
    render_items(views, out, moment, f"Security backlog ({len(views)} item(s))")
    if not views and not (state or band or owner or component or source or unit or breached):
        out.print(
            "Add items with 'maturity backlog add' or import scanner output with"
            " 'maturity backlog import'.",
            style="bright_black",
        )
        return
    loss = sum(v.expected_annual_loss or 0.0 for v in views if v.state.value != "risk_accepted")
    late = sum(1 for v in views if v.breached)
    out.print(
        f"{late} past a deadline · expected annual loss of those listed:"
        f" {money(loss, loaded.policy.currency)}",
        style="bright_black",
    )


@backlog_app.command("show")
def show(ctx: typer.Context, item: ItemArg, fmt: Fmt = "terminal") -> None:
    """One item: score, deadlines, scanner finding, postmortems and its whole history."""
    from platform_maturity.reports.backlog_terminal import render_item
    from platform_maturity.services import backlog

    _check_format(fmt)
    moment = now()
    with store(ctx) as (ws, database):
        detail = backlog.show(ws, database, item, moment)
        policy = backlog.backlog_policy(ws)
    if fmt == "json":
        payload = {
            "item": detail.item.model_dump(mode="json"),
            "status": detail.view.model_dump(mode="json"),
            "postmortems": [p.model_dump(mode="json") for p in detail.postmortems],
            "history": [h.model_dump(mode="json") for h in detail.history],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    render_item(
        detail.item,
        detail.view,
        detail.history,
        detail.postmortems,
        policy,
        console(),
        moment,
        detail.duplicate_key,
    )
