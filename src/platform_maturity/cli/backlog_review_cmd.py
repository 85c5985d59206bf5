"""``maturity backlog review|reviewed|attainment|evidence|policy``: the backlog over time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, parse_when, store
from platform_maturity.domain.errors import UserError


def add_commands(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("reviewed")(reviewed)
    app.command("attainment")(attainment)
    app.command("evidence")(evidence)
    app.command("policy")(policy)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console().print(f"Wrote {out}")


def review(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, markdown, html or json.")
    ] = "terminal",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write (html needs one).", show_default=False),
    ] = None,
    next_review: Annotated[
        str | None,
        typer.Option(
            "--next",
            help="Date of the next review; default: the cadence from today.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The agenda of the leadership review: triage, breaches, what falls due, expiring risks.

    New items to triage, SLA breaches, items due before the next review and accepted risks
    about to expire, with attainment and expected loss.

    Accepted risks that have expired reopen first. Record the meeting afterwards with
    'maturity backlog reviewed'.
    """
    from platform_maturity.services.backlog_insights import review_agenda

    formats = ("terminal", "markdown", "html", "json")
    if fmt not in formats:
        raise UserError(
            "unknown format", field="--format", value=fmt, hint="Use " + ", ".join(formats) + "."
        )
    if fmt == "html" and out is None:
        raise UserError("an HTML agenda needs a file", field="--out", hint="Add --out agenda.html.")
    moment = now()
    with store(ctx) as (ws, database):
        agenda = review_agenda(
            ws, database, moment, parse_when(next_review, "--next") if next_review else None
        )
    if fmt == "terminal" and out is None:
        from platform_maturity.reports.backlog_terminal import render_agenda

        render_agenda(agenda, console())
        return
    if fmt == "json":
        text = agenda.model_dump_json(indent=2) + "\n"
    elif fmt == "html":
        from platform_maturity.reports.backlog_pages import render_agenda_html

        text = render_agenda_html(agenda)
    elif fmt == "markdown":
        from platform_maturity.reports.backlog_pages import render_agenda_markdown

        text = render_agenda_markdown(agenda)
    else:
        import io

        from rich.console import Console

        from platform_maturity.reports.backlog_terminal import render_agenda

        buffer = io.StringIO()
        render_agenda(agenda, Console(file=buffer, width=100, color_system=None))
        text = buffer.getvalue()
    _write(text, out)


def reviewed(
    ctx: typer.Context,
    at: Annotated[
        str | None,
        typer.Option("--at", help="When it took place; default now.", show_default=False),
    ] = None,
    attendee: Annotated[
        list[str] | None,
        typer.Option(
            "--attendee", "-a", help="Who took part (repeat for several).", show_default=False
        ),
    ] = None,
    notes: Annotated[
        str | None, typer.Option(help="Decisions, in a sentence or two.", show_default=False)
    ] = None,
) -> None:
    """Record that the leadership review took place: the evidence for regular reviews (C.S.3)."""
    from platform_maturity.services.backlog_insights import record_review

    moment = now()
    with store(ctx) as (_, database):
        done = record_review(
            database,
            held_at=parse_when(at, "--at") if at else moment,
            attendees=attendee or [],
            notes=notes,
            actor=actor(),
            now=moment,
        )
    console().print(f"Recorded the review of {done.held_at:%Y-%m-%d}.")


def attainment(
    ctx: typer.Context,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Period start; default a year ago.", show_default=False),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Period end; default now.", show_default=False)
    ] = None,
    quarters: Annotated[int, typer.Option(help="Quarters in the trend.", min=1, max=20)] = 5,
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
) -> None:
    """SLA attainment per period and band, and the trend per quarter.

    Resolved within SLA / resolved, open in breach, aging and mean time to remediate per
    band; the period is the last twelve months unless --from / --to are given.
    """
    from platform_maturity.services.backlog_insights import attainment_report

    if fmt not in ("terminal", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="Use terminal or json.")
    with store(ctx) as (ws, database):
        period, trend = attainment_report(
            ws,
            database,
            now(),
            parse_when(from_, "--from") if from_ else None,
            parse_when(to, "--to") if to else None,
            quarters,
        )
    if fmt == "json":
        payload = {
            "period": period.model_dump(mode="json"),
            "trend": [q.model_dump(mode="json") for q in trend],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    from platform_maturity.reports.backlog_terminal import render_attainment

    render_attainment(period, trend, console())


def evidence(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="Period start (e.g. the audit window's).")],
    to: Annotated[
        str | None, typer.Option("--to", help="Period end; default now.", show_default=False)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "csv",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write; default stdout.", show_default=False),
    ] = None,
) -> None:
    """Audit evidence (SOC 2): every item open in the period, its dates against its SLA.

    Reported, triaged, started, the deadlines, resolved, the outcome and any risk
    acceptance, as CSV or JSON.
    """
    from platform_maturity.services.backlog import backlog_policy
    from platform_maturity.services.backlog_insights import evidence as rows_for
    from platform_maturity.services.backlog_insights import evidence_csv, evidence_json

    if fmt not in ("csv", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="Use csv or json.")
    moment = now()
    start = parse_when(from_, "--from")
    end = parse_when(to, "--to") if to else moment
    with store(ctx) as (ws, database):
        rows = rows_for(ws, database, start, end, moment)
        policy = backlog_policy(ws)
    if fmt == "csv":
        text = evidence_csv(rows)
    else:
        bands = [b.model_dump() for b in policy.sla_policy.ordered()]
        text = evidence_json(rows, start, min(end, moment), {"bands": bands})
    _write(text, out)
    if out is not None:
        console().print(
            f"{len(rows)} item(s) from {start:%Y-%m-%d} to {min(end, moment):%Y-%m-%d}."
        )


def policy(ctx: typer.Context) -> None:
    """The scoring anchors, money ranges, SLA bands and review cadence.

    Risk and impact levels with what each means, the money range of each impact level, the
    SLA bands with the severities that fall in each, and the grid of risk × impact.
    """
    from platform_maturity.reports.backlog_terminal import render_policy
    from platform_maturity.services.backlog import backlog_policy, current_policy_version

    with store(ctx) as (ws, database):
        loaded = backlog_policy(ws)
        version = current_policy_version(database, loaded)
    render_policy(loaded, version, console())
