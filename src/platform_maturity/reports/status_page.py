"""The static status page: one self-contained HTML file per variant (inline CSS, no script,
no external resources), readable offline and in print."""

from __future__ import annotations

from platform_maturity.reports.formatting import environment
from platform_maturity.reports.status_view import StatusPageView


def fmt_minutes(value: float) -> str:
    """``45 min``, ``2 h 5 min``, ``3 d 4 h``."""
    minutes = round(value)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def render_status_html(view: StatusPageView) -> str:
    env = environment(autoescape=True)
    env.filters["fmt_minutes"] = fmt_minutes
    return env.get_template("status.html.j2").render(v=view)
