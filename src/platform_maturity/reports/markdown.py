"""The Markdown report: the HTML report's sections as GitHub-flavoured text tables.

Rendering only; every number comes from the :class:`ReportModel`. The output depends on
nothing but the model, so the same model always gives the same text.
"""

from __future__ import annotations

from platform_maturity.domain.records import Outcome
from platform_maturity.reports.html import TOP_GAPS, environment, summarize
from platform_maturity.reports.model import ReportModel


def render_markdown(model: ReportModel) -> str:
    """The whole report as one Markdown document."""
    template = environment(autoescape=False).get_template("report.md.j2")
    return template.render(
        model=model,
        card=model.scorecard,
        org=model.scorecard.organization,
        summary=summarize(model),
        top_gaps=model.scorecard.gaps[:TOP_GAPS],
        outcomes=list(Outcome),
    )
