"""``maturity component``, ``maturity flow`` and ``maturity uptime``: what downtime means for
your users (components, their critical flows, owners and escalation) and how much of it
there was. Commands edit maturity.yaml and keep its comments.

Services and renderers are imported inside the commands (fast start-up).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from platform_maturity.cli.common import console, now, store, workspace
from platform_maturity.domain.errors import UserError

component_app = typer.Typer(
    help=(
        "Application components (Authentication, Feed, ...): each is up while its critical"
        " flows work. Owner, escalation chain and revenue per minute of downtime live here."
    ),
    no_args_is_help=True,
)
flow_app = typer.Typer(
    help="Critical user flows of a component: steps, latency budget, detection methods.",
    no_args_is_help=True,
)

Fmt = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]


def register(app: typer.Typer) -> None:
    app.add_typer(component_app, name="component")
    app.add_typer(flow_app, name="flow")
    app.command("uptime")(uptime)


def _check_format(fmt: str) -> None:
    if fmt not in ("terminal", "json"):
        raise UserError("unknown format", field="--format", value=fmt, hint="Use terminal or json.")


@component_app.command("list")
def component_list(ctx: typer.Context, fmt: Fmt = "terminal") -> None:
    """Components with their owner, escalation chain and flows, and what detects each flow."""
    from platform_maturity.services.downtime import coverage_of

    _check_format(fmt)
    ws = workspace(ctx)
    settings, coverage = coverage_of(ws)
    if fmt == "json":
        data = [
            {
                **c.model_dump(mode="json"),
                "flows": [
                    {**f.model_dump(mode="json"), "covered_by": list(coverage[(c.id, f.id)])}
                    for f in c.flows
                ],
            }
            for c in settings.components
        ]
        typer.echo(json.dumps(data, indent=2))
        return
    from platform_maturity.reports.downtime_terminal import print_components

    print_components(console(), settings.components, coverage)


def _slug_check(value: str, field: str) -> str:
    import re

    if not re.match(r"^[a-z0-9][a-z0-9-]*$", value):
        raise UserError(
            "an id is lower case letters, digits and dashes",
            field=field,
            value=value,
            hint="e.g. authentication or password-login.",
        )
    return value


@component_app.command("add")
def component_add(
    ctx: typer.Context,
    component_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. authentication.")],
    name: Annotated[str, typer.Option("--name", "-n", help="e.g. Authentication.")],
    owner: Annotated[
        str | None, typer.Option(help="Who answers for it (an e-mail address).")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="The owning unit.")] = None,
    public_name: Annotated[
        str | None, typer.Option(help="Its name on the public status page.")
    ] = None,
    revenue_per_minute: Annotated[
        float | None, typer.Option(help="Revenue lost per minute it is down (money figures).")
    ] = None,
) -> None:
    """Add an application component to maturity.yaml."""
    from platform_maturity.services.downtime_config import add_component

    ws = workspace(ctx)
    add_component(
        ws,
        _slug_check(component_id, "ID"),
        {
            "name": name,
            "owner": owner,
            "unit": ws.unit(unit),
            "public_name": public_name,
            "revenue_per_minute": revenue_per_minute,
        },
    )
    console().print(f"Added component {component_id} to {ws.config_path}.")


@component_app.command("set")
def component_set(
    ctx: typer.Context,
    component_id: Annotated[str, typer.Argument(metavar="ID")],
    name: Annotated[str | None, typer.Option("--name", "-n")] = None,
    owner: Annotated[str | None, typer.Option(help="'' removes it.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u")] = None,
    public_name: Annotated[str | None, typer.Option(help="'' removes it.")] = None,
    revenue_per_minute: Annotated[float | None, typer.Option()] = None,
) -> None:
    """Change a component's name, owner, unit, public name or revenue per minute."""
    from platform_maturity.services.downtime_config import set_component

    ws = workspace(ctx)
    set_component(
        ws,
        component_id,
        {
            "name": name,
            "owner": owner,
            "unit": ws.unit(unit) if unit else unit,
            "public_name": public_name,
            "revenue_per_minute": revenue_per_minute,
        },
    )
    console().print(f"Updated component {component_id}.")


@component_app.command("remove")
def component_remove(
    ctx: typer.Context, component_id: Annotated[str, typer.Argument(metavar="ID")]
) -> None:
    """Remove a component (refused while probes watch it). Its history stays in the store."""
    from platform_maturity.services.downtime_config import remove_component

    remove_component(workspace(ctx), component_id)
    console().print(f"Removed component {component_id}.")


