"""The demo: a scored fictional organization in one command."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import console, now, spinner
from platform_maturity.reports.render import EXTENSIONS, render
from platform_maturity.reports.terminal import render_terminal
from platform_maturity.services.demo import create_demo
from platform_maturity.services.demo_backlog import write_review
from platform_maturity.services.report import report_model
from platform_maturity.services.workspace import open_store


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    folder: Annotated[Path, typer.Argument(help="Where to create the demo workspace.")] = Path(
        "maturity-demo"
    ),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same history.")
    ] = 7,
) -> None:
    """Create a demo organization with four teams and a year of history, score it, write reports."""
    out = console()
    moment = now()
    with spinner(out, "Creating the demo workspace") as step:
        workspace = create_demo(
            folder,
            moment,
            seed,
            progress=step,
        )
        step("Scoring and writing reports")
        with open_store(workspace, moment, "demo") as database:
            model = report_model(workspace, database, moment, include_security=True)
            written = write_review(folder / "reports", workspace, database, moment)
        reports = folder / "reports"
        for fmt in ("json", "markdown", "html"):
            path = reports / f"scorecard{EXTENSIONS[fmt]}"
            path.write_text(render(model, fmt), encoding="utf-8")
            written.insert(0, path)
        written.append(folder / "status" / "index.html")
    render_terminal(model, out)
    out.print()
    out.print(f"Demo workspace: {folder.resolve()}", soft_wrap=True)
    for path in written:
        out.print(f"  {path.resolve()}", soft_wrap=True)
    out.print(f"\nOpen the HTML report: [bold]file://{written[0].resolve()}[/]", soft_wrap=True)
    command = _command_name()
    first = model.history[0].name if model.history else "2026-Q1"
    out.print(
        f"\nExplore it:\n  cd {folder}\n  {command} framework show automation\n"
        f"  {command} report --unit payments\n  {command} diff {first} now\n  {command} kpi\n"
        f"  {command} backlog review\n  {command} incident list --all",
        soft_wrap=True,
    )


def _command_name() -> str:
    """``maturity`` when it is on PATH, else the path of this installation's command."""
    if shutil.which("maturity"):
        return "maturity"
    candidate = Path(sys.executable).parent / "maturity"
    return str(candidate) if candidate.exists() else "maturity"
