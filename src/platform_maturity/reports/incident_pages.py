"""An incident's postmortem as Markdown (Jinja2 template)."""

from __future__ import annotations

from collections.abc import Mapping

from platform_maturity.reports.formatting import environment
from platform_maturity.reports.status_page import fmt_minutes


def fmt_money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}" if float(value).is_integer() else f"{value:,.2f} {currency}"


def render_postmortem_markdown(view: Mapping[str, object]) -> str:
    env = environment(autoescape=False)
    env.filters["fmt_minutes"] = fmt_minutes
    env.filters["fmt_money"] = fmt_money
    return env.get_template("postmortem.md.j2").render(v=view)
