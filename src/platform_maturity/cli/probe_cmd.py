"""``maturity probe``, ``maturity watch`` and ``maturity signal``: find downtime.

Probes are defined under ``downtime.probes`` in maturity.yaml (HTTP(S) with Gatus-style
conditions, multi-step flows, health checks, TCP, DNS). Services and renderers are imported
inside the commands (fast start-up).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import console, now, parse_when, store, workspace
from platform_maturity.domain.errors import UserError

probe_app = typer.Typer(
    help="Synthetic probes: HTTP(S) with conditions, multi-step flows, health checks, TCP, DNS.",
    no_args_is_help=True,
)
signal_app = typer.Typer(
    help=(
        "Signals from outside the probes: 'flow failed' events sent by application code"
        " (runtime data) and reports from users."
    ),
    no_args_is_help=True,
)
Fmt = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]


def register(app: typer.Typer) -> None:
    app.add_typer(probe_app, name="probe")
    app.command("watch")(watch)
    app.add_typer(signal_app, name="signal")


def _check_format(fmt: str) -> None:
    if fmt not in ("terminal", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="Use terminal or json.")


@probe_app.command("list")
def probe_list(ctx: typer.Context) -> None:
    """Every probe, what it watches and how often; broken definitions with the reason."""
    from platform_maturity.reports.downtime_terminal import print_probes
    from platform_maturity.services.downtime import probes_of

    probes, problems = probes_of(workspace(ctx))
    print_probes(console(), probes, problems)
    if problems:
        raise typer.Exit(1)


@probe_app.command("run")
def probe_run(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME]...", help="Probes to run (default: all).")
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Also store the results (as the watcher does).")
    ] = False,
    fmt: Fmt = "terminal",
) -> None:
    """Run probes once and print what they saw. Exit 1 when one fails or cannot run."""
    from platform_maturity.services.downtime import probes_of, record_results, run_once

    _check_format(fmt)
    ws = workspace(ctx)
    probes, problems = probes_of(ws, tuple(names or ()))
    if not probes and not problems:
        raise UserError(
            "no probes defined",
            hint=f"Add them under downtime.probes in {ws.config_path}, or import a Gatus"
            " file: maturity probe import-gatus FILE --write.",
        )
    if fmt == "terminal" and probes:
        with console(stderr=True).status(f"Running {len(probes)} probe(s)..."):
            results = run_once(ws, probes, now)
    else:
        results = run_once(ws, probes, now)
    if record:
        with store(ctx) as (_, db):
            record_results(db, results)
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "results": [r.model_dump(mode="json") for r in results],
                    "problems": [p.model_dump(mode="json") for p in problems],
                },
                indent=2,
            )
        )
    else:
        from platform_maturity.reports.downtime_terminal import print_results

        print_results(console(), results, problems)
    if problems or any(not r.ok for r in results):
        raise typer.Exit(1)


@probe_app.command("import-gatus")
def probe_import_gatus(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A Gatus config.yaml, or a folder of them.")],
    component: Annotated[
        str | None,
        typer.Option(help="Component for endpoints without a group (default: the group's)."),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Add the probes (and the components their groups name) to maturity.yaml;"
            " without it, print them as YAML.",
        ),
    ] = False,
) -> None:
    """Read a Gatus configuration: endpoints (HTTP(S), TCP, DNS) and suites (flows).

    Each key we do not take over is named in a warning; conditions Gatus would silently
    misread (no spaces around the operator, a non-number compared, '30d') are refused
    with the reason.
    """
    import yaml

    from platform_maturity.importers.gatus import read_gatus

    if not path.exists():
        raise UserError("no such file or folder", file=str(path))
    result = read_gatus(path, component)
    err = console(stderr=True)
    for warning in result.warnings:
        err.print(f"warning: {warning}", soft_wrap=True, markup=False)
    if not write:
        typer.echo(yaml.safe_dump({"probes": result.probes}, sort_keys=False, allow_unicode=True))
        return
    from platform_maturity.services.downtime_config import add_probes

    ws = workspace(ctx)
    add_probes(ws, result.probes, result.components)
    console().print(
        f"Added {len(result.probes)} probe(s) to {ws.config_path}"
        + (f" ({len(result.warnings)} warning(s) above)." if result.warnings else ".")
    )


def watch(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME]...", help="Probes to run (default: all).")
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            help="Stop after this many seconds (default: until Ctrl-C or SIGTERM).", min=1
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only incidents and errors.")
    ] = False,
    listen: Annotated[
        str | None,
        typer.Option(
            help="Also take signals over HTTP: POST JSON events to http://HOST:PORT/signals"
            " (e.g. 127.0.0.1:8787).",
            show_default=False,
        ),
    ] = None,
    token_env: Annotated[
        str | None,
        typer.Option(
            help="Environment variable holding a bearer token that --listen requires.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run every probe on its interval, store each result, open and resolve incidents from
    downtime and send notifications and escalations — until Ctrl-C or SIGTERM.

    Timeouts, jitter and bounded concurrency (downtime.concurrency) keep one hung or broken
    target from holding up the others; a probe whose definition is broken is reported and
    left out.
    """
    from platform_maturity.services.watch import WatchEvents, run_watch

    out = console()
    err = console(stderr=True)

    def results(batch: list) -> None:  # type: ignore[type-arg]
        if quiet:
            return
        for r in batch:
            mark = "[green]up[/]" if r.ok else "[bold red]DOWN[/]"
            time_text = "" if r.duration_ms is None else f" {r.duration_ms:.0f} ms"
            why = "" if r.ok else f" — {r.error}"
            out.print(
                f"{r.at:%H:%M:%S} {mark} {r.probe} ({r.component}{'/' + r.flow if r.flow else ''})"
                f"{time_text}{why}",
                soft_wrap=True,
                highlight=False,
            )

    events = WatchEvents(
        on_results=results,
        on_opened=lambda i: out.print(f"[bold red]opened[/] {i.key} {i.title}", soft_wrap=True),
        on_resolved=lambda i: out.print(f"[green]resolved[/] {i.key} {i.title}", soft_wrap=True),
        on_notified=lambda n: out.print(
            f"notified {n.target} about INC-{n.incident_id} ({n.event.value})"
            + ("" if n.ok else f" [red]failed: {n.error}[/]"),
            soft_wrap=True,
        ),
        on_problem=lambda p: err.print(
            f"[red]probe {p.name!r} left out:[/] {p.message}", soft_wrap=True
        ),
        on_error=lambda m: err.print(f"[red]error:[/] {m}", soft_wrap=True),
    )
    from platform_maturity.services.signal_endpoint import parse_listen

    address = parse_listen(listen) if listen else None
    token = None
    if token_env:
        token = os.environ.get(token_env)
        if not token:
            raise UserError(
                "the variable is not set or empty", field="--token-env", value=token_env
            )
    with store(ctx) as (ws, db):
        probes = ws.config.downtime.probes
        if not probes:
            raise UserError(
                "no probes defined", hint=f"Add them under downtime.probes in {ws.config_path}."
            )
        err.print(f"Watching {len(probes)} probe(s); Ctrl-C stops.")
        stats = run_watch(
            ws,
            db,
            os.environ,
            events,
            tuple(names or ()),
            duration,
            address,
            token,
            lambda url: err.print(f"Taking signals at {url}"),
        )
    err.print(
        f"Stopped: {stats.results} result(s), {stats.failures} failed; {stats.opened} incident(s)"
        f" opened, {stats.resolved} resolved; {stats.notifications} notification(s)."
    )


