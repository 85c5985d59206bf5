"""Downtime from the users' side: components, their critical flows, probes and thresholds.

This is the ``downtime:`` section of maturity.yaml. A component (Authentication, Feed, ...)
is up while every one of its critical flows works; a flow has steps, a latency budget and
the detection methods that cover it. Probes are kept as plain mappings here and checked one
by one (:mod:`platform_maturity.domain.probes`), so a single broken probe never stops the
others from running.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = r"^[a-z0-9][a-z0-9-]*$"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Method(StrEnum):
    """How downtime is identified, strongest signal first (the framework's order)."""

    SYNTHETIC = "synthetic"
    RUNTIME = "runtime"
    HEALTHCHECK = "healthcheck"
    USER_REPORT = "user-report"

    @property
    def label(self) -> str:
        return {
            "synthetic": "synthetic test",
            "runtime": "runtime signal",
            "healthcheck": "health check",
            "user-report": "user report",
        }[self.value]


METHOD_ORDER = {m: i for i, m in enumerate(Method)}


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FlowConfig(_Config):
    """A critical user flow: what must work, within which time, and what watches it."""

    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=3)
    steps: list[str] = []
    latency_budget_ms: int = Field(ge=1, le=600_000)
    detection: list[Method] = []
    revenue_share: float = Field(default=1.0, gt=0, le=1)  # of the component's revenue

    @field_validator("detection")
    @classmethod
    def _once(cls, value: list[Method]) -> list[Method]:
        return list(dict.fromkeys(value))


class EscalationLevel(_Config):
    """Who is told, and how long after the start when nobody has acknowledged."""

    notify: list[str] = Field(min_length=1)  # e-mail addresses or webhook:NAME
    after_minutes: int = Field(default=0, ge=0, le=24 * 60)


class ComponentConfig(_Config):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=2)
    public_name: str | None = None  # what the public status page calls it
    description: str | None = None
    owner: str | None = None  # an e-mail address or a name
    unit: str | None = None  # the owning unit (slug)
    escalation: list[EscalationLevel] = []
    revenue_per_minute: float | None = Field(default=None, ge=0)
    flows: list[FlowConfig] = []

    @field_validator("escalation")
    @classmethod
    def _increasing(cls, levels: list[EscalationLevel]) -> list[EscalationLevel]:
        delays = [level.after_minutes for level in levels]
        if delays != sorted(delays) or len(set(delays)) != len(delays):
            raise ValueError("escalation levels must come later one after the other")
        return levels

    @field_validator("flows")
    @classmethod
    def _unique_flows(cls, flows: list[FlowConfig]) -> list[FlowConfig]:
        ids = [f.id for f in flows]
        for flow_id in ids:
            if ids.count(flow_id) > 1:
                raise ValueError(f"flow id {flow_id!r} is used twice")
        return flows

    @property
    def shown_name(self) -> str:
        return self.public_name or self.name

    def flow(self, flow_id: str) -> FlowConfig | None:
        return next((f for f in self.flows if f.id == flow_id), None)

    def flow_name(self, flow_id: str) -> str:
        flow = self.flow(flow_id)
        return flow.name if flow else flow_id


class WebhookConfig(_Config):
    name: str = Field(pattern=SLUG)
    url: str = Field(pattern=r"^https?://")
    format: str = Field(default="json", pattern=r"^(json|slack)$")
    headers: dict[str, str] = {}


class EmailConfig(_Config):
    host: str
    port: int = Field(default=25, ge=1, le=65535)
    sender: str
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None  # name of the environment variable with the password
    timeout_seconds: float = Field(default=10, gt=0, le=120)


class NotificationConfig(_Config):
    webhooks: list[WebhookConfig] = []
    email: EmailConfig | None = None
    notify_on_resolve: bool = True

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, hooks: list[WebhookConfig]) -> list[WebhookConfig]:
        names = [h.name for h in hooks]
        if len(names) != len(set(names)):
            raise ValueError("webhook names must be unique")
        return hooks


class StatusPageConfig(_Config):
    title: str | None = None  # default: "<organization> status"
    days: int = Field(default=90, ge=7, le=366)
    public_url: str | None = None


class DowntimeSettings(_Config):
    """The ``downtime:`` section of maturity.yaml."""

    uptime_target_percent: float | None = Field(default=None, gt=0, le=100)
    failure_threshold: int = Field(default=3, ge=1, le=100)  # consecutive failures → down
    success_threshold: int = Field(default=2, ge=1, le=100)  # consecutive successes → up
    runtime_threshold: int = Field(default=5, ge=1, le=100_000)  # flow-failed events ...
    runtime_window_minutes: int = Field(default=5, ge=1, le=24 * 60)  # ... within this window
    user_report_threshold: int = Field(default=3, ge=1, le=100_000)
    concurrency: int = Field(default=8, ge=1, le=256)
    responder_rate_per_hour: float = Field(default=0, ge=0)  # loaded cost of one responder
    components: list[ComponentConfig] = []
    probes: list[dict[str, Any]] = []  # checked one by one: see domain.probes
    notifications: NotificationConfig = NotificationConfig()
    status_page: StatusPageConfig = StatusPageConfig()

    @model_validator(mode="after")
    def _unique_components(self) -> DowntimeSettings:
        ids = [c.id for c in self.components]
        for component_id in ids:
            if ids.count(component_id) > 1:
                raise ValueError(f"component id {component_id!r} is used twice")
        hooks = {h.name for h in self.notifications.webhooks}
        for component in self.components:
            for level in component.escalation:
                for target in level.notify:
                    check_target(target, hooks)
        return self

    def component(self, component_id: str) -> ComponentConfig | None:
        return next((c for c in self.components if c.id == component_id), None)


def check_target(target: str, webhooks: set[str]) -> None:
    """A notification target is an e-mail address or ``webhook:NAME`` of a configured hook."""
    if target.startswith("webhook:"):
        if target[len("webhook:") :] not in webhooks:
            known = ", ".join(sorted(webhooks)) or "none configured"
            raise ValueError(
                f"{target!r} names no webhook under notifications.webhooks (known: {known})"
            )
        return
    if not EMAIL.match(target.removeprefix("mailto:")):
        raise ValueError(f"{target!r} is neither an e-mail address nor webhook:NAME")


def target_channel(target: str) -> tuple[str, str]:
    """``webhook:ops`` → (``webhook``, ``ops``); an address → (``email``, address)."""
    if target.startswith("webhook:"):
        return "webhook", target[len("webhook:") :]
    return "email", target.removeprefix("mailto:")


def escalation_chain(component: ComponentConfig) -> list[EscalationLevel]:
    """The component's levels; without any, its owner (when an address) at once."""
    if component.escalation:
        return list(component.escalation)
    if component.owner and EMAIL.match(component.owner.removeprefix("mailto:")):
        return [EscalationLevel(notify=[component.owner], after_minutes=0)]
    return []
