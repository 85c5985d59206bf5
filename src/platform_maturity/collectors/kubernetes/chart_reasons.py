"""What to say about verdicts on the objects of a Helm release declared in Terraform.

Such objects hold placeholders where the chart decides (see
:mod:`platform_maturity.collectors.terraform.chart`). An undecided verdict says which of
the release's values would decide it, and which values only Terraform knows; a decided one
says it holds "as set in the release's values".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from platform_maturity.collectors.kubernetes.manifests import K8sObject, interpolations
from platform_maturity.collectors.terraform.chart import candidates, decode, is_chart
from platform_maturity.collectors.terraform.unknowns import ABSENT, GENERIC
from platform_maturity.framework.yamlsource import PathKey

AS_SET = " (as set in the release's values)"
_RELEASE = re.compile(r"(?:^|\.)helm_release\.")
MAX_ATTRIBUTED = 24  # unknowns tried one by one to say which decide a verdict
# The release values (and object paths) each relation reads, to name the deciding ones.
RELATION_KEYS: dict[str, tuple[str, ...]] = {
    "replicas_at_least_two": (
        "replicaCount",
        "autoscaling.enabled",
        "autoscaling.hpa.enabled",
        "autoscaling.minReplicas",
        "autoscaling.hpa.minReplicas",
        "spec.replicas",
    ),
    "pdb_protects_workload": ("pdb.create", "podDisruptionBudget.enabled"),
    "hpa_scales_workload": ("autoscaling.enabled", "autoscaling.hpa.enabled"),
    "vpa_sizes_workload": ("autoscaling.vpa.enabled",),
    "network_policy_isolates_workload": (
        "networkPolicy.enabled",
        "networkPolicy.policyTypes",
        "podLabels",
    ),
    "service_account_token_not_mounted": ("automountServiceAccountToken", "serviceAccount"),
    "default_deny_ingress": (),
    "default_deny_egress": (),
    "live_object_in_code": (),
}


def from_release(obj: K8sObject) -> bool:
    return obj.address is not None and _RELEASE.search(obj.address) is not None


def maybe_object(obj: K8sObject) -> bool:
    """An object the chart may or may not create (its kind is the chart's)."""
    return is_chart(obj.data.get("kind"))


def _dotted(path: PathKey) -> str:
    return ".".join(str(part) for part in path)


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def _at(value: Any, path: PathKey) -> Any:
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value


def reason(found: Iterable[tuple[str, Any]], keep: Callable[[str], bool] | None = None) -> str:
    """The undecided message for ``(shown path, value)`` pairs of unknown values; with
    ``keep``, only the values keys it keeps are named (all of them if it keeps none)."""
    keys: list[str] = []
    terraform: list[str] = []
    for shown, value in found:
        placeholder = decode(value) if is_chart(value) else None
        if placeholder is None:
            terraform.append(shown)
            continue
        keys.extend(placeholder.keys)
        terraform.extend(placeholder.terraform)
    keys, terraform = list(dict.fromkeys(keys)), list(dict.fromkeys(terraform))
    if keep is not None and any(keep(k) for k in [*keys, *terraform]):
        keys, terraform = [k for k in keys if keep(k)], [t for t in terraform if keep(t)]
    parts = []
    if terraform:
        parts.append(f"depends on {_listed(terraform)} set by Terraform")
    if keys:
        parts.append(f"the chart decides (not set in the release's values: {_listed(keys)})")
    return "cannot tell: " + ("; ".join(parts) or "the chart decides")


def data_reason(
    validator: Any,
    pool: tuple[Any, ...],
    value: Any,
    relevant: Sequence[PathKey],
    shown: Callable[[PathKey], str],
) -> str:
    """Why a data check is undecided: the unknowns that decide it alone (each tried with
    what it may become, the others as they are), else all the relevant ones."""
    if len(relevant) == 1:
        chosen = list(relevant)
    else:
        deciding = [p for p in relevant[:MAX_ATTRIBUTED] if _decides(validator, pool, value, p)]
        chosen = deciding or list(relevant)
    return reason((shown(path), _at(value, path)) for path in chosen)


def _decides(validator: Any, pool: tuple[Any, ...], value: Any, path: PathKey) -> bool:
    current = _at(value, path)
    options = candidates(current)
    if options is None:
        options = (*GENERIC, *pool)
    seen: set[bool] = set()
    for option in options:
        seen.add(bool(validator.is_valid(_replaced(value, path, option))))
        if len(seen) == 2:
            return True
    return False


def _replaced(value: Any, path: PathKey, new: Any) -> Any:
    """A copy of ``value`` along ``path`` only, with ``new`` there (ABSENT: removed)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and head in value:
        inner = _replaced(value[head], rest, new)
        if inner is ABSENT:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: inner}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        inner = _replaced(value[head], rest, new)
        items = [*value[:head], *([] if inner is ABSENT else [inner]), *value[head + 1 :]]
        return items
    return value


def relation_reason(
    function: str | None, obj: K8sObject, objects: Sequence[K8sObject], own: Sequence[PathKey]
) -> str | None:
    """Why a relation on a release's workload is undecided: the values of the release
    (its workload's ``own`` unknowns, and the objects the chart may create) that the
    relation reads; None for objects of no release."""
    if not from_release(obj):
        return None
    found = [(_dotted(path), obj.get(path)) for path in own]
    for other in objects:
        if other is not obj and other.address == obj.address and other.file == obj.file:
            found.extend((_dotted(p), other.get(p)) for p in interpolations(other.data))
    prefixes = RELATION_KEYS.get(function or "")
    if not prefixes:
        return reason(found)

    def keep(name: str) -> bool:
        return any(
            name == prefix or name.startswith((f"{prefix}.", f"{prefix} ", f"{prefix}["))
            for prefix in prefixes
        )

    return reason(found, keep)