@component_app.command("escalation")
def component_escalation(
    ctx: typer.Context,
    component_id: Annotated[str, typer.Argument(metavar="ID")],
    levels: Annotated[
        list[str],
        typer.Argument(
            metavar="LEVEL...",
            help="MINUTES=TARGET[,TARGET] in order, e.g. 0=ines@example.com,webhook:ops"
            " 10=lead@example.com: who is told when it starts, and who next when nobody"
            " acknowledged within the minutes.",
        ),
    ],
) -> None:
    """Set a component's escalation chain."""
    from platform_maturity.services.downtime_config import set_escalation

    parsed: list[tuple[int, list[str]]] = []
    for text in levels:
        minutes, _, targets = text.partition("=")
        if not minutes.strip().isdigit() or not targets.strip():
            raise UserError(
                "a level reads MINUTES=TARGET[,TARGET]",
                field="LEVEL",
                value=text,
                hint="e.g. 0=oncall@example.com,webhook:ops 15=lead@example.com",
            )
        parsed.append((int(minutes), [t.strip() for t in targets.split(",") if t.strip()]))
    set_escalation(workspace(ctx), component_id, parsed)
    console().print(f"Set the escalation chain of {component_id} ({len(parsed)} level(s)).")


@flow_app.command("add")
def flow_add(
    ctx: typer.Context,
    component_id: Annotated[str, typer.Argument(metavar="COMPONENT")],
    flow_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. password-login.")],
    name: Annotated[
        str,
        typer.Option(
            "--name",
            "-n",
            help="What must work, e.g. 'Log in with a password and land on the feed'.",
        ),
    ],
    budget: Annotated[str, typer.Option(help="Latency budget, e.g. 500ms or 1s.")],
    step: Annotated[
        list[str] | None, typer.Option("--step", help="A step, in order (repeat).")
    ] = None,
    detection: Annotated[
        list[str] | None,
        typer.Option(
            "--detection",
            help="synthetic, runtime, healthcheck or user-report (repeat); probes add theirs.",
        ),
    ] = None,
) -> None:
    """Add a critical user flow to a component."""
    from platform_maturity.domain.conditions import parse_duration_ms
    from platform_maturity.domain.downtime import Method
    from platform_maturity.services.downtime_config import add_flow

    ms = parse_duration_ms(budget.strip())
    if ms is None or ms < 1:
        raise UserError(
            "not a duration", field="--budget", value=budget, hint="e.g. 500ms or 1.5s."
        )
    methods = []
    for text in detection or []:
        try:
            methods.append(Method(text).value)
        except ValueError:
            raise UserError(
                "unknown detection method",
                field="--detection",
                value=text,
                hint="Use " + ", ".join(m.value for m in Method) + ".",
            ) from None
    add_flow(
        workspace(ctx),
        component_id,
        {
            "id": _slug_check(flow_id, "ID"),
            "name": name,
            "steps": list(step or []),
            "latency_budget_ms": round(ms),
            "detection": methods,
        },
    )
    console().print(f"Added flow {component_id}/{flow_id}.")


@flow_app.command("remove")
def flow_remove(
    ctx: typer.Context,
    component_id: Annotated[str, typer.Argument(metavar="COMPONENT")],
    flow_id: Annotated[str, typer.Argument(metavar="ID")],
) -> None:
    """Remove a critical flow (refused while a probe watches it)."""
    from platform_maturity.services.downtime_config import remove_flow

    remove_flow(workspace(ctx), component_id, flow_id)
    console().print(f"Removed flow {component_id}/{flow_id}.")


def uptime(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option(help="The period: this many days up to now.", min=1, max=3660)
    ] = 30,
    fmt: Fmt = "terminal",
) -> None:
    """Uptime per component and of the whole system against the target (default 99.9 %)."""
    from platform_maturity.services.downtime import uptime_report

    _check_format(fmt)
    with store(ctx) as (ws, db):
        report = uptime_report(ws, db, now(), days)
    if fmt == "json":
        payload = {
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "components": [u.model_dump(mode="json") for u in report.components],
            "system": report.system.model_dump(mode="json"),
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    from platform_maturity.reports.downtime_terminal import print_uptime

    names = {c.id: c.name for c in ws.config.downtime.components}
    print_uptime(console(), report.components, report.system, names)
