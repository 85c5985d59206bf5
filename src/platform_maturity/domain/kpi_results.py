"""What the KPI engine returns: values per period with their statistics and caveats."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Distribution(_Result):
    """Statistics of the durations (or values) behind a KPI, in the KPI's display unit."""

    n: int
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None

    def scaled(self, factor: float) -> Distribution:
        def s(v: float | None) -> float | None:
            return None if v is None else v * factor

        return Distribution(
            n=self.n,
            mean=s(self.mean),
            median=s(self.median),
            p90=s(self.p90),
            min=s(self.min),
            max=s(self.max),
        )


class Exclusion(_Result):
    reason: str
    count: int


class Breakdown(_Result):
    label: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    stats: Distribution | None = None
    note: str | None = None


class PeriodValue(_Result):
    period: str
    start: datetime
    end: datetime
    value: float | None  # None: undefined or no data (see note)
    numerator: float | None = None
    denominator: float | None = None
    stats: Distribution | None = None
    interval: tuple[float, float] | None = None  # 95 % interval where one is computed
    breakdowns: tuple[Breakdown, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    warnings: tuple[str, ...] = ()
    note: str | None = None


Trend = Literal["up", "down", "flat"]
Scope = Literal["organization", "unit"]


class KpiResult(_Result):
    id: str
    name: str
    short: str | None = None
    unit: str  # display unit of value and stats: percent, h, day, count, currency
    direction: Literal["lower", "higher", "target"]
    method: str  # how the number is computed, in one sentence
    caveat: str | None = None
    target: str | None = None  # e.g. "< 5 %", from the framework's linked pillar metric
    target_metric: str | None = None
    met: bool | None = None  # current value against the target
    current: PeriodValue
    history: tuple[PeriodValue, ...]  # oldest first, ending with current
    trend: Trend | None = None
    improving: bool | None = None
    # whose data the value is: in a unit's report, "organization" where the data does not
    # say which unit it belongs to (scope_note says why)
    scope: Scope = "organization"
    scope_note: str | None = None


class PillarMetricValue(_Result):
    metric_id: str
    name: str
    value: float
    unit: str
    period: str
    n: int
    target: str
    met: bool


class KpiReport(_Result):
    quarter: str
    start: datetime
    end: datetime
    timezone: str
    as_of: datetime
    scope: str  # organization name or unit slug
    unit: str | None = None  # the unit of a unit's report (see KpiResult.scope)
    currency: str = ""
    kpis: tuple[KpiResult, ...]
    pillar_metrics: tuple[PillarMetricValue, ...] = ()
    counts: dict[str, int] = {}  # records the computation read, by kind
