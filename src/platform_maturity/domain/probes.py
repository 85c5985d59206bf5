"""Probe definitions, checked one by one, and what probes and people record.

A probe's kind follows from its definition: ``steps`` make a multi-step flow probe,
``health`` a health-check probe, ``dns`` a DNS probe, a ``tcp://`` URL a TCP probe and an
``http(s)://`` URL an HTTP probe. Each probe watches one flow (``flow: component/flow``) or a
whole component (``component: id``); a health probe names the components each part of its
payload affects.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from platform_maturity.domain.conditions import (
    Condition,
    ConditionError,
    parse_condition,
    parse_duration_ms,
)
from platform_maturity.domain.downtime import SLUG, DowntimeSettings, Method

HEALTHY_WORDS = ("up", "ok", "pass", "passing", "healthy", "green", "true", "operational")
DNS_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "SRV", "PTR", "CAA")


class ProbeKind(StrEnum):
    HTTP = "http"
    TCP = "tcp"
    DNS = "dns"
    FLOW = "flow"
    HEALTH = "health"

    @property
    def method(self) -> Method:
        return Method.HEALTHCHECK if self is ProbeKind.HEALTH else Method.SYNTHETIC


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _seconds(value: Any, field: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is not a duration")
    if isinstance(value, int | float):
        return float(value)
    ms = parse_duration_ms(str(value).strip())
    if ms is None:
        raise ValueError(f"{field}: {value!r} is not a duration; write e.g. 30s, 5m or 500ms")
    return ms / 1000.0


def _conditions(values: list[str]) -> tuple[Condition, ...]:
    parsed: list[Condition] = []
    for index, text in enumerate(values):
        try:
            parsed.append(parse_condition(text))
        except ConditionError as exc:
            raise ValueError(f"conditions.{index}: {exc}") from None
    return tuple(parsed)


class Request(_Spec):
    """One HTTP request with its conditions (a probe, or one step of a flow probe)."""

    name: str = ""
    url: str = Field(pattern=r"^https?://\S+$")
    method: str = Field(default="GET", pattern=r"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$")
    headers: dict[str, str] = {}
    body: str | None = None
    conditions: tuple[Condition, ...] = ()
    store: dict[str, str] = {}  # context key → "[BODY].path" (flow steps)

    @field_validator("conditions", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return _conditions(value)
        return value

    @field_validator("store")
    @classmethod
    def _store_paths(cls, value: dict[str, str]) -> dict[str, str]:
        for key, path in value.items():
            if not path.startswith("[BODY]") and not path.upper().startswith("[BODY]"):
                raise ValueError(f"store.{key}: take values from the body, e.g. [BODY].token")
        return value


class HealthSpec(_Spec):
    parts: dict[str, list[str]]  # payload part → components it takes down
    path: str | None = None  # where the parts are, e.g. "checks" (default: found)


class DnsSpec(_Spec):
    query_name: str = Field(min_length=1)
    query_type: str = "A"

    @field_validator("query_type")
    @classmethod
    def _known(cls, value: str) -> str:
        if value.upper() not in DNS_TYPES:
            raise ValueError(f"query_type {value!r}: use one of {', '.join(DNS_TYPES)}")
        return value.upper()


class ProbeSpec(_Spec):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$", max_length=100)
    kind: ProbeKind
    component: str | None = None
    flow: str | None = None  # flow id within ``component``
    url: str
    interval_seconds: float = Field(default=60, ge=0.1, le=86_400)
    timeout_seconds: float = Field(default=10, gt=0, le=300)
    insecure: bool = False  # accept any TLS certificate (self-signed test systems)
    ca_file: str | None = None  # trust this CA bundle (an internal CA) besides the system's
    follow_redirects: bool = True
    request: Request | None = None  # http and health
    steps: tuple[Request, ...] = ()  # flow
    conditions: tuple[Condition, ...] = ()  # tcp and dns
    dns: DnsSpec | None = None
    health: HealthSpec | None = None
    enabled: bool = True

    @property
    def method(self) -> Method:
        return self.kind.method

    @property
    def target(self) -> str:
        return f"{self.component}/{self.flow}" if self.flow else str(self.component)

    def components(self) -> tuple[str, ...]:
        if self.health is not None:
            return tuple(dict.fromkeys(c for cs in self.health.parts.values() for c in cs))
        return (str(self.component),)


class ProbeProblem(BaseModel):
    """A probe that cannot run, and why (it is skipped; the others run)."""

    model_config = ConfigDict(frozen=True)
    index: int
    name: str
    message: str


_COMMON = {"name", "component", "flow", "interval", "timeout", "insecure", "enabled"}
_COMMON |= {"follow_redirects", "ca_file"}
_HTTP = {"url", "method", "headers", "body", "conditions"}


def _unknown_keys(raw: dict[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise ValueError(
            f"unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}"
        )


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _target(raw: dict[str, Any], settings: DowntimeSettings) -> tuple[str | None, str | None]:
    flow_ref, component_ref = raw.get("flow"), raw.get("component")
    if flow_ref is not None:
        text = str(flow_ref)
        if "/" not in text:
            raise ValueError(f"flow: {text!r} should read COMPONENT/FLOW, e.g. auth/password-login")
        component_id, flow_id = text.split("/", 1)
        component = settings.component(component_id)
        if component is None:
            raise ValueError(f"flow: no component {component_id!r} under downtime.components")
        if component.flow(flow_id) is None:
            known = ", ".join(f.id for f in component.flows) or "none"
            raise ValueError(f"flow: component {component_id!r} has no flow {flow_id!r} ({known})")
        if component_ref is not None and component_ref != component_id:
            raise ValueError("component and flow name different components")
        return component_id, flow_id
    if component_ref is None:
        raise ValueError("name the flow (flow: COMPONENT/FLOW) or component it watches")
    if settings.component(str(component_ref)) is None:
        raise ValueError(f"component: no component {component_ref!r} under downtime.components")
    return str(component_ref), None


def build_probe(raw: Any, settings: DowntimeSettings) -> ProbeSpec:
    """Check one probe definition; ValueError with the field and what to write otherwise."""
    if not isinstance(raw, dict):
        raise ValueError("a probe is a mapping (name:, url:, conditions:, ...)")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name: every probe needs a name")
    data: dict[str, Any] = {"name": name}
    if "interval" in raw:
        data["interval_seconds"] = _seconds(raw["interval"], "interval")
    if "timeout" in raw:
        data["timeout_seconds"] = _seconds(raw["timeout"], "timeout")
    for key in ("insecure", "enabled", "follow_redirects", "ca_file"):
        if key in raw:
            data[key] = raw[key]
    url = raw.get("url")
    if "steps" in raw:
        _unknown_keys(raw, _COMMON | {"steps"})
        data["kind"] = ProbeKind.FLOW
        steps = raw["steps"]
        if not isinstance(steps, list) or not steps:
            raise ValueError("steps: a flow probe lists its requests in order")
        data["steps"] = [
            dict(s, name=s.get("name") or f"step {i + 1}") for i, s in enumerate(steps)
        ]
        data["url"] = str(steps[0].get("url", "")) if isinstance(steps[0], dict) else ""
    elif "health" in raw:
        _unknown_keys(raw, _COMMON | _HTTP | {"health"})
        data["kind"] = ProbeKind.HEALTH
        data["health"] = raw["health"]
        data["request"] = {k: raw[k] for k in _HTTP if k in raw}
        data["url"] = url
    elif "dns" in raw:
        _unknown_keys(raw, _COMMON | {"url", "dns", "conditions"})
        data["kind"] = ProbeKind.DNS
        data["dns"] = raw["dns"]
        data["url"] = url
        data["conditions"] = _conditions(list(raw.get("conditions") or ["[DNS_RCODE] == NOERROR"]))
    elif isinstance(url, str) and url.startswith("tcp://"):
        _unknown_keys(raw, _COMMON | {"url", "conditions"})
        data["kind"] = ProbeKind.TCP
        data["url"] = url
        data["conditions"] = _conditions(list(raw.get("conditions") or ["[CONNECTED] == true"]))
    elif isinstance(url, str) and url.startswith(("http://", "https://")):
        _unknown_keys(raw, _COMMON | _HTTP)
        data["kind"] = ProbeKind.HTTP
        data["url"] = url
        data["request"] = {k: raw[k] for k in _HTTP if k in raw}
    else:
        raise ValueError(
            f"url: {url!r} — use http(s)://, tcp://HOST:PORT, a dns: block with the resolver"
            " as url, steps: for a flow or health: for a health check"
        )
    if data["kind"] is ProbeKind.HEALTH:
        health = raw.get("health")
        if not isinstance(health, dict) or not isinstance(health.get("parts"), dict):
            raise ValueError("health.parts: map each part of the payload to the components")
        for part, components in health["parts"].items():
            for component_id in components if isinstance(components, list) else [components]:
                if settings.component(str(component_id)) is None:
                    raise ValueError(f"health.parts.{part}: no component {component_id!r}")
        data["health"] = {
            "parts": {
                str(p): [str(c) for c in (cs if isinstance(cs, list) else [cs])]
                for p, cs in health["parts"].items()
            },
            **({"path": health["path"]} if "path" in health else {}),
        }
    else:
        data["component"], data["flow"] = _target(raw, settings)
    if data["kind"] is ProbeKind.DNS:
        text = str(url or "")
        if not text or "://" in text:
            raise ValueError("url: the resolver to ask, e.g. 127.0.0.1:53 or 9.9.9.9")
    try:
        spec = ProbeSpec.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_first_error(exc)) from None
    if spec.kind in (ProbeKind.HTTP, ProbeKind.FLOW) and spec.request is not None:
        if not spec.request.conditions:
            raise ValueError("conditions: list at least one, e.g. '[STATUS] == 200'")
    for index, step in enumerate(spec.steps):
        if not step.conditions:
            raise ValueError(f"steps.{index}.conditions: list at least one, e.g. '[STATUS] == 200'")
    return spec


def load_probes(settings: DowntimeSettings) -> tuple[list[ProbeSpec], list[ProbeProblem]]:
    """Every probe that can run, and a problem for each one that cannot."""
    probes: list[ProbeSpec] = []
    problems: list[ProbeProblem] = []
    seen: set[str] = set()
    for index, raw in enumerate(settings.probes):
        name = str(raw.get("name", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index + 1}"
        try:
            spec = build_probe(raw, settings)
            if spec.name in seen:
                raise ValueError(f"name: another probe is called {spec.name!r}")
        except ValueError as exc:
            problems.append(ProbeProblem(index=index, name=name, message=str(exc)))
            continue
        seen.add(spec.name)
        probes.append(spec)
    return probes, problems


# ---- what probes and people record ----------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProbeResult(_Record):
    """One run of a probe about one target (a health probe gives one per component)."""

    probe: str
    component: str
    flow: str | None = None
    method: Method
    at: datetime
    ok: bool
    duration_ms: float | None = None
    status: str = ""  # e.g. "HTTP 200", "connected", "NOERROR"
    error: str | None = None  # transport error or the failed conditions, resolved
    details: tuple[str, ...] = ()  # every condition as shown, or the health parts


class SignalKind(StrEnum):
    RUNTIME = "runtime"  # application code: "flow X failed for a user"
    USER_REPORT = "user-report"

    @property
    def method(self) -> Method:
        return Method.RUNTIME if self is SignalKind.RUNTIME else Method.USER_REPORT


class Signal(_Record):
    kind: SignalKind
    component: str = Field(pattern=SLUG)
    flow: str | None = None
    at: datetime
    source: str = ""  # the service that sent it, or who reported it
    message: str = ""
