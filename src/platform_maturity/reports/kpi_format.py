"""Formatting shared by the KPI renderers: values by unit, trend arrows, statistics lines."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from platform_maturity.domain.kpi_results import (
    Breakdown,
    Distribution,
    KpiReport,
    KpiResult,
    PeriodValue,
)

ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


def fmt_value(value: float | None, unit: str, currency: str = "") -> str:
    if value is None:
        return "—"
    if unit == "percent":
        if value != 0 and abs(value) < 1:  # error rates: 0.117 % must not read as 0.1 %
            return f"{value:.3f} %"
        return f"{value:.1f} %"
    if unit == "h":
        if abs(value) < 1:
            return f"{value * 60:.0f} min"
        if abs(value) >= 72:
            return f"{value / 24:.1f} d"
        return f"{value:.1f} h"
    if unit == "day":
        if abs(value) < 1:
            return f"{value * 24:.1f} h"
        return f"{value:.1f} d"
    if unit == "min":
        return f"{value:.1f} min"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "currency":
        if value != 0 and abs(value) < 1:
            return f"{currency} {value:.4f}".strip()
        return f"{currency} {value:,.2f}".strip()
    return f"{value:g} {unit}"


def arrow(result: KpiResult) -> str:
    return ARROWS.get(result.trend or "", "")


def stats_line(stats: Distribution | None, unit: str) -> str:
    if stats is None or stats.n == 0:
        return "n=0"
    return (
        f"n={stats.n} · mean {fmt_value(stats.mean, unit)} · median "
        f"{fmt_value(stats.median, unit)} · p90 {fmt_value(stats.p90, unit)}"
    )


def ratio_line(period: PeriodValue) -> str | None:
    if period.numerator is None or period.denominator is None:
        return None
    text = f"{period.numerator:,.0f} / {period.denominator:,.0f}"
    if period.interval:
        low, high = period.interval
        text += f" (95 % interval {low:.1f}–{high:.1f} %)"
    return text


def history_text(result: KpiResult, currency: str = "") -> str:
    return " → ".join(
        f"{p.period}: {fmt_value(p.value, result.unit, currency)}" for p in result.history
    )


def n_of(period: PeriodValue) -> int | None:
    if period.stats is not None:
        return period.stats.n
    if period.denominator is not None:
        return int(period.denominator)
    return None


def breakdown_unit(b: Breakdown, unit: str) -> str:
    """The unit a breakdown row is shown in (the KPI's, unless the row counts or costs)."""
    if b.label.startswith("days since"):
        return "day"
    if b.label.startswith(("drills", "kind ·", "unit ·")):
        return "count"
    if "cost" in b.label:
        return "currency"
    return unit


def period_text(report: KpiReport) -> str:
    """The report's quarter as local dates, first and last day, e.g. 2026-04-01 – 2026-06-30."""
    zone = ZoneInfo(report.timezone)
    first = report.start.astimezone(zone)
    last = (report.end - timedelta(seconds=1)).astimezone(zone)
    to_date = " to date" if report.as_of < report.end else ""
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}{to_date}, {report.timezone}"


# a unit's report: the mark and legend of a KPI shown with the organization's data
ORG_MARK = "[org]"
ORG_LEGEND = "scope: organization — the data does not say which unit it belongs to"
