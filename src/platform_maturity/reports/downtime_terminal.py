"""Downtime visibility in the terminal: probe results, components and their flows, uptime,
incidents and one incident's timeline. Readable in 80 columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.text import Text

from platform_maturity.domain.downtime import ComponentConfig, escalation_chain
from platform_maturity.domain.incidents import Incident, Notification
from platform_maturity.domain.probes import ProbeProblem, ProbeResult, ProbeSpec
from platform_maturity.domain.uptime import Uptime
from platform_maturity.reports.status_page import fmt_minutes
from platform_maturity.reports.terminal import make_table

STATUS_STYLE = {"investigating": "red", "identified": "yellow", "monitoring": "blue"}
STATUS_STYLE["resolved"] = "green"


def _ok(ok: bool) -> Text:
    return Text("up", style="green") if ok else Text("DOWN", style="bold red")


def print_results(
    console: Console, results: Sequence[ProbeResult], problems: Sequence[ProbeProblem]
) -> None:
    table = make_table(console, "Probe results")
    table.add_column("Probe", overflow="fold")
    table.add_column("Target", overflow="fold")
    table.add_column("", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Status / why", overflow="fold")
    for r in results:
        table.add_row(
            r.probe,
            f"{r.component}/{r.flow}" if r.flow else r.component,
            _ok(r.ok),
            "—" if r.duration_ms is None else f"{r.duration_ms:.0f} ms",
            Text(r.error or r.status, style="" if r.ok else "red"),
        )
    console.print(table)
    for problem in problems:
        console.print(
            Text.assemble(("not run: ", "bold red"), f"probe {problem.name!r}: {problem.message}"),
            soft_wrap=True,
        )
    failed = sum(1 for r in results if not r.ok)
    console.print(
        f"{len(results) - failed} of {len(results)} passed"
        + (f"; {len(problems)} probe(s) not run" if problems else "")
    )


def print_probes(
    console: Console, probes: Sequence[ProbeSpec], problems: Sequence[ProbeProblem]
) -> None:
    table = make_table(console, "Probes")
    table.add_column("Probe", overflow="fold")
    table.add_column("Kind")
    table.add_column("Watches", overflow="fold")
    table.add_column("Every", justify="right")
    table.add_column("Target", overflow="fold")
    for p in probes:
        watches = ", ".join(p.components()) if p.health else p.target
        table.add_row(
            p.name + ("" if p.enabled else " (off)"),
            p.kind.value,
            watches,
            f"{p.interval_seconds:g} s",
            p.url,
        )
    console.print(table)
    for problem in problems:
        console.print(
            Text.assemble(("broken: ", "bold red"), f"probe {problem.name!r}: {problem.message}"),
            soft_wrap=True,
        )


def print_components(
    console: Console,
    components: Sequence[ComponentConfig],
    coverage: dict[tuple[str, str], tuple[str, ...]],
) -> None:
    if not components:
        console.print("No components yet: 'maturity component add ID --name NAME' adds one.")
        return
    for component in components:
        chain = escalation_chain(component)
        header = Text.assemble(
            (component.name, "bold"),
            f"  [{component.id}]",
            ("  owner " + component.owner) if component.owner else ("  no owner", "red"),
        )
        console.print(header)
        if chain:
            steps = [
                f"{'+' + str(level.after_minutes) + ' min: ' if level.after_minutes else ''}"
                + ", ".join(level.notify)
                for level in chain
            ]
            console.print("  notifies " + " → ".join(steps), soft_wrap=True)
        else:
            console.print(Text("  nobody is notified", style="red"))
        if component.revenue_per_minute:
            console.print(f"  revenue per minute of downtime: {component.revenue_per_minute:,.2f}")
        table = make_table(console, "")
        table.add_column("Flow", overflow="fold")
        table.add_column("Budget", justify="right", no_wrap=True)
        table.add_column("Detected by", overflow="fold")
        for flow in component.flows:
            methods = coverage.get((component.id, flow.id), ())
            table.add_row(
                f"{flow.name} [{flow.id}]",
                f"{flow.latency_budget_ms} ms",
                Text(", ".join(methods), style="") if methods else Text("nothing", style="red"),
            )
        if component.flows:
            console.print(table)
        else:
            console.print(Text("  no critical flows defined", style="yellow"))


def print_uptime(
    console: Console, rows: Sequence[Uptime], system: Uptime, names: dict[str, str]
) -> None:
    table = make_table(
        console,
        f"Uptime {system.start:%Y-%m-%d} – {system.end:%Y-%m-%d} (target {system.target_percent}%)",
    )
    table.add_column("Component", overflow="fold")
    table.add_column("Uptime", justify="right")
    table.add_column("Down", justify="right")
    table.add_column("Outages", justify="right")
    table.add_column("Target")
    for row in [*rows, system]:
        name = names.get(row.component or "", row.component) if row.component else "whole system"
        met = row.meets_target
        table.add_row(
            Text(name, style="bold" if row.component is None else ""),
            "—" if row.percent is None else f"{row.percent:.3f}%",
            fmt_minutes(row.minutes_down),
            str(row.intervals),
            Text("—")
            if met is None
            else Text("met", style="green")
            if met
            else Text("missed", style="red"),
        )
    console.print(table)


def print_incidents(console: Console, incidents: Sequence[Incident], now: datetime) -> None:
    if not incidents:
        console.print("No incidents.")
        return
    table = make_table(console, "Incidents")
    table.add_column("Id", no_wrap=True)
    table.add_column("Sev", no_wrap=True)
    table.add_column("Title", overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Started", no_wrap=True)
    table.add_column("Lasted", justify="right", no_wrap=True)
    for i in incidents:
        table.add_row(
            i.key,
            i.severity.value.upper(),
            i.title,
            Text(
                i.status.value + ("" if i.acknowledged or i.resolved else " (unacked)"),
                style=STATUS_STYLE.get(i.status.value, ""),
            ),
            f"{i.started:%Y-%m-%d %H:%M}",
            fmt_minutes(i.minutes(now)),
        )
    console.print(table)


def print_incident(
    console: Console, incident: Incident, notifications: Sequence[Notification], now: datetime
) -> None:
    i = incident
    console.print(
        Text.assemble((f"{i.key} {i.severity.value.upper()} ", "bold"), (i.title, "bold"))
    )
    lines = [
        f"component {i.component}" + (f", flows {', '.join(i.flows)}" if i.flows else ""),
        f"status {i.status.value}, {'opened automatically' if i.automatic else 'declared by hand'}",
        f"started {i.started:%Y-%m-%d %H:%M:%S} UTC, detected {i.detected:%H:%M:%S}"
        + (f" by {i.method.label}" if i.method else ""),
    ]
    for label, value in (
        ("acknowledged", i.acknowledged),
        ("mitigated", i.mitigated),
        ("resolved", i.resolved),
    ):
        if value is not None:
            who = (
                f" by {i.acknowledged_by}" if label == "acknowledged" and i.acknowledged_by else ""
            )
            lines.append(f"{label} {value:%Y-%m-%d %H:%M:%S} UTC{who}")
    lines.append(f"{'lasted' if i.resolved else 'ongoing for'} {fmt_minutes(i.minutes(now))}")
    for line in lines:
        console.print("  " + line, soft_wrap=True)
    table = make_table(console, "Timeline (UTC)")
    table.add_column("When", no_wrap=True)
    table.add_column("What", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("Message", overflow="fold")
    for u in i.updates:
        table.add_row(
            f"{u.at:%m-%d %H:%M:%S}",
            u.kind.value,
            Text("public", style="cyan") if u.public else Text("internal", style="bright_black"),
            u.message,
        )
    console.print(table)
    failed = [n for n in notifications if not n.ok]
    if notifications:
        console.print(
            f"  {len(notifications)} notification(s) sent"
            + (f", {len(failed)} failed" if failed else ""),
        )
