"""Small trend charts for the KPI section of the HTML report: one SVG line per KPI.

Each chart scales to its own values (KPIs have different units) and draws the target as
a dashed line where the KPI has one. Geometry only; the numbers come from the KPI report.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_maturity.domain.kpi_results import KpiReport, KpiResult
from platform_maturity.domain.target import Target
from platform_maturity.domain.units import convert
from platform_maturity.reports.kpi_format import fmt_value

WIDTH, HEIGHT = 260.0, 96.0
LEFT, RIGHT, TOP, BOTTOM = 8.0, 8.0, 14.0, 22.0


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value_text: str
    current: bool


@dataclass(frozen=True)
class KpiChart:
    kpi_id: str
    path: str
    points: tuple[ChartPoint, ...]
    target_y: float | None
    width: float = WIDTH
    height: float = HEIGHT


def _target_value(result: KpiResult) -> float | None:
    if not result.target:
        return None
    try:
        target = Target.parse(result.target)
        return convert(target.value, target.unit, result.unit)
    except Exception:  # a target in a unit the display unit does not convert to
        return None


def kpi_chart(result: KpiResult, currency: str = "") -> KpiChart | None:
    data = [(p.period, p.value) for p in result.history]
    values = [v for _, v in data if v is not None]
    if len(values) < 2:
        return None
    target = _target_value(result)
    low = min([*values, *([target] if target is not None else [])])
    high = max([*values, *([target] if target is not None else [])])
    low = min(low, 0.0) if low >= 0 and high > 0 and low < high * 0.35 else low
    if high == low:
        high, low = high + 1, low - 1 if low > 0 else low
    span_x = (WIDTH - LEFT - RIGHT) / max(1, len(data) - 1)

    def y_of(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / (high - low))

    points = tuple(
        ChartPoint(
            x=round(LEFT + i * span_x, 1),
            y=round(y_of(v), 1) if v is not None else -1.0,
            label=period.split("-")[-1] if "-" in period else period,
            value_text=fmt_value(v, result.unit, currency),
            current=i == len(data) - 1,
        )
        for i, (period, v) in enumerate(data)
    )
    drawn = [p for p in points if p.y >= 0]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(drawn))
    return KpiChart(
        kpi_id=result.id,
        path=path,
        points=points,
        target_y=round(y_of(target), 1) if target is not None else None,
    )


def kpi_charts(report: KpiReport) -> dict[str, KpiChart]:
    charts = {}
    for result in report.kpis:
        chart = kpi_chart(result, report.currency)
        if chart is not None:
            charts[result.id] = chart
    return charts
