"""Terminal output of the KPI commands (Rich, readable in 80 columns)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from platform_maturity.domain.events import ImportResult, MttdSample, SliWindow
from platform_maturity.domain.kpi_results import KpiReport, KpiResult
from platform_maturity.reports.kpi_format import (
    ORG_LEGEND,
    ORG_MARK,
    arrow,
    breakdown_unit,
    fmt_value,
    history_text,
    n_of,
    period_text,
    ratio_line,
    stats_line,
)


def render_import_results(results: Sequence[ImportResult], console: Console) -> None:
    table = Table(title="Imported", title_justify="left", expand=False)
    table.add_column("File", overflow="fold", max_width=34)
    table.add_column("Read", justify="right")
    table.add_column("New", justify="right")
    table.add_column("Updated", justify="right")
    table.add_column("Same", justify="right")
    table.add_column("Skipped", justify="right")
    for r in results:
        table.add_row(
            r.file.rsplit("/", 1)[-1],
            f"{r.rows_read:,}",
            f"{r.new:,}",
            f"{r.updated:,}",
            f"{r.unchanged:,}",
            f"{r.skipped_total:,}",
        )
    console.print(table)
    for r in results:
        for reason, count in sorted(r.skipped.items()):
            console.print(f"  skipped {count:,} in {r.file.rsplit('/', 1)[-1]}: {reason}")
        for note, count in sorted(r.notes.items()):
            console.print(f"  {count:,} in {r.file.rsplit('/', 1)[-1]}: {note}")


def _status(result: KpiResult) -> Text:
    if result.met is True:
        return Text("met", style="green")
    if result.met is False:
        return Text("missed", style="red")
    return Text("—", style="dim")


def _trend(result: KpiResult) -> Text:
    style = {True: "green", False: "red"}.get(result.improving, "dim")  # type: ignore[arg-type]
    return Text(arrow(result) or " ", style=style)


def render_kpi_table(report: KpiReport, console: Console, title: bool = True) -> None:
    """The KPIs of the quarter against their targets, one line each, with trend arrows."""
    currency = report.currency
    if title:
        console.print(
            Text.assemble(
                ("KPIs ", "bold"),
                (f"{report.scope} · {report.quarter}", "bold cyan"),
                f"  ({period_text(report)})",
            )
        )
    table = Table(expand=False, show_lines=False)
    table.add_column("KPI", max_width=30, overflow="fold")
    table.add_column("Value", justify="right")
    table.add_column("", width=1)
    table.add_column("Target", justify="right")
    table.add_column("", max_width=6)
    table.add_column("n", justify="right")
    marked = False
    for result in report.kpis:
        n = n_of(result.current)
        org_wide = report.unit is not None and result.scope == "organization"
        marked = marked or org_wide
        table.add_row(
            Text(result.name + (f" {ORG_MARK}" if org_wide else "")),
            fmt_value(result.current.value, result.unit, currency),
            _trend(result),
            result.target or "—",
            _status(result),
            "" if n is None else f"{n:,}",
        )
    console.print(table)
    if marked:
        console.print(Text(f"{ORG_MARK} {ORG_LEGEND}", style="dim"))


def render_kpi_terminal(report: KpiReport, console: Console) -> None:
    """The KPI report: the table, then each KPI's statistics, exclusions and trend."""
    currency = report.currency
    render_kpi_table(report, console)
    for result in report.kpis:
        _details(result, console, currency, report.unit is not None)
    if report.pillar_metrics:
        metrics = Table(title="Pillar metrics from the same data", title_justify="left")
        metrics.add_column("Metric", max_width=34, overflow="fold")
        metrics.add_column("Value", justify="right")
        metrics.add_column("Target", justify="right")
        metrics.add_column("", max_width=6)
        for m in report.pillar_metrics:
            metrics.add_row(
                m.name,
                fmt_value(m.value, m.unit),
                m.target,
                Text("met", style="green") if m.met else Text("missed", style="red"),
            )
        console.print(metrics)


def _line(console: Console, text: str, style: str = "", indent: int = 2) -> None:
    """One detail line; a long one wraps under itself, not under the heading."""
    width = max(20, console.width - indent)
    for part in textwrap.wrap(text, width=width, break_on_hyphens=False) or [""]:
        console.print(Text(" " * indent + part, style=style), soft_wrap=True)


def _details(result: KpiResult, console: Console, currency: str, unit_report: bool) -> None:
    period = result.current
    title = result.name + (f" ({result.short})" if result.short else "")
    console.print(Text(f"\n{title}", style="bold"))
    _line(console, result.method, "dim")
    if unit_report and result.scope == "organization":
        _line(console, f"scope: organization — {result.scope_note}", "yellow")
    if period.note:
        _line(console, period.note)
    if period.stats is not None and period.stats.n:
        _line(console, stats_line(period.stats, result.unit))
    ratio = ratio_line(period)
    if ratio and result.unit == "percent":
        _line(console, ratio)
    for b in period.breakdowns:
        extra = f"  ({stats_line(b.stats, result.unit)})" if b.stats is not None else ""
        value = fmt_value(b.value, breakdown_unit(b, result.unit), currency)
        _line(console, f"· {b.label}: {value}{extra}")
    for e in period.excluded:
        _line(console, f"excluded {e.count:,}: {e.reason}", "dim")
    for w in period.warnings:
        _line(console, f"! {w}", "yellow")
    if len(result.history) > 1:
        _line(console, f"trend: {history_text(result, currency)}", "dim")
    if result.caveat:
        _line(console, f"caveat: {result.caveat}", "italic")


def render_mttd_sample(
    quarter: str, sample: Sequence[MttdSample], added: int, console: Console
) -> None:
    table = Table(title=f"MTTD sample {quarter} ({added} newly drawn)", title_justify="left")
    table.add_column("Bug", overflow="fold", max_width=22)
    table.add_column("Title", overflow="fold", max_width=26)
    table.add_column("Deployed", max_width=16)
    table.add_column("Detected", max_width=16)
    for s in sample:
        table.add_row(
            s.key,
            s.title,
            f"{s.deployed_at:%Y-%m-%d %H:%M}" if s.deployed_at else "(fill in)",
            f"{s.detected_at:%Y-%m-%d %H:%M}" if s.detected_at else "(fill in)",
        )
    console.print(table)
    if len(sample) < 20:
        console.print(
            Text(
                f"Only {len(sample)} production bugs in the quarter; the framework suggests 20-25.",
                style="yellow",
            )
        )


def render_collected(windows: Sequence[SliWindow], console: Console) -> None:
    table = Table(title="Collected from Prometheus", title_justify="left")
    table.add_column("Subsystem")
    table.add_column("Measure")
    table.add_column("Bad", justify="right")
    table.add_column("Total", justify="right")
    table.add_column("Rate", justify="right")
    for w in windows:
        rate = 100.0 * w.bad / w.total if w.total else None
        measure = "errors" if w.kind == "error" else f"slower than {w.threshold_s:g} s"
        table.add_row(
            w.subsystem, measure, f"{w.bad:,.0f}", f"{w.total:,.0f}", fmt_value(rate, "percent")
        )
    console.print(table)