@signal_app.command("flow-failed")
def signal_flow_failed(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="COMPONENT/FLOW", help="e.g. auth/password-login.")
    ],
    message: Annotated[str, typer.Option("--message", "-m", help="What failed.")] = "",
    source: Annotated[str, typer.Option(help="The service that saw it.")] = "",
    at: Annotated[str | None, typer.Option(help="When (default: now).", show_default=False)] = None,
    count: Annotated[int, typer.Option(help="This many events (a burst).", min=1, max=10000)] = 1,
) -> None:
    """Record that a critical flow failed for a user (the runtime-data method)."""
    _record(ctx, "runtime", target, message, source, at, count)


@signal_app.command("user-report")
def signal_user_report(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="COMPONENT[/FLOW]")],
    message: Annotated[str, typer.Option("--message", "-m", help="What the user said.")] = "",
    reporter: Annotated[str, typer.Option(help="Who reported it.")] = "",
    at: Annotated[str | None, typer.Option(help="When (default: now).", show_default=False)] = None,
) -> None:
    """Record a user's report that something is down (the last-resort method)."""
    _record(ctx, "user-report", target, message, reporter, at, 1)


def _record(
    ctx: typer.Context,
    kind: str,
    target: str,
    message: str,
    source: str,
    at: str | None,
    count: int,
) -> None:
    from platform_maturity.domain.probes import SignalKind
    from platform_maturity.services.downtime import make_signal, record_signals, sync_incidents

    moment = parse_when(at, "--at") if at else now()
    if moment > now():
        raise UserError("the time is in the future", field="--at", value=at)
    with store(ctx) as (ws, db):
        signal = make_signal(ws, SignalKind(kind), target, moment, source, message)
        record_signals(db, [signal] * count)
        outcome = sync_incidents(ws, db, now())
    console().print(f"Recorded {count} {SignalKind(kind).method.label}(s) for {target}.")
    for incident in outcome.opened:
        console().print(f"Opened {incident.key}: {incident.title}")


@signal_app.command("ingest")
def signal_ingest(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help='JSON Lines (one event per line) or a JSON array: {"kind": "runtime",'
            ' "target": "auth/password-login", "at": "...Z", "source": ..., "message": ...}.'
        ),
    ],
) -> None:
    """Record many signals from a file, all or none (the entry point for application code
    and log pipelines)."""
    from platform_maturity.services.downtime import read_signal_file, record_signals, sync_incidents

    with store(ctx) as (ws, db):
        signals = read_signal_file(ws, path, now())
        record_signals(db, signals)
        outcome = sync_incidents(ws, db, now())
    console().print(f"Recorded {len(signals)} signal(s) from {path}.")
    for incident in outcome.opened:
        console().print(f"Opened {incident.key}: {incident.title}")
