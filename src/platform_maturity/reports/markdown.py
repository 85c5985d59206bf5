"""The Markdown report: the HTML report's sections as GitHub-flavoured text tables.

Rendering only; every number comes from the :class:`ReportModel`. The output depends on
nothing but the model, so the same model always gives the same text.
"""

from __future__ import annotations

from platform_maturity.reports.backlog_view import security_view
from platform_maturity.reports.formatting import environment, template_context
from platform_maturity.reports.model import ReportModel


def render_markdown(model: ReportModel) -> str:
    """The whole report as one Markdown document."""
    template = environment(autoescape=False).get_template("report.md.j2")
    return template.render(
        **template_context(model),
        security=security_view(model.security) if model.security else None,
    )
