"""The review agenda as Markdown and self-contained HTML (Jinja2 templates, inline SVG)."""

from __future__ import annotations

from platform_maturity.domain.backlog_results import Agenda
from platform_maturity.reports.backlog_view import agenda_view
from platform_maturity.reports.formatting import environment


def render_agenda_markdown(agenda: Agenda) -> str:
    return environment(autoescape=False).get_template("review.md.j2").render(v=agenda_view(agenda))


def render_agenda_html(agenda: Agenda) -> str:
    return environment(autoescape=True).get_template("review.html.j2").render(v=agenda_view(agenda))
