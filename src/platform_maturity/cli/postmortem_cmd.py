"""``maturity postmortem``: what went wrong, which platform gaps allowed it, what it cost.

A postmortem belongs to a subject: a security backlog item (SEC-12) today.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, store
from platform_maturity.domain.errors import UserError

postmortem_app = typer.Typer(
    help=(
        "Postmortems: the proximate cause, the platform gaps (goal codes) that allowed it,"
        " the cost and the action items. The goal codes and costs show, in reports, why a"
        " gap matters. Postmortems of security items are restricted like the backlog."
    ),
    no_args_is_help=True,
)
PmArg = Annotated[str, typer.Argument(help="Postmortem id, e.g. PM-3.", show_default=False)]


def register(app: typer.Typer) -> None:
    app.add_typer(postmortem_app, name="postmortem")


@postmortem_app.command("add")
def add(
    ctx: typer.Context,
    subject: Annotated[
        str, typer.Argument(help="What it is about, e.g. SEC-12.", show_default=False)
    ],
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A YAML postmortem (summary, proximate_cause, platform_gaps, cost, action_items).",
            show_default=False,
        ),
    ] = None,
    summary: Annotated[
        str | None, typer.Option(help="What happened, briefly.", show_default=False)
    ] = None,
    cause: Annotated[
        str | None, typer.Option(help="The proximate cause.", show_default=False)
    ] = None,
    gap: Annotated[
        list[str] | None,
        typer.Option(
            "--gap", help="A goal code whose gap allowed it (repeat).", show_default=False
        ),
    ] = None,
    cost: Annotated[
        str | None,
        typer.Option(
            help="Estimated cost, e.g. '120k' or '80000 EUR' (default: organization currency).",
            show_default=False,
        ),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", help="'title | owner | due date' (repeat).", show_default=False),
    ] = None,
) -> None:
    """Write a postmortem about SUBJECT, from options or from a YAML file."""
    from platform_maturity.services import postmortems

    moment = now()
    with store(ctx) as (ws, database):
        if file is not None:
            if summary or cause or gap or cost or action:
                raise UserError("give either --file or the options, not both", field="--file")
            text, why, gaps, money, actions = postmortems.read_postmortem_file(ws, file, moment)
            cost_text = f"{money.amount} {money.currency}" if money else None
            pm = postmortems.add_postmortem(
                ws,
                database,
                subject,
                summary=text,
                cause=why,
                gaps=list(gaps),
                cost=cost_text,
                actions=list(actions),
                author=actor(),
                now=moment,
            )
        else:
            if not summary or not cause:
                raise UserError(
                    "a postmortem needs a summary and a proximate cause",
                    field="--summary" if not summary else "--cause",
                    hint="Give --summary and --cause, or --file postmortem.yaml.",
                )
            pm = postmortems.add_postmortem(
                ws,
                database,
                subject,
                summary=summary,
                cause=cause,
                gaps=gap or [],
                cost=cost,
                actions=[postmortems.parse_action(a) for a in action or []],
                author=actor(),
                now=moment,
            )
    note = "" if pm.complete else " (add platform gaps and a cost to make it complete)"
    console().print(f"Wrote PM-{pm.id} about {subject.upper()}{note}.")


@postmortem_app.command("list")
def list_(
    ctx: typer.Context,
    subject: Annotated[
        str | None, typer.Option(help="Only about this subject.", show_default=False)
    ] = None,
) -> None:
    """Postmortems with their gaps, cost and open action items."""
    from platform_maturity.reports.terminal import make_table
    from platform_maturity.services import postmortems

    with store(ctx) as (_, database):
        found = postmortems.list_postmortems(database, subject)
    out = console()
    today = now().date()
    table = make_table(out, f"Postmortems ({len(found)})")
    for column in ("Id", "Subject", "Gaps", "Cost", "Actions", "Summary"):
        table.add_column(
            column,
            no_wrap=column not in ("Summary", "Gaps"),
            ratio=1 if column == "Summary" else None,
        )
    for pm in found:
        open_items = [a for a in pm.action_items if not a.done]
        late = sum(1 for a in open_items if a.overdue(today))
        table.add_row(
            f"PM-{pm.id}",
            postmortems.subject_label(pm.subject_kind, pm.subject_id),
            ", ".join(pm.platform_gaps) or "—",
            str(pm.cost) if pm.cost else "—",
            f"{len(open_items)} open" + (f", {late} late" if late else ""),
            pm.summary,
        )
    out.print(table)


@postmortem_app.command("show")
def show(
    ctx: typer.Context,
    postmortem: PmArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
) -> None:
    """One postmortem with its action items."""
    from rich.markup import escape
    from rich.panel import Panel

    from platform_maturity.services import postmortems

    with store(ctx) as (_, database):
        pm = postmortems.get_postmortem(database, postmortem)
    if fmt == "json":
        typer.echo(json.dumps(pm.model_dump(mode="json"), indent=2))
        return
    if fmt != "terminal":
        raise UserError("unknown format", field="--format", value=fmt, hint="Use terminal or json.")
    today = now().date()
    lines = [
        f"[bold]Subject[/]  {postmortems.subject_label(pm.subject_kind, pm.subject_id)}",
        f"[bold]Summary[/]  {escape(pm.summary)}",
        f"[bold]Cause[/]    {escape(pm.proximate_cause)}",
        f"[bold]Gaps[/]     {', '.join(pm.platform_gaps) or 'none named'}",
        f"[bold]Cost[/]     {pm.cost or 'not stated'}",
        f"[bold]Written[/]  {pm.created_at:%Y-%m-%d} by {pm.author}",
    ]
    for n, a in enumerate(pm.action_items, 1):
        state = "✓ done" if a.done else ("[red]late[/]" if a.overdue(today) else "open")
        extra = " · ".join(x for x in (a.owner, f"due {a.due}" if a.due else None, a.kind) if x)
        lines.append(
            f"  {n}. {state}: {escape(a.title)}" + (f" ({escape(extra)})" if extra else "")
        )
    console().print(Panel("\n".join(lines), title=f"PM-{pm.id}", title_align="left"))


@postmortem_app.command("action")
def action_add(
    ctx: typer.Context,
    postmortem: PmArg,
    title: Annotated[str, typer.Option(help="What to do.")],
    owner: Annotated[str | None, typer.Option(show_default=False)] = None,
    due: Annotated[
        str | None, typer.Option(help="Due date, e.g. 2026-12-31.", show_default=False)
    ] = None,
) -> None:
    """Add an action item to a postmortem."""
    from platform_maturity.domain.postmortems import ActionItem
    from platform_maturity.services import postmortems

    try:
        when = date.fromisoformat(due) if due else None
    except ValueError:
        raise UserError("not a date", field="--due", value=due, hint="Use 2026-12-31.") from None
    try:
        item = ActionItem(title=title, owner=owner, due=when)
    except ValueError:
        raise UserError("the title is too short", field="--title", value=title) from None
    with store(ctx) as (_, database):
        pm = postmortems.add_action(database, postmortem, item, actor(), now())
    console().print(f"PM-{pm.id}: action {len(pm.action_items)} added.")


@postmortem_app.command("done")
def done(
    ctx: typer.Context,
    postmortem: PmArg,
    number: Annotated[int, typer.Argument(help="The action item's number, as listed.")],
) -> None:
    """Mark an action item done."""
    from platform_maturity.services import postmortems

    with store(ctx) as (_, database):
        pm = postmortems.finish_action(database, postmortem, number, actor(), now())
    console().print(f"PM-{pm.id}: action {number} done.")


@postmortem_app.command("gaps")
def gaps(
    ctx: typer.Context,
    include_security: Annotated[
        bool,
        typer.Option("--include-security", help="Also postmortems of security items (restricted)."),
    ] = False,
) -> None:
    """The platform gaps postmortems name, with what they cost: why each gap matters."""
    from platform_maturity.reports.terminal import make_table
    from platform_maturity.services import postmortems

    with store(ctx) as (ws, database):
        costs = postmortems.costs_by_gap(database, now(), include_security)
        statements = {g.code: g.statement for g in ws.framework.goals()}
    out = console()
    table = make_table(
        out,
        "Platform gaps named by postmortems",
        caption="A postmortem's whole cost counts for each gap it names.",
        caption_justify="left",
    )
    for column in ("Goal", "Postmortems", "Cost", "Statement"):
        table.add_column(
            column, no_wrap=column != "Statement", ratio=1 if column == "Statement" else None
        )
    for g in costs:
        table.add_row(
            g.code,
            str(g.postmortems),
            " + ".join(str(m) for m in g.costs) or "—",
            statements.get(g.code, ""),
        )
    out.print(table)
    if not costs and not include_security:
        out.print(
            "Postmortems of security items are restricted: add --include-security.",
            style="bright_black",
        )
