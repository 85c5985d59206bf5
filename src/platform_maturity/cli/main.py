"""Entry point: the ``maturity`` command and its error handling."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
# A command makes many objects that live as long as the process (modules, classes, models
# and validators at start-up, then the parsed inputs of a scan) and little garbage: the
# collector looks at its youngest generation only every this many new objects (Python's
# default is 700, which made start-up spend a tenth of its time collecting nothing).
GC_THRESHOLD = 50_000


@contextmanager
def rare_collections() -> Iterator[None]:
    """Collect garbage rarely while a command runs; the thresholds as they were afterwards."""
    usual = gc.get_threshold()
    gc.set_threshold(max(usual[0], GC_THRESHOLD), usual[1], usual[2])
    try:
        yield
    finally:
        gc.set_threshold(*usual)


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
    from platform_maturity.domain.errors import UserError

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

    from platform_maturity.cli.common import console

    console(stderr=True).print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def run() -> None:
    """The ``maturity`` program. This module imports next to nothing, so collections are
    rare from the start (the imports of the command make few objects that die); at the end
    what is left lives until the process exits, and is not walked once more on the way."""
    with rare_collections():
        code = main()
        gc.freeze()
    sys.exit(code)
