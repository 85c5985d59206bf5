"""Geometry for the inline SVG charts of the HTML report.

Pure presentation: these functions turn numbers that were already computed (scores from the
model) into coordinates and path strings. They never score anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SCALE_MAX = 100.0
GRID_STEPS: tuple[float, ...] = (0.0, 25.0, 50.0, 75.0, 100.0)


def _r(value: float) -> float:
    """Round a coordinate so the SVG text stays short and deterministic."""
    return round(value, 1)


def _clamp(value: float) -> float:
    return max(0.0, min(SCALE_MAX, value))


@dataclass(frozen=True)
class Tick:
    value: float
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    label: str


# --------------------------------------------------------------------------- bar chart


@dataclass(frozen=True)
class BarDatum:
    label: str
    value: float | None
    note: str  # shown in a column right of the bars, e.g. "L2 · Standardized"
    anchor: str = ""  # link target for the row label, e.g. "#pillar-security"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    value_text: str
    note: str
    anchor: str
    label_x: float
    text_y: float
    bar_x: float
    bar_y: float
    bar_width: float
    bar_height: float
    track_width: float
    value_x: float
    value_inside: bool
    note_x: float


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    plot_x: float
    plot_width: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def bar_chart(
    data: Sequence[BarDatum],
    *,
    label_width: float = 178.0,
    plot_width: float = 224.0,
    note_width: float = 130.0,
    row_height: float = 38.0,
    bar_height: float = 22.0,
    top: float = 8.0,
    bottom: float = 28.0,
) -> BarChart:
    """Horizontal bars on a 0-100 scale, one row per datum, in the order given."""
    plot_x = label_width
    gap_after_plot = 48.0
    width = label_width + plot_width + gap_after_plot + note_width
    plot_bottom = top + row_height * len(data)
    height = plot_bottom + bottom
    bars: list[Bar] = []
    for index, datum in enumerate(data):
        row_top = top + index * row_height
        bar_y = row_top + (row_height - bar_height) / 2
        length = 0.0 if datum.value is None else plot_width * _clamp(datum.value) / SCALE_MAX
        value_text = "no score" if datum.value is None else f"{datum.value:.1f}"
        # Long bars carry their value inside; short ones just after their end.
        inside = datum.value is not None and length > 48.0
        value_x = plot_x + length - 6.0 if inside else plot_x + length + 6.0
        bars.append(
            Bar(
                label=datum.label,
                value=datum.value,
                value_text=value_text,
                note=datum.note,
                anchor=datum.anchor,
                label_x=_r(plot_x - 12.0),
                text_y=_r(row_top + row_height / 2),
                bar_x=_r(plot_x),
                bar_y=_r(bar_y),
                bar_width=_r(length),
                bar_height=_r(bar_height),
                track_width=_r(plot_width),
                value_x=_r(value_x),
                value_inside=inside,
                note_x=_r(plot_x + plot_width + gap_after_plot),
            )
        )
    ticks = tuple(
        Tick(
            value=step,
            x1=_r(plot_x + plot_width * step / SCALE_MAX),
            y1=_r(top),
            x2=_r(plot_x + plot_width * step / SCALE_MAX),
            y2=_r(plot_bottom),
            label_x=_r(plot_x + plot_width * step / SCALE_MAX),
            label_y=_r(plot_bottom + 18.0),
            label=f"{step:.0f}",
        )
        for step in GRID_STEPS
    )
    return BarChart(
        width=_r(width),
        height=_r(height),
        plot_x=_r(plot_x),
        plot_width=_r(plot_width),
        bars=tuple(bars),
        ticks=ticks,
    )


# --------------------------------------------------------------------------- trend line


@dataclass(frozen=True)
class TrendDatum:
    label: str
    when: datetime
    value: float | None


@dataclass(frozen=True)
class TrendPoint:
    label: str
    date_text: str
    value: float | None
    value_text: str
    x: float
    y: float
    show_value: bool
    show_label: bool
    current: bool


@dataclass(frozen=True)
class TrendChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    line_path: str
    area_path: str
    points: tuple[TrendPoint, ...]
    ticks: tuple[Tick, ...]


def _declutter(xs: Sequence[float], min_gap: float) -> list[bool]:
    """Which labels to show so none is closer than ``min_gap`` to the next; the last always."""
    shown = [False] * len(xs)
    last_x: float | None = None
    for index, x in enumerate(xs):
        if last_x is None or x - last_x >= min_gap:
            shown[index] = True
            last_x = x
    if xs:
        final = len(xs) - 1
        if not shown[final]:
            # Make room for the last label by hiding the shown ones too close to it.
            for index in range(final - 1, -1, -1):
                if shown[index] and xs[final] - xs[index] < min_gap:
                    shown[index] = False
            shown[final] = True
    return shown


def _segments(points: Sequence[TrendPoint]) -> list[list[TrendPoint]]:
    """Runs of consecutive points that have a value; a missing value breaks the line."""
    runs: list[list[TrendPoint]] = [[]]
    for point in points:
        if point.value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(point)
    return [run for run in runs if run]


def trend_chart(
    data: Sequence[TrendDatum],
    *,
    width: float = 520.0,
    height: float = 300.0,
    left: float = 40.0,
    right: float = 36.0,
    top: float = 26.0,
    bottom: float = 46.0,
) -> TrendChart | None:
    """A 0-100 line over time; ``None`` when fewer than two points have a value.

    The last datum is treated as the current one. Points are placed by date; when all dates
    are equal they are spread evenly.
    """
    if sum(1 for d in data if d.value is not None) < 2:
        return None
    plot_left, plot_right = left, width - right
    plot_top, plot_bottom = top, height - bottom
    inset = 18.0  # keep the first and last points off the axes
    span_x = plot_right - plot_left - 2 * inset
    span_y = plot_bottom - plot_top
    stamps = [d.when.timestamp() for d in data]
    first, last = min(stamps), max(stamps)
    if last > first:
        xs = [plot_left + inset + span_x * (s - first) / (last - first) for s in stamps]
    else:
        step = span_x / max(1, len(data) - 1)
        xs = [plot_left + inset + step * i for i in range(len(data))]
    values_shown = _declutter(xs, 34.0)
    labels_shown = _declutter(xs, 72.0)
    points = tuple(
        TrendPoint(
            label=d.label,
            date_text=f"{d.when:%Y-%m-%d}",
            value=d.value,
            value_text="—" if d.value is None else f"{d.value:.1f}",
            x=_r(x),
            y=_r(plot_bottom - span_y * _clamp(d.value or 0.0) / SCALE_MAX),
            show_value=values_shown[i] and d.value is not None,
            show_label=labels_shown[i],
            current=i == len(data) - 1,
        )
        for i, (d, x) in enumerate(zip(data, xs, strict=True))
    )
    line_parts: list[str] = []
    area_parts: list[str] = []
    for run in _segments(points):
        line_parts.append("M" + " L".join(f"{p.x},{p.y}" for p in run))
        if len(run) > 1:
            area_parts.append(
                f"M{run[0].x},{_r(plot_bottom)} "
                + " ".join(f"L{p.x},{p.y}" for p in run)
                + f" L{run[-1].x},{_r(plot_bottom)} Z"
            )
    ticks = tuple(
        Tick(
            value=step,
            x1=_r(plot_left),
            y1=_r(plot_bottom - span_y * step / SCALE_MAX),
            x2=_r(plot_right),
            y2=_r(plot_bottom - span_y * step / SCALE_MAX),
            label_x=_r(plot_left - 8.0),
            label_y=_r(plot_bottom - span_y * step / SCALE_MAX),
            label=f"{step:.0f}",
        )
        for step in GRID_STEPS
    )
    return TrendChart(
        width=_r(width),
        height=_r(height),
        plot_left=_r(plot_left),
        plot_right=_r(plot_right),
        plot_top=_r(plot_top),
        plot_bottom=_r(plot_bottom),
        line_path=" ".join(line_parts),
        area_path=" ".join(area_parts),
        points=points,
        ticks=ticks,
    )
