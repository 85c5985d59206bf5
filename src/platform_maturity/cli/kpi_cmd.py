"""``maturity kpi``: the framework's KPIs from imported data, with trends and targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import actor, console, now, one_of, parse_when, store
from platform_maturity.domain.errors import UserError

FORMATS = ("terminal", "json", "markdown")

kpi_app = typer.Typer(
    help="The KPIs of the framework's KPI page from imported data: change failure rate,"
    " MTTD, MTTR per severity, error rates, latency targets, RTO, development velocity and"
    " latency, cost per developer and per user. Without a subcommand: the KPI report.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    app.add_typer(kpi_app, name="kpi")


@kpi_app.callback()
def kpi(
    ctx: typer.Context,
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter", "-q", help="The quarter, e.g. 2026-Q3. Default: the current one."
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="One unit's KPIs (slug or name).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, json or markdown.")
    ] = "terminal",
    quarters: Annotated[
        int, typer.Option(help="Quarters of trend, the chosen one included.", min=1, max=16)
    ] = 4,
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record",
            help="Store the pillar metrics that follow from the data (PR latency, pipeline"
            " durations, uptime, ...) as measurements for the scorecard.",
        ),
    ] = True,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write json or markdown to a file.")
    ] = None,
) -> None:
    """Show every KPI against its target, with n, mean, median, p90, exclusions and trend."""
    if ctx.invoked_subcommand is not None:
        return
    one_of(fmt, FORMATS, "--format", "format")
    from platform_maturity.reports.kpi_markdown import render_kpi_markdown
    from platform_maturity.reports.kpi_terminal import render_kpi_terminal
    from platform_maturity.services.kpi import build_kpi_report, record_pillar_metrics

    with store(ctx) as (_ws, database):
        report = build_kpi_report(_ws, database, now(), quarter, unit, quarters)
        if record and unit is None:
            record_pillar_metrics(database, report, actor(), now())
    if fmt == "terminal":
        render_kpi_terminal(report, console())
        return
    text = report.model_dump_json(indent=2) if fmt == "json" else render_kpi_markdown(report)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        console().print(f"Wrote {out}")


@kpi_app.command("sample-mttd")
def sample_mttd(
    ctx: typer.Context,
    quarter: Annotated[
        str | None, typer.Option("--quarter", "-q", help="Default: the current quarter.")
    ] = None,
    size: Annotated[int, typer.Option(help="Bugs in the sample (20-25).")] = 25,
    seed: Annotated[
        int | None, typer.Option(help="Random seed; default: derived from the quarter.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the worksheet CSV to fill in.")
    ] = None,
    fill: Annotated[
        Path | None,
        typer.Option("--fill", help="Read a filled-in worksheet back (deployed/detected times)."),
    ] = None,
) -> None:
    """Draw 20-25 production bugs of the quarter for the mean time to detect.

    The framework measures MTTD quarterly on a small sample: for each drawn bug, people
    fill in when the defect was deployed and when it was detected (pre-filled with the
    ticket's creation). Drawing again keeps the bugs already drawn.
    """
    from platform_maturity.reports.kpi_terminal import render_mttd_sample
    from platform_maturity.services.kpi import draw_mttd_sample, fill_mttd_sample, mttd_worksheet

    with store(ctx) as (ws, database):
        if fill is not None:
            count = fill_mttd_sample(ws, database, fill)
            console().print(f"Updated {count} sampled bug(s) from {fill}.")
            return
        name, sample, added = draw_mttd_sample(ws, database, quarter, now(), size, seed)
    if out is not None:
        out.write_text(mttd_worksheet(sample), encoding="utf-8")
    render_mttd_sample(name, sample, added, console())
    if out is not None:
        console().print(
            f"Worksheet: {out} — fill in deployed_at, then: maturity kpi sample-mttd --fill {out}"
        )


@kpi_app.command("drill")
def drill(
    ctx: typer.Context,
    started: Annotated[str, typer.Option(help="When the recovery drill started (ISO 8601).")],
    restored: Annotated[
        str | None,
        typer.Option(help="When normal operation resumed; leave out for a drill that failed."),
    ] = None,
    scenario: Annotated[
        str, typer.Option(help="What was recovered, e.g. 'whole stack from backups'.")
    ] = "full recovery from backups",
    failed: Annotated[bool, typer.Option("--failed", help="The drill did not succeed.")] = False,
    note: Annotated[str | None, typer.Option(help="Findings, links.")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", help="The unit whose systems were recovered; default: all."),
    ] = None,
) -> None:
    """Record a recovery drill; the RTO is the restore time of the newest successful one."""
    from platform_maturity.services.kpi import record_drill

    begin = parse_when(started, "--started")
    end = parse_when(restored, "--restored") if restored else None
    with store(ctx) as (ws, database):
        new = record_drill(database, begin, end, not failed, scenario, note, ws.unit(unit))
    hours = f" in {(end - begin).total_seconds() / 3600:.1f} h" if end else ""
    console().print(f"{'Recorded' if new else 'Updated'} the drill of {begin:%Y-%m-%d}{hours}.")


@kpi_app.command("headcount")
def headcount(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help="The month, e.g. 2026-07.")],
    developers: Annotated[float | None, typer.Option(help="Developers that month.")] = None,
    users: Annotated[float | None, typer.Option(help="Active users that month.")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", "-u", help="One unit's counts; default: the organization's."),
    ] = None,
) -> None:
    """Record developers and active users of a month (the divisors of the cost KPIs)."""
    from platform_maturity.importers.headcount import parse_month
    from platform_maturity.services.kpi import record_headcount

    when = parse_month(month, file="command line", line=None, field="MONTH")
    with store(ctx) as (ws, database):
        slug = ws.unit(unit)
        record_headcount(database, when, developers, users, now(), slug)
    of = f" of unit {slug}" if slug else ""
    console().print(f"Recorded the head count{of} of {when:%Y-%m}.")


def record_count(ctx: typer.Context, what: str, value: str, at: str | None) -> None:
    """``maturity measure developers|users N [--at MONTH]``: one head count."""
    from platform_maturity.importers.headcount import parse_month
    from platform_maturity.services.kpi import record_headcount

    try:
        count = float(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise UserError("not a number", field=what, value=value, hint="e.g. 42") from None
    if count < 0:
        raise UserError("a count cannot be negative", field=what, value=value)
    when = parse_month(at or f"{now():%Y-%m}", file="command line", line=None, field="--at")
    with store(ctx) as (_, database):
        record_headcount(
            database,
            when,
            count if what == "developers" else None,
            count if what == "users" else None,
            now(),
        )
    console().print(f"Recorded {count:,.0f} {what} for {when:%Y-%m}.")


@kpi_app.command("collect")
def collect(
    ctx: typer.Context,
    quarter: Annotated[
        str | None, typer.Option("--quarter", "-q", help="Default: the current quarter.")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Prometheus base URL; default kpi.prometheus.url.")
    ] = None,
) -> None:
    """Query Prometheus for error rates and latency-target misses per subsystem."""
    from platform_maturity.reports.kpi_terminal import render_collected
    from platform_maturity.services.kpi_prometheus import collect_prometheus

    with store(ctx) as (ws, database):
        windows = collect_prometheus(ws, database, quarter, url, now())
    render_collected(windows, console())
