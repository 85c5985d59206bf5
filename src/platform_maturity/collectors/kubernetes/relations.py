"""Checks that relate objects: budgets, autoscalers and network policies for workloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from platform_maturity.collectors.kubernetes.manifests import K8sObject
from platform_maturity.framework.yamlsource import PathKey

SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet")
# Relations look at objects around their containers (metadata, replicas, selectors, labels,
# pod-level settings), never inside the container lists: a value there that only Terraform
# knows (an image, a limit) cannot change a relational verdict. A relation that reads
# containers must take its group out of this tuple.
UNREAD_POD_FIELDS = ("containers", "initContainers", "ephemeralContainers")


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
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list):
        return False  # not a selector the API server would accept
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expression in expressions:
        if not isinstance(expression, dict):
            return False
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if not isinstance(values, list) or not isinstance(key, str):
            return False
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
        if count >= 2:
            yield Verdict(workload, True, f"runs at least {count} replicas", ("spec",))
        else:
            replicas = "replica" if count == 1 else "replicas"
            message = f"runs only {count} {replicas}; at least 2 needed"
            yield Verdict(workload, False, message, ("spec",))


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
    return isinstance(types, list) and direction in types and not rules


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


def _pod_labels(obj: K8sObject) -> dict[str, Any]:
    """The labels of the pods an object runs (its pod template's, or a Pod's own)."""
    pod_path = obj.pod_spec_path
    if pod_path is None:
        return {}
    labels = obj.get((*pod_path[:-1], "metadata", "labels"))
    return labels if isinstance(labels, dict) else {}


def _policy_types(policy: K8sObject) -> set[str]:
    """The directions a NetworkPolicy isolates, with Kubernetes' defaulting."""
    spec = policy.get(("spec",))
    if not isinstance(spec, dict):
        return set()
    declared = spec.get("policyTypes")
    if isinstance(declared, list):
        return {str(t) for t in declared}
    return {"Ingress", *(["Egress"] if spec.get("egress") else [])}


