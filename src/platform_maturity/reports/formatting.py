"""What the HTML and Markdown reports share: the Jinja environment, filters and summary.

Formatting only. Every score, level, coverage and gap comes from the :class:`ReportModel`;
this module turns those numbers into text and picks what a report shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2

from platform_maturity.domain.records import Outcome
from platform_maturity.domain.results import GoalChange
from platform_maturity.domain.units import format_value
from platform_maturity.reports.model import ReportModel

TOP_GAPS = 10
CHANGES_SHOWN = 12  # improved (and, separately, regressed) goals listed before "and N more"
DASH = "—"
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


# --------------------------------------------------------------------------- filters


def fmt_score(value: float | None) -> str:
    """A 0-100 score with one decimal: ``72.5``; a dash when there is none."""
    return DASH if value is None else f"{value:.1f}"


def fmt_percent(value: float | None) -> str:
    """``85%``, ``66.7%``."""
    if value is None:
        return DASH
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def fmt_quantity(value: float | None, unit: str) -> str:
    """A metric value with its unit: ``19 h``, ``99.899 %``; a dash when there is no data."""
    return DASH if value is None else format_value(value, unit)


def fmt_datetime(value: datetime | None) -> str:
    """``2026-03-01 12:00 UTC`` (or the UTC offset when not UTC)."""
    if value is None:
        return DASH
    offset = value.utcoffset()
    if offset is None:
        return f"{value:%Y-%m-%d %H:%M}"
    if not offset:
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return f"{value:%Y-%m-%d %H:%M %z}"


def fmt_date(value: datetime | None) -> str:
    return DASH if value is None else f"{value:%Y-%m-%d}"


def _change(before: float | None, after: float | None) -> float | None:
    """``after - before`` as displayed (one decimal); ``None`` when either is unknown."""
    if before is None or after is None:
        return None
    return round(after - before, 1)


def fmt_delta(before: float | None, after: float | None) -> str:
    """The change ``after - before`` of a score: ``+2.5``, ``−1.0``, ``±0``; empty if unknown.

    A filter on the earlier value: ``{{ score_before | fmt_delta(score_after) }}``.
    """
    change = _change(before, after)
    if change is None:
        return ""
    if change > 0:
        return f"+{change:.1f}"
    if change < 0:
        return f"−{abs(change):.1f}"
    return "±0"


def delta_class(before: float | None, after: float | None) -> str:
    """The CSS class of a change: ``up``, ``down`` or ``flat`` (also when unknown)."""
    change = _change(before, after)
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def fmt_level(number: int | None) -> str:
    return DASH if number is None else f"L{number}"


def score_band(value: float | None) -> str:
    """The heatmap colour band of a score: ``b0`` (lowest) to ``b4`` (highest), or ``none``."""
    if value is None:
        return "none"
    for index, upper in enumerate((20.0, 40.0, 60.0, 80.0)):
        if value < upper:
            return f"b{index}"
    return "b4"


def outcome_class(outcome: Outcome | str) -> str:
    value = outcome.value if isinstance(outcome, Outcome) else str(outcome)
    return "o-" + value.replace("_", "-")


def outcome_label(outcome: Outcome | str) -> str:
    return outcome.label if isinstance(outcome, Outcome) else str(outcome).replace("_", " ")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link safe to put in ``href``; otherwise ``None``."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


# --------------------------------------------------------------------------- Markdown helpers


def md_cell(value: object) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    # Neutralise anything a Markdown renderer could take for raw HTML; keep "< 1 day".
    return _HTML_START.sub("&lt;", text)


_MD_URL_ESCAPES = {" ": "%20", "|": "%7C", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def md_url(url: str) -> str:
    """A URL safe as a Markdown link target inside a table cell."""
    return "".join(_MD_URL_ESCAPES.get(ch, ch) for ch in url)


def outcome_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """``(label, count)`` for each outcome present, in the fixed outcome order."""
    return [(o.label, counts[o.value]) for o in Outcome if counts.get(o.value)]


FILTERS: Mapping[str, Callable[..., Any]] = {
    "score": fmt_score,
    "pct": fmt_percent,
    "quantity": fmt_quantity,
    "datetime": fmt_datetime,
    "date": fmt_date,
    "fmt_delta": fmt_delta,
    "delta_class": delta_class,
    "level": fmt_level,
    "band": score_band,
    "outcome_class": outcome_class,
    "outcome_label": outcome_label,
    "web_url": web_url,
    "md": md_cell,
    "md_url": md_url,
}


def environment(autoescape: bool) -> jinja2.Environment:
    """A Jinja environment over ``reports/templates`` with the report filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("platform_maturity.reports", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(outcome_counts=outcome_counts)
    return env


# --------------------------------------------------------------------------- shared summary


@dataclass(frozen=True)
class Summary:
    """Counts shown in the headline, taken from the model (nothing is scored here)."""

    metrics_on_target: int
    metrics_with_data: int
    open_gaps: int
    unit_names: dict[str, str]
    level_names: dict[int, str]
    max_level: int | None
    is_unit_report: bool  # the headline scope is one unit, the only unit in the scorecard


def is_unit_report(model: ReportModel) -> bool:
    """Whether the report is about one unit rather than the whole organization."""
    card = model.scorecard
    return len(card.units) == 1 and card.units[0].scope == card.organization.scope


def summarize(model: ReportModel) -> Summary:
    org = model.scorecard.organization
    return Summary(
        metrics_on_target=org.metrics_on_target,
        metrics_with_data=org.metrics_with_data,
        open_gaps=len(model.scorecard.gaps),
        unit_names={u.scope: u.name for u in model.scorecard.units},
        level_names={lv.number: lv.name for lv in model.levels},
        max_level=max((lv.number for lv in model.levels), default=None),
        is_unit_report=is_unit_report(model),
    )


@dataclass(frozen=True)
class ChangeList:
    """One list of the "Changes since" section, cut to :data:`CHANGES_SHOWN` entries."""

    title: str  # "Improved" or "Regressed"
    shown: tuple[GoalChange, ...]
    total: int

    @property
    def more(self) -> int:
        """How many goals the list leaves out."""
        return self.total - len(self.shown)


def change_lists(model: ReportModel, limit: int = CHANGES_SHOWN) -> tuple[ChangeList, ...]:
    """The improved and the regressed goals, at most ``limit`` of each, in framework order."""
    if model.changes is None:
        return ()
    lists: Sequence[tuple[str, tuple[GoalChange, ...]]] = (
        ("Improved", model.changes.improved),
        ("Regressed", model.changes.regressed),
    )
    return tuple(ChangeList(title, items[:limit], len(items)) for title, items in lists)


def template_context(model: ReportModel) -> dict[str, object]:
    """What the HTML and Markdown templates both receive."""
    return {
        "model": model,
        "card": model.scorecard,
        "org": model.scorecard.organization,
        "summary": summarize(model),
        "top_gaps": model.scorecard.gaps[:TOP_GAPS],
        "change_lists": change_lists(model),
        "outcomes": list(Outcome),
    }
