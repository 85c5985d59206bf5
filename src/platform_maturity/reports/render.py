"""Pick a renderer by format name."""

from __future__ import annotations

import io

from rich.console import Console

from platform_maturity.reports.model import ReportModel
from platform_maturity.reports.terminal import render_terminal

FORMATS = ("terminal", "html", "markdown", "json")
EXTENSIONS = {"html": ".html", "markdown": ".md", "json": ".json", "terminal": ".txt"}


def render(model: ReportModel, fmt: str, width: int = 120, details: bool = True) -> str:
    """The report as text. Terminal text written to a file carries the details by default."""
    if fmt == "json":
        return model.model_dump_json(indent=2) + "\n"
    if fmt == "html":
        from platform_maturity.reports.html import render_html

        return render_html(model)
    if fmt == "markdown":
        from platform_maturity.reports.markdown import render_markdown

        return render_markdown(model)
    if fmt == "terminal":
        buffer = io.StringIO()
        render_terminal(
            model,
            Console(
                file=buffer,
                width=width,
                color_system=None,
                force_terminal=False,
                legacy_windows=False,
            ),
            details=details,
        )
        return buffer.getvalue()
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
