"""Framework commands: validate, show, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from platform_maturity.cli.common import State, console, one_of
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import Framework, Goal, Pillar
from platform_maturity.framework.loader import load_framework
from platform_maturity.reports.terminal import WIDE, make_table
from platform_maturity.services.workspace import find_workspace, load_workspace

framework_app = typer.Typer(
    help="The maturity model itself: validate, browse and export it.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(framework_app, name="framework")


def _framework(ctx: typer.Context) -> Framework:
    """The workspace's framework (with its overrides) when in a workspace, else the built-in one."""
    state = ctx.ensure_object(State)
    try:
        path = find_workspace(Path.cwd(), state.workspace_path)
    except UserError:
        if state.workspace_path is not None:
            raise
        return load_framework()
    return load_workspace(path).framework


@framework_app.command("validate")
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A framework folder (with framework.yaml) or an override file. Default: the"
            " built-in framework plus the workspace's overrides.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check framework data: schema, unique codes, references, targets. Exits 2 on errors."""
    if path is None:
        framework = _framework(ctx)
    elif path.is_dir():
        framework = load_framework(path)
    elif path.is_file():
        framework = load_framework(overrides=[path])
    else:
        raise UserError("no such file or folder", file=str(path))
    goals = sum(1 for _ in framework.goals())
    metrics = sum(1 for _ in framework.metrics())
    console().print(
        f"[green]valid[/]: {framework.name} {framework.version} — "
        f"{len(framework.pillars)} pillars, {goals} goals, {metrics} metrics, "
        f"{len(framework.kpis)} KPIs"
    )


def _show_pillar(framework: Framework, pillar: Pillar) -> None:
    out = console()
    out.print(f"[bold]{pillar.name}[/] ({pillar.id}) — {pillar.summary}")
    wide = out.width >= WIDE
    metrics = make_table(out, "Metrics")
    metrics.add_column("Id (for 'maturity measure')", no_wrap=True)
    metrics.add_column("Metric", ratio=1)
    metrics.add_column("Target", no_wrap=True)
    if wide:
        metrics.add_column("KPI")
    for m in pillar.metrics:
        cells = [m.id, m.name, str(m.parsed_target)] + ([m.kpi or ""] if wide else [])
        metrics.add_row(*cells)
    out.print(metrics)
    for category in pillar.categories:
        table = make_table(out, category.name)
        table.add_column("Code", no_wrap=True)
        table.add_column("Lvl", justify="right")
        table.add_column("Goal", ratio=1)
        table.add_column("Upstream", no_wrap=True)
        for goal in category.goals:
            table.add_row(
                goal.code,
                str(goal.level),
                goal.statement,
                goal.upstream if goal.upstream and goal.upstream != goal.code else "",
            )
        out.print(table)


def _show_goal(framework: Framework, goal: Goal) -> None:
    pillar = framework.pillar(goal.pillar)
    category = next(c for c in pillar.categories if c.id == goal.category)
    text = (
        f"## {goal.code} — {goal.statement}\n\n"
        f"*{pillar.name} › {category.name} · level {goal.level} "
        f"({framework.level_name(goal.level)})*"
        + (
            f" · upstream code `{goal.upstream}`"
            if goal.upstream and goal.upstream != goal.code
            else ""
        )
        + f"\n\n**Why it matters.** {goal.why}\n\n**How to get there.** {goal.how}\n\n"
        f"**Question.** {goal.evidence.question}\n"
    )
    if not goal.in_scope:
        text += f"\n**Out of scope:** {goal.out_of_scope_reason}\n"
    console().print(Markdown(text))


@framework_app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[
        str | None, typer.Argument(help="A pillar (id or name) or a goal code.", show_default=False)
    ] = None,
) -> None:
    """List the pillars, or show one pillar's metrics and goals, or one goal in full."""
    framework = _framework(ctx)
    if ref is None:
        table = Table(title=f"{framework.name} {framework.version}", title_justify="left")
        for column in ("Pillar", "Id", "Goals", "Metrics", "Summary"):
            table.add_column(column)
        for p in framework.pillars:
            table.add_row(
                p.name, p.id, str(sum(1 for _ in p.goals())), str(len(p.metrics)), p.summary
            )
        console().print(table)
        return
    try:
        pillar = framework.pillar(ref)
    except KeyError:
        _show_goal(framework, _goal(framework, ref))
        return
    _show_pillar(framework, pillar)


def _goal(framework: Framework, ref: str) -> Goal:
    try:
        return framework.goal(ref)
    except KeyError as exc:
        raise UserError(
            f"{ref!r} is neither a pillar nor a goal code ({exc})",
            field="PILLAR|CODE",
            value=ref,
            hint="Pillars: " + ", ".join(p.id for p in framework.pillars),
        ) from None


@framework_app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="json, yaml, markdown or wa-lens (AWS Well-Architected custom lens).",
        ),
    ] = "json",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write; default stdout.", show_default=False),
    ] = None,
) -> None:
    """Export the framework (with workspace overrides) for docs, other tools or AWS WA."""
    from platform_maturity.reports.framework_export import FORMATS
    from platform_maturity.reports.framework_export import export as do_export

    one_of(fmt, FORMATS, "--format", "export format")
    text = do_export(_framework(ctx), fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console().print(f"Wrote {out} ({len(text.encode()):,} bytes)")
