"""Entry point: the ``maturity`` command and its error handling."""

from __future__ import annotations

import sys

from platform_maturity.cli.common import console, rare_collections
from platform_maturity.domain.errors import UserError

# The module that registers each top-level command, in the order --help lists them. A command
# line imports only the module of the command it names (start-up stays fast); --help, an
# unknown command or no command at all loads them all.
COMMAND_MODULES: dict[str, str] = {
    "init": "workspace_cmd",
    "db": "workspace_cmd",
    "export": "workspace_cmd",
    "restore": "workspace_cmd",
    "audit": "workspace_cmd",
    "framework": "framework_cmd",
    "assess": "assess_cmd",
    "answer": "assess_cmd",
    "answers": "assess_cmd",
    "waive": "assess_cmd",
    "waivers": "assess_cmd",
    "measure": "assess_cmd",
    "report": "report_cmd",
    "snapshot": "report_cmd",
    "diff": "report_cmd",
    "scan": "scan_cmd",
    "demo": "demo_cmd",
    "backlog": "backlog_cmd",
    "postmortem": "postmortem_cmd",
    "component": "downtime_cmd",
    "flow": "downtime_cmd",
    "uptime": "downtime_cmd",
    "probe": "probe_cmd",
    "watch": "probe_cmd",
    "signal": "probe_cmd",
    "incident": "incident_cmd",
    "status": "incident_cmd",
    "import": "import_cmd",
    "kpi": "kpi_cmd",
}
GLOBAL_OPTIONS_WITH_VALUE = ("--workspace", "-w")


def command_name(argv: list[str]) -> str | None:
    """The top-level command a command line names (None when it names none)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif arg == "--help":
            return None  # the top-level help lists every command
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print one clear message and exit 2.

    Usage errors (unknown command, missing argument) are reported by Typer itself with
    exit status 2; an interrupted prompt exits 1. A well-formed scan command line is read
    without Typer (:mod:`.scan_run`); every other one by the Typer app (:mod:`.app`).
    """
    args = sys.argv[1:] if argv is None else argv
    command = command_name(args)
    try:
        with rare_collections():
            if command == "scan":  # the command CI runs on every change: no Typer start-up
                from platform_maturity.cli.scan_run import fast_scan

                code = fast_scan(args)
                if code is not None:
                    return code
            from platform_maturity.cli.app import build_app

            build_app(command)(args=args, prog_name="maturity")
    except UserError as exc:
        _error(str(exc))
        return 2
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 2
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _error(message: str) -> None:
    from rich.text import Text

    console(stderr=True).print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def run() -> None:
    sys.exit(main())
