"""Read a Gatus configuration into our probe definitions.

We take the part of Gatus that maps onto our probes — ``endpoints`` (HTTP(S), TCP and DNS)
and ``suites`` (multi-step flows) — and say, one warning per key, what we leave out
(alerting, maintenance windows, UI settings, storage, unsupported check types, ...).
Conditions go through our strict parser: where Gatus would silently compare nonsense as 0,
the endpoint is left out with the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platform_maturity.domain.conditions import ConditionError, parse_condition
from platform_maturity.domain.errors import UserError

SUPPORTED_SCHEMES = ("http://", "https://", "tcp://")
ENDPOINT_KEYS = {"name", "group", "url", "method", "headers", "body", "interval", "conditions"}
ENDPOINT_KEYS |= {"client", "dns", "enabled"}
CLIENT_KEYS = {"timeout", "insecure", "ignore-redirect"}
SUITE_KEYS = {"name", "group", "interval", "timeout", "endpoints", "enabled"}
STEP_KEYS = {"name", "url", "method", "headers", "body", "conditions", "store", "client"}
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\$")


@dataclass
class GatusImport:
    probes: list[dict[str, Any]] = field(default_factory=list)
    components: dict[str, str] = field(default_factory=dict)  # id → name (from groups)
    warnings: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value or "default"


def _expand(text: str, env: Mapping[str, str], warnings: list[str]) -> str:
    def repl(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(2)
        if name not in env:
            warnings.append(f"${name} is not set in the environment; left as written")
            return match.group(0)
        return env[name]

    return _VAR.sub(repl, text)


def _request(
    raw: dict[str, Any], where: str, warnings: list[str], allowed: set[str]
) -> dict[str, Any] | None:
    for key in sorted(set(raw) - allowed):
        warnings.append(f"{where}: skipped {key!r} (not supported)")
    request: dict[str, Any] = {"url": str(raw.get("url", ""))}
    for key in ("method", "headers", "body"):
        if key in raw:
            request[key] = raw[key] if key != "method" else str(raw[key]).upper()
    conditions = [str(c) for c in raw.get("conditions") or []]
    for text in conditions:
        try:
            parse_condition(text)
        except ConditionError as exc:
            warnings.append(f"{where}: left out, its condition is refused: {exc}")
            return None
    request["conditions"] = conditions
    return request


def _client(raw: dict[str, Any], probe: dict[str, Any], where: str, warnings: list[str]) -> None:
    client = raw.get("client") or {}
    if not isinstance(client, dict):
        return
    for key in sorted(set(client) - CLIENT_KEYS):
        warnings.append(f"{where}: skipped client.{key} (not supported)")
    if "timeout" in client:
        probe["timeout"] = str(client["timeout"])
    if client.get("insecure"):
        probe["insecure"] = True
    if client.get("ignore-redirect"):
        probe["follow_redirects"] = False


def _target(raw: dict[str, Any], default: str | None, result: GatusImport) -> str | None:
    group = raw.get("group")
    if group:
        component = slug(str(group))
        result.components.setdefault(component, str(group))
        return component
    return default


def convert(
    data: Any, default_component: str | None = None, env: Mapping[str, str] | None = None
) -> GatusImport:
    """A parsed Gatus document → our probes, the components its groups name, and warnings."""
    env = os.environ if env is None else env
    result = GatusImport()
    if not isinstance(data, dict):
        raise ValueError("a Gatus configuration is a mapping with endpoints:")
    for key in sorted(set(data) - {"endpoints", "suites"}):
        result.warnings.append(f"skipped top-level {key!r} (we have our own settings for it)")
    for index, raw in enumerate(data.get("endpoints") or []):
        if not isinstance(raw, dict):
            result.warnings.append(f"endpoints[{index}]: not a mapping, skipped")
            continue
        name = str(raw.get("name") or f"endpoint-{index + 1}")
        where = f"endpoint {name!r}"
        for key in sorted(set(raw) - ENDPOINT_KEYS):
            result.warnings.append(f"{where}: skipped {key!r} (not supported)")
        if raw.get("enabled") is False:
            result.warnings.append(f"{where}: disabled in Gatus, imported disabled")
        url = _expand(str(raw.get("url", "")), env, result.warnings)
        component = _target(raw, default_component, result)
        if component is None:
            result.warnings.append(
                f"{where}: left out, it has no group; pass --component to place it"
            )
            continue
        probe: dict[str, Any] = {"name": name, "component": component}
        if "interval" in raw:
            probe["interval"] = str(raw["interval"])
        _client(raw, probe, where, result.warnings)
        if raw.get("enabled") is False:
            probe["enabled"] = False
        if isinstance(raw.get("dns"), dict):
            dns = raw["dns"]
            probe["url"] = url
            probe["dns"] = {
                "query_name": str(dns.get("query-name", "")),
                "query_type": str(dns.get("query-type", "A")),
            }
            request = _request(raw, where, result.warnings, ENDPOINT_KEYS)
            if request is None:
                continue
            probe["conditions"] = request["conditions"]
        elif url.startswith(SUPPORTED_SCHEMES):
            request = _request({**raw, "url": url}, where, result.warnings, ENDPOINT_KEYS | {"url"})
            if request is None:
                continue
            if url.startswith("tcp://"):
                probe.update(url=url, conditions=request["conditions"])
            else:
                probe.update(request)
        else:
            scheme = url.split("://", 1)[0] if "://" in url else url
            result.warnings.append(f"{where}: left out, {scheme!r} checks are not supported")
            continue
        if not probe.get("conditions"):
            result.warnings.append(f"{where}: left out, it has no conditions")
            continue
        result.probes.append(probe)
    for index, raw in enumerate(data.get("suites") or []):
        if not isinstance(raw, dict):
            result.warnings.append(f"suites[{index}]: not a mapping, skipped")
            continue
        name = str(raw.get("name") or f"suite-{index + 1}")
        where = f"suite {name!r}"
        for key in sorted(set(raw) - SUITE_KEYS):
            result.warnings.append(f"{where}: skipped {key!r} (not supported)")
        component = _target(raw, default_component, result)
        if component is None:
            result.warnings.append(f"{where}: left out, it has no group; pass --component")
            continue
        steps: list[dict[str, Any]] = []
        for step_index, step in enumerate(raw.get("endpoints") or []):
            step_where = f"{where} step {step_index + 1}"
            if not isinstance(step, dict):
                continue
            if step.get("always-run"):
                result.warnings.append(f"{step_where}: 'always-run' is not supported, skipped")
            url = _expand(str(step.get("url", "")), env, result.warnings)
            request = _request(
                {**step, "url": url},
                step_where,
                result.warnings,
                STEP_KEYS | {"always-run"},
            )
            if request is None:
                steps = []
                break
            if not url.startswith(("http://", "https://")):
                result.warnings.append(f"{step_where}: only HTTP(S) steps are supported")
                steps = []
                break
            if step.get("name"):
                request["name"] = str(step["name"])
            if isinstance(step.get("store"), dict):
                request["store"] = {str(k): str(v) for k, v in step["store"].items()}
            steps.append(request)
        if not steps:
            result.warnings.append(f"{where}: left out")
            continue
        probe = {"name": name, "component": component, "steps": steps}
        if "interval" in raw:
            probe["interval"] = str(raw["interval"])
        if "timeout" in raw:
            probe["timeout"] = str(raw["timeout"])
        result.probes.append(probe)
    return result


def read_gatus(
    path: Path, default_component: str | None = None, env: Mapping[str, str] | None = None
) -> GatusImport:
    """Read a Gatus file (or every *.yaml / *.yml under a folder, merged as Gatus does for
    lists: endpoints and suites are appended)."""
    files = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]) if path.is_dir() else [path]
    merged: dict[str, Any] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise UserError(
                f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                file=str(file),
                line=mark.line + 1 if mark is not None else None,
            ) from None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise UserError("a Gatus configuration is a mapping with endpoints:", file=str(file))
        for key, value in data.items():
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = [*merged[key], *value]
            else:
                merged[key] = value
    try:
        return convert(merged, default_component, env)
    except ValueError as exc:
        raise UserError(str(exc), file=str(path)) from None
