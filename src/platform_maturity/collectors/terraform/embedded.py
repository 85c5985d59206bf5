"""Kubernetes objects declared inside Terraform, as the dicts the Kubernetes checks read.

Three shapes are translated: the typed ``kubernetes_*`` resources of the Kubernetes
provider (snake_case blocks turned into the API's camelCase objects), ``kubectl_manifest``
YAML bodies and ``kubernetes_manifest`` manifests, where they are static (a literal, a
heredoc, a ``yamlencode({...})``/``jsonencode({...})`` literal, or ``yamldecode(file(...))``
of a file inside the module). Values only Terraform can fill in stay as ``"${...}"``
strings and are listed in ``unresolved``; run the checks on them through
:func:`platform_maturity.collectors.terraform.unknowns.decide` after
:func:`~platform_maturity.collectors.terraform.unknowns.mark_interpolations`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypedDict

import yaml

from platform_maturity.collectors.terraform.collector import load
from platform_maturity.collectors.terraform.hcl import serialization_options
from platform_maturity.collectors.terraform.model import INTERPOLATION, Resource, Unknown


class EmbeddedObject(TypedDict):
    object: dict[str, Any]  # the Kubernetes object (apiVersion, kind, metadata, spec, ...)
    file: str  # the .tf or plan file, relative to the scan root
    line_start: int | None
    line_end: int | None
    address: str  # the Terraform resource that declares it
    unresolved: list[str]  # dotted paths of values only known when Terraform runs


_V1 = {
    "deployment": ("apps/v1", "Deployment"),
    "stateful_set": ("apps/v1", "StatefulSet"),
    "daemonset": ("apps/v1", "DaemonSet"),
    "daemon_set": ("apps/v1", "DaemonSet"),
    "replication_controller": ("v1", "ReplicationController"),
    "pod": ("v1", "Pod"),
    "job": ("batch/v1", "Job"),
    "cron_job": ("batch/v1", "CronJob"),
    "service": ("v1", "Service"),
    "service_account": ("v1", "ServiceAccount"),
    "namespace": ("v1", "Namespace"),
    "config_map": ("v1", "ConfigMap"),
    "pod_disruption_budget": ("policy/v1", "PodDisruptionBudget"),
    "horizontal_pod_autoscaler": ("autoscaling/v1", "HorizontalPodAutoscaler"),
    "network_policy": ("networking.k8s.io/v1", "NetworkPolicy"),
    "ingress": ("networking.k8s.io/v1", "Ingress"),
    "role": ("rbac.authorization.k8s.io/v1", "Role"),
    "cluster_role": ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    "role_binding": ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    "cluster_role_binding": ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
}
KINDS: dict[str, tuple[str, str]] = {
    **{f"kubernetes_{name}": kind for name, kind in _V1.items()},
    **{f"kubernetes_{name}_v1": kind for name, kind in _V1.items()},
    "kubernetes_horizontal_pod_autoscaler_v2": ("autoscaling/v2", "HorizontalPodAutoscaler"),
}
# blocks that are lists in the Kubernetes API (the provider repeats the singular block)
LIST_BLOCKS = {
    "container": "containers",
    "init_container": "initContainers",
    "ephemeral_container": "ephemeralContainers",
    "volume": "volumes",
    "volume_mount": "volumeMounts",
    "volume_device": "volumeDevices",
    "env": "env",
    "env_from": "envFrom",
    "port": "ports",
    "ports": "ports",
    "toleration": "tolerations",
    "topology_spread_constraint": "topologySpreadConstraints",
    "image_pull_secrets": "imagePullSecrets",
    "host_aliases": "hostAliases",
    "match_expressions": "matchExpressions",
    "ingress": "ingress",
    "egress": "egress",
    "from": "from",
    "to": "to",
    "metric": "metrics",
    "rule": "rules",
    "subject": "subjects",
    "path": "paths",
    "tls": "tls",
    "node_selector_term": "nodeSelectorTerms",
    "preferred_during_scheduling_ignored_during_execution": (
        "preferredDuringSchedulingIgnoredDuringExecution"
    ),
    "required_during_scheduling_ignored_during_execution": (
        "requiredDuringSchedulingIgnoredDuringExecution"
    ),
    "sysctl": "sysctls",
    "http_header": "httpHeaders",
    "secret": "secrets",
    "items": "items",
}
RENAMES = {
    "host_pid": "hostPID",
    "host_ipc": "hostIPC",
    "cluster_ip": "clusterIP",
    "cluster_ips": "clusterIPs",
    "external_ips": "externalIPs",
    "load_balancer_ip": "loadBalancerIP",
    "pod_ip": "podIP",
    "host_ip": "hostIP",
}
INT_FIELDS = {
    "replicas",
    "min_replicas",
    "max_replicas",
    "run_as_user",
    "run_as_group",
    "fs_group",
    "termination_grace_period_seconds",
    "min_ready_seconds",
    "revision_history_limit",
    "progress_deadline_seconds",
    "active_deadline_seconds",
    "backoff_limit",
    "container_port",
    "port",
    "target_port",
    "initial_delay_seconds",
    "period_seconds",
    "timeout_seconds",
    "failure_threshold",
    "success_threshold",
    "max_unavailable",
    "max_surge",
    "min_available",
    "weight",
    "max_skew",
    "target_cpu_utilization_percentage",
    "average_utilization",
}
NOT_KUBERNETES = {"wait_for_rollout", "wait_for_load_balancer", "timeouts", "id"}
_ENCODED = re.compile(r"^\$\{\s*(?:yamlencode|jsonencode)\((?P<inner>.*)\)\s*\}$", re.S)
_DECODED_FILE = re.compile(
    r'^\$\{\s*(?:yamldecode|jsondecode)\(\s*file\(\s*"(?P<path>[^"]+)"\s*\)\s*\)\s*\}$'
)


def _camel(key: str) -> str:
    if key in RENAMES:
        return RENAMES[key]
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _scalar(key: str, value: Any) -> Any:
    if key in INT_FIELDS and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def translate(body: dict[str, Any], parent: str = "") -> dict[str, Any]:
    """A provider block (snake_case, blocks as lists) as a Kubernetes API object."""
    result: dict[str, Any] = {}
    for key, value in body.items():
        if value is None or isinstance(value, Unknown):
            continue
        name = _camel(key)
        blocks = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        if blocks:
            items = [translate(v, key) for v in value]
            is_list = key in LIST_BLOCKS and not (
                key == "required_during_scheduling_ignored_during_execution"
                and parent == "node_affinity"
            )
            result[LIST_BLOCKS.get(key, name) if is_list else name] = items if is_list else items[0]
        elif isinstance(value, list) and not value:
            continue  # an absent block, or an empty list
        elif isinstance(value, dict):
            result[name] = value  # a map (labels, annotations, limits): keys as written
        else:
            result[name] = _scalar(key, value)
    return result


def _typed(resource: Resource) -> dict[str, Any]:
    api_version, kind = KINDS[resource.type]
    body = {k: v for k, v in resource.raw.items() if k not in NOT_KUBERNETES}
    return {"apiVersion": api_version, "kind": kind, **translate(body)}


def _hcl_value(expression: str) -> Any:
    import hcl2

    try:
        parsed = hcl2.loads(
            f"value = {expression}\n", serialization_options=serialization_options()
        )
    except Exception:  # not a literal python-hcl2 can read: leave it to Terraform
        return None
    return parsed.get("value") if isinstance(parsed, dict) else None


def _static(value: Any, folder: Path | None) -> list[Any]:
    """The documents a manifest attribute holds, when they can be read without Terraform."""
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, str):
        return []
    text = value.strip()
    if match := _ENCODED.match(text):
        decoded = _hcl_value(match.group("inner"))
        return [decoded] if isinstance(decoded, dict) else []
    if match := _DECODED_FILE.match(text):
        if folder is None:
            return []
        relative = match.group("path").replace("${path.module}", ".").replace("${path.root}", ".")
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            return []
        try:
            text = (folder / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return []
    elif text.startswith(INTERPOLATION) and text.endswith("}"):
        return []  # computed by Terraform
    try:
        return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict)]
    except yaml.YAMLError:
        return []


def _unresolved(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, str) and INTERPOLATION in value:
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _unresolved(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _unresolved(child, f"{path}.{index}" if path else str(index))


def objects_of(resource: Resource, folder: Path | None = None) -> list[dict[str, Any]]:
    """The Kubernetes objects one Terraform resource declares (none if not readable)."""
    if resource.type in KINDS:
        return [_typed(resource)]
    if resource.type == "kubectl_manifest":
        body = resource.raw.get("yaml_body") or resource.raw.get("yaml_body_parsed")
        documents = _static(body, folder)
        namespace = resource.raw.get("override_namespace")
        if isinstance(namespace, str) and namespace:
            for doc in documents:
                doc.setdefault("metadata", {})["namespace"] = namespace
        return [d for d in documents if d.get("kind") and d.get("apiVersion")]
    if resource.type == "kubernetes_manifest":
        documents = _static(resource.raw.get("manifest"), folder)
        return [d for d in documents if d.get("kind") and d.get("apiVersion")]
    return []


def kubernetes_objects(inputs: Iterable[Path], root: Path | None = None) -> list[EmbeddedObject]:
    """Every Kubernetes object declared in the given .tf, plan and state files.

    Files that cannot be read are skipped here: the Terraform collector reports them.
    """
    base = (root or Path.cwd()).resolve()
    paths = list(inputs)
    folders = {path.parent.resolve(): path.parent for path in paths}

    def relative(path: Path) -> str:
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    scan = load(paths, relative, lambda _path, _message, _line: None)
    found: list[EmbeddedObject] = []
    for resource in scan.resources:
        folder = None
        if resource.origin == "hcl":
            folder = next((p for r, p in folders.items() if relative(r) == resource.source), None)
        for obj in objects_of(resource, folder):
            found.append(
                EmbeddedObject(
                    object=obj,
                    file=resource.file,
                    line_start=resource.line_start,
                    line_end=resource.line_end,
                    address=resource.address,
                    unresolved=list(_unresolved(obj)),
                )
            )
    return found
