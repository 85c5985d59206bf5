"""The Typer application: the global options and every command's module registered."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import State
from platform_maturity.cli.main import COMMAND_MODULES


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="maturity",
        help=(
            "Assess, measure and improve your platform against the Maturity Model for Platform"
            " Engineering: eight pillars, coded goals, metrics with targets, KPIs.\n\n"
            "Start with 'maturity demo' to see a scored demo organization, or 'maturity init'"
            " to create your own workspace."
        ),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode="markdown",
    )


def _global(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder or maturity.yaml file."
            " Default: found from the current folder upwards.",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = State(workspace_path=workspace)


def build_app(command: str | None = None) -> typer.Typer:
    """The ``maturity`` app with the module of ``command`` registered, or every module."""
    app = _new_app()
    app.callback()(_global)
    wanted = COMMAND_MODULES.get(command or "")
    for name in dict.fromkeys(COMMAND_MODULES.values()):
        if wanted is None or name == wanted:
            module = importlib.import_module(f"platform_maturity.cli.{name}")
            module.register(app)
    return app
