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
    label_text: str  # the label as drawn below the axis (long names shortened)
    date_text: str
    value: float | None
    value_text: str
    x: float
    y: float
    show_value: bool
    value_y: float  # baseline of the value text: above the point, or below it when crowded
    label_x: float
    label_y: float  # baseline of the label; the date sits one line below
    date_y: float
    label_row: int  # 0 right below the axis; 1, 2, ... staggered below crowded neighbours
    leader: bool  # draw a thin line from the axis down to a staggered label
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


LABEL_CHARS = 14  # longer snapshot names are shortened below the axis
_CHAR_WIDTH = 6.6  # of an 11 px axis label, generous for digits
_LABEL_PAD = 10.0
_ROW_HEIGHT = 32.0  # one staggered row: the name and the date below it
_VALUE_WIDTH = 34.0
_VALUE_HEIGHT = 14.0
_MIN_POINT_GAP = 14.0  # two dots never overlap, even for snapshots on the same day


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _spread(xs: Sequence[float], low: float, high: float, gap: float) -> list[float]:
    """``xs`` moved apart to at least ``gap`` between neighbours, kept within ``low..high``.

    Points keep their order along the axis; only crowded ones move, and as little as needed.
    """
    order = sorted(range(len(xs)), key=lambda i: (xs[i], i))
    if len(xs) > 1 and (high - low) / (len(xs) - 1) < gap:
        step = (high - low) / (len(xs) - 1)
        return [low + step * order.index(i) for i in range(len(xs))]
    placed = [xs[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    if placed:
        placed[-1] = min(placed[-1], high)
    for k in range(len(placed) - 2, -1, -1):
        placed[k] = min(placed[k], placed[k + 1] - gap)
    result = [0.0] * len(xs)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def _label_rows(centres: Sequence[float], widths: Sequence[float]) -> list[int]:
    """A row for each axis label so none overlaps another in its row; none is hidden.

    Labels are placed latest first, so the current point keeps the first row and an earlier
    neighbour too close to it moves one row down (staggered).
    """
    rows = [0] * len(centres)
    taken: list[list[tuple[float, float]]] = []
    for i in range(len(centres) - 1, -1, -1):
        left, right = centres[i] - widths[i] / 2, centres[i] + widths[i] / 2
        row = 0
        while row < len(taken) and any(
            left < r_right and l_left < right for l_left, r_right in taken[row]
        ):
            row += 1
        if row == len(taken):
            taken.append([])
        taken[row].append((left, right))
        rows[i] = row
    return rows


def _value_above(
    xs: Sequence[float], ys: Sequence[float], shown: Sequence[bool], floor: float
) -> list[bool]:
    """Whether each value sits above its point; below (if above ``floor``) when it would
    touch a later value."""
    above = [True] * len(xs)
    boxes: list[tuple[float, float]] = []  # (x, baseline) of the values placed so far
    for i in range(len(xs) - 1, -1, -1):
        if not shown[i]:
            continue
        for candidate in (True, False) if ys[i] + 20.0 <= floor else (True,):
            baseline = ys[i] - 12.0 if candidate else ys[i] + 20.0
            if not any(
                abs(xs[i] - bx) < _VALUE_WIDTH and abs(baseline - by) < _VALUE_HEIGHT
                for bx, by in boxes
            ):
                above[i] = candidate
                break
        boxes.append((xs[i], ys[i] - 12.0 if above[i] else ys[i] + 20.0))
    return above


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
    are equal they are spread evenly, and points closer than a dot apart (snapshots on the
    same day) are nudged apart so every one stays visible. Every point shows its value and
    its label: a label that would overlap a later one goes to a staggered row below, which
    makes the chart taller by that row.
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
    xs = _spread(xs, plot_left + inset, plot_left + inset + span_x, _MIN_POINT_GAP)
    ys = [plot_bottom - span_y * _clamp(d.value or 0.0) / SCALE_MAX for d in data]

    texts = [_short(d.label) for d in data]
    widths = [max(len(t), 10) * _CHAR_WIDTH + _LABEL_PAD for t in texts]
    centres = [min(max(x, w / 2), width - w / 2) for x, w in zip(xs, widths, strict=True)]
    rows = _label_rows(centres, widths)
    above = _value_above(xs, ys, [d.value is not None for d in data], plot_bottom - 4.0)

    def crossed(i: int) -> bool:
        """Whether a leader down to label ``i`` would cross a label in a higher row."""
        return any(
            rows[j] < rows[i] and abs(centres[j] - xs[i]) < widths[j] / 2 + 2.0
            for j in range(len(data))
        )

    points = tuple(
        TrendPoint(
            label=d.label,
            label_text=texts[i],
            date_text=f"{d.when:%Y-%m-%d}",
            value=d.value,
            value_text="—" if d.value is None else f"{d.value:.1f}",
            x=_r(xs[i]),
            y=_r(ys[i]),
            show_value=d.value is not None,
            value_y=_r(ys[i] - 12.0 if above[i] else ys[i] + 20.0),
            label_x=_r(centres[i]),
            label_y=_r(plot_bottom + 18.0 + _ROW_HEIGHT * rows[i]),
            date_y=_r(plot_bottom + 33.0 + _ROW_HEIGHT * rows[i]),
            label_row=rows[i],
            leader=rows[i] > 0 and not crossed(i),
            current=i == len(data) - 1,
        )
        for i, d in enumerate(data)
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
        height=_r(height + _ROW_HEIGHT * max(rows, default=0)),
        plot_left=_r(plot_left),
        plot_right=_r(plot_right),
        plot_top=_r(plot_top),
        plot_bottom=_r(plot_bottom),
        line_path=" ".join(line_parts),
        area_path=" ".join(area_parts),
        points=points,
        ticks=ticks,
    )