def network_policy_isolates_workload(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
    """Pods are isolated for ingress and egress: some NetworkPolicy of their namespace
    selects them and lists the direction, so only what a policy allows gets through."""
    policies = [o for o in objects if o.kind == "NetworkPolicy"]
    for workload in objects:
        if workload.pod_spec_path is None:
            continue
        labels = _pod_labels(workload)
        isolated: dict[str, str] = {}
        for policy in policies:
            selector = policy.get(("spec", "podSelector"))
            if policy.namespace != workload.namespace or not selector_matches(
                {} if selector is None else selector, labels
            ):
                continue
            for direction in sorted(_policy_types(policy)):
                isolated.setdefault(direction, policy.name)
        missing = [d for d in ("Ingress", "Egress") if d not in isolated]
        if missing:
            message = "no NetworkPolicy isolates its pods for " + " and ".join(
                d.lower() for d in missing
            )
        else:
            names = sorted(set(isolated.values()))
            message = "ingress and egress isolated by NetworkPolicy " + ", ".join(names)
        yield Verdict(workload, not missing, message, ("metadata",))


def service_account_token_not_mounted(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
    """The pod does not get an API token it did not ask for: automountServiceAccountToken
    is false on the pod, or unset there and false on its ServiceAccount."""
    accounts = {(o.namespace, o.name): o for o in objects if o.kind == "ServiceAccount"}
    for workload in objects:
        pod_path = workload.pod_spec_path
        if pod_path is None:
            continue
        pod = workload.get(pod_path)
        setting = pod.get("automountServiceAccountToken")
        name = str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")
        if setting is False:
            yield Verdict(workload, True, "the pod disables token automounting", pod_path)
            continue
        if setting is True:
            message = "the pod sets automountServiceAccountToken: true"
            yield Verdict(workload, False, message, (*pod_path, "automountServiceAccountToken"))
            continue
        account = accounts.get((workload.namespace, name))
        if account is not None and account.get(("automountServiceAccountToken",)) is False:
            yield Verdict(
                workload, True, f"ServiceAccount {name} disables token automounting", pod_path
            )
        else:
            yield Verdict(
                workload,
                False,
                f"an API token is mounted: neither the pod nor ServiceAccount {name} "
                "sets automountServiceAccountToken: false",
                pod_path,
            )


# objects the cluster makes or keeps for itself, never written by anyone
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
SYSTEM_KINDS = (
    "Event",
    "Endpoints",
    "EndpointSlice",
    "Lease",
    "ControllerRevision",
    "Node",
    "ComponentStatus",
    "CertificateSigningRequest",
    "Binding",
)
DEFAULT_OBJECTS = {
    ("Namespace", "default"),
    ("ServiceAccount", "default"),
    ("ConfigMap", "kube-root-ca.crt"),
    ("Service", "kubernetes"),
}
# field managers and labels of tools that apply objects from code
IAC_MANAGERS = {
    "helm": "Helm",
    "terraform": "Terraform",
    "pulumi-kubernetes": "Pulumi",
    "pulumi": "Pulumi",
    "argocd-controller": "Argo CD",
    "argocd-application-controller": "Argo CD",
    "kustomize-controller": "Flux",
    "helm-controller": "Flux",
    "kapp": "kapp",
}
IAC_MARKS = {
    "meta.helm.sh/release-name": "Helm",
    "argocd.argoproj.io/tracking-id": "Argo CD",
    "kustomize.toolkit.fluxcd.io/name": "Flux",
    "helm.toolkit.fluxcd.io/name": "Flux",
}


def is_live(obj: K8sObject) -> bool:
    """An object read from a cluster (``kubectl get`` output), not from a manifest."""
    return not obj.from_terraform and bool(
        obj.metadata.get("uid") or obj.metadata.get("resourceVersion")
    )


def _counted(obj: K8sObject) -> bool:
    """Whether a live object is part of the system someone had to define."""
    meta = obj.metadata
    if meta.get("ownerReferences") or obj.kind in SYSTEM_KINDS:
        return False  # made by a controller from an object that is counted itself
    if obj.namespace in SYSTEM_NAMESPACES or (obj.kind, obj.name) in DEFAULT_OBJECTS:
        return False
    if obj.kind == "Namespace" and obj.name in SYSTEM_NAMESPACES:
        return False
    labels = meta.get("labels")
    bootstrapped = isinstance(labels, dict) and labels.get("kubernetes.io/bootstrapping")
    if obj.name.startswith("system:") or bootstrapped:
        return False  # the API server's own roles and bindings
    annotations = obj.annotations
    if "pv.kubernetes.io/provisioned-by" in annotations:
        return False  # made by a storage provisioner for a claim
    return not (
        obj.kind == "Secret"
        and obj.data.get("type") == "kubernetes.io/service-account-token"
        and "kubernetes.io/service-account.name" in annotations
    )


def _managed_by(obj: K8sObject) -> str | None:
    """The IaC or GitOps tool an object's labels, annotations or field managers name."""
    labels = obj.metadata.get("labels")
    if isinstance(labels, dict):
        tool = IAC_MANAGERS.get(str(labels.get("app.kubernetes.io/managed-by", "")).lower())
        if tool:
            return f"{tool} (label app.kubernetes.io/managed-by)"
        for key, name in IAC_MARKS.items():
            if key in labels:
                return f"{name} (label {key})"
    for key, name in IAC_MARKS.items():
        if key in obj.annotations:
            return f"{name} (annotation {key})"
    for entry in obj.metadata.get("managedFields") or []:
        manager = str(entry.get("manager", "")).lower() if isinstance(entry, dict) else ""
        if manager in IAC_MANAGERS:
            return f"{IAC_MANAGERS[manager]} (field manager {entry['manager']})"
    return None


def live_object_in_code(objects: Sequence[K8sObject]) -> Iterator[Verdict]:
    """Each object of a cluster dump is defined in code when a scanned manifest, rendered
    chart or Terraform resource declares it (same kind and name, and namespace where the
    declaration names one), or when Helm, Argo CD, Flux, Terraform or Pulumi applied it."""
    declared: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in objects:
        if not is_live(obj):
            declared.setdefault((obj.kind, obj.name), []).append(obj)
    for obj in objects:
        if not is_live(obj) or not _counted(obj):
            continue
        match = next(
            (
                d
                for d in declared.get((obj.kind, obj.name), [])
                if not d.metadata.get("namespace") or d.namespace == obj.namespace
            ),
            None,
        )
        if match is not None:
            where = f"{match.file} ({match.address})" if match.address else match.file
            yield Verdict(obj, True, f"declared in {where}")
        elif (tool := _managed_by(obj)) is not None:
            yield Verdict(obj, True, f"applied from code by {tool}")
        else:
            yield Verdict(
                obj,
                False,
                "runs in the cluster but no scanned manifest, chart or Terraform declares it,"
                " and no IaC or GitOps tool applied it",
            )


FUNCTIONS: dict[str, Relation] = {
    "replicas_at_least_two": replicas_at_least_two,
    "pdb_protects_workload": pdb_protects_workload,
    "hpa_scales_workload": _scaled_by("HorizontalPodAutoscaler", "HorizontalPodAutoscaler"),
    "vpa_sizes_workload": _scaled_by("VerticalPodAutoscaler", "VerticalPodAutoscaler"),
    "default_deny_ingress": _default_deny("Ingress"),
    "default_deny_egress": _default_deny("Egress"),
    "network_policy_isolates_workload": network_policy_isolates_workload,
    "service_account_token_not_mounted": service_account_token_not_mounted,
    "live_object_in_code": live_object_in_code,
}
