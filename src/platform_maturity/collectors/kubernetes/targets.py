"""Expand objects into what data checks look at: workloads, pod specs, containers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from platform_maturity.collectors.kubernetes.manifests import K8sObject
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.framework.yamlsource import PathKey


@dataclass(frozen=True)
class Instance:
    """One thing a check is evaluated on, with the path to it for line evidence."""

    obj: K8sObject
    value: Any
    path: PathKey
    label: str  # e.g. "container web" — added to the evidence's object reference


def instances(check: CheckDefinition, obj: K8sObject) -> Iterator[Instance]:
    if check.kinds and obj.kind not in check.kinds:
        return
    target = check.target
    if target == "object":
        yield Instance(obj, obj.data, (), "")
        return
    pod_path = obj.pod_spec_path
    if pod_path is None:
        return
    pod = obj.get(pod_path)
    if target == "workload":
        if obj.kind != "Pod" or check.kinds:
            yield Instance(obj, obj.data, (), "")
        return
    if target == "pod":
        yield Instance(obj, pod, pod_path, "")
        return
    if target == "container":
        groups = ["containers", *(["initContainers"] if check.init_containers else [])]
        for group in groups:
            containers = pod.get(group)
            if not isinstance(containers, list):
                continue  # absent, or not a list (the API server would refuse it)
            for index, container in enumerate(containers):
                if not isinstance(container, dict):
                    continue
                value = {**container, "_pod": pod, "_kind": obj.kind}
                name = container.get("name", index)
                label = f"{'init ' if group == 'initContainers' else ''}container {name}"
                yield Instance(obj, value, (*pod_path, group, index), label)
