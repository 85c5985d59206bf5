"""Entry point: the ``maturity`` command and its error handling."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from platform_maturity.cli import (
    assess_cmd,
    demo_cmd,
    framework_cmd,
    import_cmd,
    kpi_cmd,
    report_cmd,
    scan_cmd,
    workspace_cmd,
)
from platform_maturity.cli.common import State, console
from platform_maturity.domain.errors import UserError

app = typer.Typer(
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
    rich_markup_mode="rich",
)


@app.callback()
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


workspace_cmd.register(app)
framework_cmd.register(app)
assess_cmd.register(app)
report_cmd.register(app)
scan_cmd.register(app)
demo_cmd.register(app)
import_cmd.register(app)
kpi_cmd.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print one clear message and exit 2.

    Usage errors (unknown command, missing argument) are reported by Typer itself with
    exit status 2; an interrupted prompt exits 1.
    """
    err = console(stderr=True)
    try:
        app(args=argv, prog_name="maturity")
    except UserError as exc:
        err.print(Text.assemble(("error: ", "bold red"), str(exc)), soft_wrap=True)
        return 2
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(
            Text.assemble(("error: ", "bold red"), f"{where}{exc.strerror or exc}"), soft_wrap=True
        )
        return 2
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def run() -> None:
    sys.exit(main())
