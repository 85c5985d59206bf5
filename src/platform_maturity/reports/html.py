"""The self-contained HTML report: one file, inline CSS and SVG, no external resources.

Rendering only. Every score, level, coverage and gap comes from the :class:`ReportModel`;
the filters, the summary and the template context are shared with the Markdown report
(:mod:`platform_maturity.reports.formatting`); this module adds the charts.
"""

from __future__ import annotations

from platform_maturity.reports.backlog_view import security_view
from platform_maturity.reports.charts import (
    BarChart,
    BarDatum,
    TrendChart,
    TrendDatum,
    bar_chart,
    trend_chart,
)
from platform_maturity.reports.formatting import DASH, environment, template_context
from platform_maturity.reports.kpi_charts import kpi_charts
from platform_maturity.reports.model import ReportModel


def pillar_chart(model: ReportModel) -> BarChart:
    return bar_chart(
        [
            BarDatum(
                label=p.name,
                value=p.score,
                note=DASH if p.level is None else f"L{p.level} · {p.level_name}",
                anchor=f"#pillar-{p.id}",
            )
            for p in model.scorecard.organization.pillars
        ]
    )


def history_chart(model: ReportModel) -> TrendChart | None:
    points = [TrendDatum(label=h.name, when=h.as_of, value=h.score) for h in model.history]
    points.append(
        TrendDatum(
            label="now", when=model.scorecard.as_of, value=model.scorecard.organization.score
        )
    )
    return trend_chart(points)


def render_html(model: ReportModel) -> str:
    """The whole report as one self-contained HTML document."""
    template = environment(autoescape=True).get_template("report.html.j2")
    return template.render(
        **template_context(model),
        bars=pillar_chart(model),
        trend=history_chart(model),
        security=security_view(model.security) if model.security else None,
        kpi_charts=kpi_charts(model.kpis) if model.kpis else {},
    )
