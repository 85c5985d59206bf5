"""Checks that relate objects: budgets, autoscalers and network policies for workloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from platform_maturity.collectors.kubernetes.manifests import K8sObject
from platform_maturity.framework.yamlsource import PathKey

SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet")


@dataclass(frozen=True)
class Verdict:
    obj: K8sObject
    passed: bool
    message: str
    path: PathKey = ()


Relation = Callable[[Sequence[K8sObject]], Iterable[Verdict]]


def selector_matches(selector: Any, labels: Mapping[str, Any]) -> bool:
    """Kubernetes label-selector semantics (matchLabels and matchExpressions)."""
    if not isinstance(selector, dict):
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _template_labels(obj: K8sObject) -> dict[str, Any]:
    path = (
        ("metadata", "labels") if obj.kind == "Pod" else ("spec", "template", "metadata", "labels")
    )
    labels = obj.get(path)
    return labels if isinstance(labels, dict) else {}


def _workloads(objects: Sequence[K8sObject], kinds: Sequence[str]) -> Iterator[K8sObject]:
    return (o for o in objects if o.kind in kinds)


def _autoscalers(objects: Sequence[K8sObject], kind: str) -> list[K8sObject]:
    return [o for o in objects if o.kind == kind]


def _targets(scaler: K8sObject, workload: K8sObject) -> bool:
    ref = scaler.get(("spec", "scaleTargetRef")) or scaler.get(("spec", "targetRef")) or {}
    return (
        isinstance(ref, dict)
        and scaler.namespace == workload.namespace
        and ref.get("kind") == workload.kind
        and ref.get("name") == workload.name
    )


def effective_min_replicas(workload: K8sObject, objects: Sequence[K8sObject]) -> int:
    """Replicas the workload keeps at least: an HPA's minReplicas wins over spec.replicas."""
    for hpa in _autoscalers(objects, "HorizontalPodAutoscaler"):
        if _targets(hpa, workload):
            value = hpa.get(("spec", "minReplicas"))
            return int(value) if isinstance(value, int) else 1
    replicas = workload.get(("spec", "replicas"))
    return int(replicas) if isinstance(replicas, int) else 1


def replicas_at_least_two(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
    for workload in _workloads(objects, ("Deployment", "StatefulSet")):
        count = effective_min_replicas(workload, objects)
        yield Verdict(workload, count >= 2, f"runs at least {count} replica(s)", ("spec",))


def pdb_protects_workload(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
    budgets = [o for o in objects if o.kind == "PodDisruptionBudget"]
    for workload in _workloads(objects, ("Deployment", "StatefulSet")):
        labels = _template_labels(workload)
        match = next(
            (
                b
                for b in budgets
                if b.namespace == workload.namespace
                and selector_matches(b.get(("spec", "selector")), labels)
            ),
            None,
        )
        if match is None:
            yield Verdict(workload, False, "no PodDisruptionBudget selects its pods", ("metadata",))
        else:
            yield Verdict(
                workload, True, f"protected by PodDisruptionBudget {match.name}", ("metadata",)
            )


def _scaled_by(kind: str, what: str) -> Relation:
    def check(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
        scalers = _autoscalers(objects, kind)
        for workload in _workloads(objects, SCALABLE):
            scaler = next((s for s in scalers if _targets(s, workload)), None)
            if scaler is None:
                yield Verdict(workload, False, f"no {what} targets it", ("metadata",))
            else:
                yield Verdict(workload, True, f"{what} {scaler.name} targets it", ("metadata",))

    return check


def _policy_denies(policy: K8sObject, direction: str) -> bool:
    """A default-deny policy for ``direction``: selects every pod and allows nothing."""
    spec = policy.get(("spec",)) or {}
    if not isinstance(spec, dict) or spec.get("podSelector") not in ({}, None):
        return False
    types = spec.get("policyTypes") or (["Ingress"] if direction == "Ingress" else [])
    rules = spec.get(direction.lower())
    return direction in types and not rules


def _default_deny(direction: str) -> Relation:
    def check(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
        policies = [o for o in objects if o.kind == "NetworkPolicy"]
        for workload in objects:
            if workload.pod_spec_path is None:
                continue
            policy = next(
                (
                    p
                    for p in policies
                    if p.namespace == workload.namespace and _policy_denies(p, direction)
                ),
                None,
            )
            if policy is None:
                yield Verdict(
                    workload,
                    False,
                    f"namespace {workload.namespace} has no default-deny {direction} NetworkPolicy",
                    ("metadata",),
                )
            else:
                yield Verdict(
                    workload, True, f"{direction} denied by default ({policy.name})", ("metadata",)
                )

    return check


FUNCTIONS: dict[str, Relation] = {
    "replicas_at_least_two": replicas_at_least_two,
    "pdb_protects_workload": pdb_protects_workload,
    "hpa_scales_workload": _scaled_by("HorizontalPodAutoscaler", "HorizontalPodAutoscaler"),
    "vpa_sizes_workload": _scaled_by("VerticalPodAutoscaler", "VerticalPodAutoscaler"),
    "default_deny_ingress": _default_deny("Ingress"),
    "default_deny_egress": _default_deny("Egress"),
}
