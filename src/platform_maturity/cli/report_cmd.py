"""Report commands: report, snapshot, diff."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, one_of, parse_when, store
from platform_maturity.domain.errors import UserError
from platform_maturity.reports.render import FORMATS, render
from platform_maturity.reports.terminal import make_table, render_diff, render_terminal
from platform_maturity.services import scorecard as scorecards
from platform_maturity.services.report import report_model

snapshot_app = typer.Typer(
    help="Freeze the scorecard under a name (e.g. 2026-Q4) to compare later.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(snapshot_app, name="snapshot")
    app.command("diff")(diff)


def report(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, html, markdown or json.")
    ] = "terminal",
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", help="Report on one unit only.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write (default: stdout; html needs a file).",
            show_default=False,
        ),
    ] = None,
    details: Annotated[
        bool,
        typer.Option("--details", help="Terminal: also list every pillar's metrics and goals."),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Score the state as of this date.", show_default=False),
    ] = None,
    include_security: Annotated[
        bool,
        typer.Option(
            "--include-security",
            help="Add the security backlog (restricted): SLA attainment, breaches, expected loss.",
        ),
    ] = False,
) -> None:
    """The scorecard: level and score per pillar, metrics, top gaps, changes since last snapshot."""
    one_of(fmt, FORMATS, "--format", "report format")
    with store(ctx) as (ws, database):
        moment = parse_when(as_of, "--as-of") if as_of else now()
        model = report_model(ws, database, moment, unit, include_security)
    if fmt == "terminal" and out is None:
        render_terminal(model, console(), details=details)
        return
    text = render(model, fmt)
    if out is None and fmt == "html" and sys.stdout.isatty():
        out = Path("scorecard.html")  # a page of HTML is of no use in a terminal
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console().print(f"Wrote {out}")


@snapshot_app.command("create")
def snapshot_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Snapshot name, e.g. 2026-Q4.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Freeze the state as of this date.", show_default=False),
    ] = None,
) -> None:
    """Freeze the current scorecard under NAME."""
    with store(ctx) as (ws, database):
        moment = parse_when(as_of, "--as-of") if as_of else now()
        card = scorecards.create_snapshot(ws, database, name, moment, now(), actor())
    score = "—" if card.organization.score is None else f"{card.organization.score:.1f}"
    console().print(
        f"Snapshot {name}: score {score}, level {card.organization.level} "
        f"({card.organization.level_name})."
    )


@snapshot_app.command("list")
def snapshot_list(
    ctx: typer.Context,
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", help="Pillar scores of this unit.", show_default=False),
    ] = None,
) -> None:
    """List snapshots with their score, level and pillar scores."""
    with store(ctx) as (ws, database):
        scope = ws.unit(unit) or "organization"
        rows = scorecards.snapshot_summaries(database, scope)
        pillars = [(p.id, p.prefix) for p in ws.framework.pillars]
    out = console()
    table = make_table(out, f"Snapshots (pillar scores: {scope})")
    for column in ("Name", "As of", "Score", "Level"):
        table.add_column(column, no_wrap=True)
    for _, prefix in pillars:
        table.add_column(prefix, justify="right")
    for row in rows:
        table.add_row(
            row.name,
            f"{row.as_of:%Y-%m-%d}",
            "—" if row.score is None else f"{row.score:.1f}",
            "—" if row.level is None else str(row.level),
            *(
                "—" if (v := row.pillar_scores.get(pid)) is None else f"{v:.0f}"
                for pid, _ in pillars
            ),
        )
    out.print(table)


def _whole(score: float | None) -> str:
    return "—" if score is None else f"{score:.0f}"


def diff(
    ctx: typer.Context,
    before: Annotated[str, typer.Argument(help="Earlier snapshot name.")],
    after: Annotated[str, typer.Argument(help="Later snapshot name, or 'now'.")] = "now",
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
) -> None:
    """What improved and what regressed between two snapshots."""
    if fmt not in ("terminal", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="Use terminal or json.")
    with store(ctx) as (ws, database):
        result = scorecards.diff(ws, database, before, after, now())
    if fmt == "json":
        typer.echo(result.model_dump_json(indent=2))
        return
    render_diff(result, console())
