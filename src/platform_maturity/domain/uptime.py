"""Uptime per component and overall, per period and per day."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DayBar(_Record):
    day: date
    uptime_percent: float | None  # None: not monitored that day
    minutes_down: float

    @property
    def state(self) -> str:
        if self.uptime_percent is None:
            return "none"
        if self.minutes_down <= 0:
            return "up"
        return "down" if self.uptime_percent < 99.0 else "partial"


class Uptime(_Record):
    """Uptime of one component (or of the system when ``component`` is None) over a period."""

    component: str | None
    start: datetime
    end: datetime
    monitored_minutes: float
    minutes_down: float
    percent: float | None  # None: not monitored in the period
    target_percent: float
    intervals: int

    @property
    def meets_target(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.target_percent
