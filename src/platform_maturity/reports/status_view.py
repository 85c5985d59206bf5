"""The status page's view model: what each variant (internal, public) shows, as plain data.

The public variant carries curated component names, each component's state and uptime,
and public incident updates only; the internal one adds flows with their budgets and
detection methods, owners, severities and every update.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

STATE_TEXT = {
    "operational": "Operational",
    "partial": "Partial outage",
    "major": "Major outage",
    "degraded": "Degraded",
    "unknown": "No data",
}


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BarView(_View):
    day: date
    state: str  # up, partial, down, none
    percent: float | None
    minutes_down: float

    @property
    def title(self) -> str:
        if self.percent is None:
            return f"{self.day:%Y-%m-%d}: no data"
        if self.minutes_down <= 0:
            return f"{self.day:%Y-%m-%d}: no downtime"
        return f"{self.day:%Y-%m-%d}: {self.percent:.2f}% up, {self.minutes_down:.0f} min down"


class FlowView(_View):
    name: str
    budget_ms: int
    methods: list[str]
    down: bool


class ComponentView(_View):
    id: str
    name: str
    state: str  # operational, partial, major, degraded, unknown
    uptime_percent: float | None
    bars: list[BarView]
    owner: str | None = None  # internal only
    flows: list[FlowView] = []  # internal only
    down_since: datetime | None = None

    @property
    def state_text(self) -> str:
        return STATE_TEXT[self.state]


class UpdateView(_View):
    at: datetime
    status: str | None
    message: str
    public: bool
    author: str | None = None  # internal only


class IncidentView(_View):
    key: str | None  # internal only
    title: str
    component: str
    status: str
    severity: str | None  # internal only
    started: datetime
    resolved: datetime | None
    minutes: float
    method: str | None = None  # internal only
    acknowledged_by: str | None = None  # internal only
    updates: list[UpdateView]


class StatusPageView(_View):
    title: str
    variant: str  # internal or public
    generated: datetime
    days: int
    state: str  # operational, partial, major, degraded, unknown (of the whole system)
    target_percent: float
    system_uptime_percent: float | None
    components: list[ComponentView]
    active: list[IncidentView]
    past: list[IncidentView]
    public_url: str | None = None

    @property
    def affected(self) -> list[str]:
        """Names of the components not operational (and with data), worst first."""
        order = {"major": 0, "partial": 1, "degraded": 2}
        hit = [c for c in self.components if c.state in order]
        return [c.name for c in sorted(hit, key=lambda c: order[c.state])]

    @property
    def state_text(self) -> str:
        if self.state == "operational":
            return "All systems operational"
        if self.state == "unknown":
            return "No monitoring data yet"
        return {
            "major": "Major outage",
            "partial": "Partial outage",
            "degraded": "Some systems degraded",
        }[self.state]
