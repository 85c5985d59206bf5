"""The KPI report as Markdown, from the ``_kpi.md.j2`` partial (also used by the report)."""

from __future__ import annotations

import jinja2

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


def add_kpi_filters(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.update(
        kpi_value=lambda v, unit, currency="": fmt_value(v, unit, currency),
        kpi_arrow=lambda k: arrow(k) or "",
        kpi_n=lambda p: "" if n_of(p) is None else f"{n_of(p):,}",
        kpi_stats=stats_line,
        kpi_history=lambda k, currency="": history_text(k, currency),
        breakdown_unit=breakdown_unit,
        kpi_period=period_text,
        kpi_ratio=lambda p: ratio_line(p) or "",
        # Jinja's capitalize lowers the rest of the text ("as DORA defines it")
        sentence=lambda text: text[:1].upper() + text[1:],
    )
    env.globals.update(org_mark=ORG_MARK, org_legend=ORG_LEGEND)
    return env


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("platform_maturity.reports", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return add_kpi_filters(env)


def render_kpi_markdown(report: KpiReport) -> str:
    return _env().get_template("_kpi.md.j2").render(report=report)


__all__ = ["KpiResult", "render_kpi_markdown"]
