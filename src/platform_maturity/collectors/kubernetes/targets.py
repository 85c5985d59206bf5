"""Expand objects into what data checks look at: workloads, pod specs, containers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from platform_maturity.collectors.kubernetes.manifests import K8sObject
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.framework.yamlsource import PathKey


class Instance(NamedTuple):
    """One thing a check is evaluated on, with the path to it for line evidence (a named
    tuple: cheaper than a dataclass to define, and every scan imports it)."""

    obj: K8sObject
    value: Any
    path: PathKey
    label: str  # e.g. "container web" — added to the evidence's object reference


class Targets:
    """The instances of one object, expanded once and handed to every check of a scan
    (checks only read them: a container's instance, with its pod, is built once, not
    once per container check)."""

    __slots__ = ("_containers", "_pod", "_whole", "obj")

    def __init__(self, obj: K8sObject) -> None:
        self.obj = obj
        self._whole = (Instance(obj, obj.data, (), ""),)
        self._pod: tuple[Instance, ...] | None = None
        self._containers: tuple[tuple[Instance, ...], tuple[Instance, ...]] | None = None

    def of(self, check: CheckDefinition) -> Sequence[Instance]:
        """What ``check`` is evaluated on in this object (none when its kind is not one of
        the check's, or it has no pod spec for a check on workloads, pods or containers)."""
        obj = self.obj
        if check.kinds and obj.kind not in check.kinds:
            return ()
        target = check.target
        if target == "object":
            return self._whole
        if obj.pod_spec_path is None:
            return ()
        if target == "workload":
            return self._whole if obj.kind != "Pod" or check.kinds else ()
        if target == "pod":
            return self._pod_instance()
        if target == "container":
            containers, with_init = self._container_instances()
            return with_init if check.init_containers else containers
        return ()

    def _pod_instance(self) -> tuple[Instance, ...]:
        if self._pod is None:
            path = self.obj.pod_spec_path or ()
            self._pod = (Instance(self.obj, self.obj.get(path), path, ""),)
        return self._pod

    def _container_instances(self) -> tuple[tuple[Instance, ...], tuple[Instance, ...]]:
        """The containers' instances, without and with the init containers."""
        if self._containers is None:
            obj = self.obj
            pod_path = obj.pod_spec_path or ()
            pod = obj.get(pod_path)
            groups: dict[str, list[Instance]] = {"containers": [], "initContainers": []}
            for group, found in groups.items():
                containers = pod.get(group)
                if not isinstance(containers, list):
                    continue  # absent, or not a list (the API server would refuse it)
                for index, container in enumerate(containers):
                    if not isinstance(container, dict):
                        continue
                    value = {**container, "_pod": pod, "_kind": obj.kind}
                    name = container.get("name", index)
                    label = f"{'init ' if group == 'initContainers' else ''}container {name}"
                    found.append(Instance(obj, value, (*pod_path, group, index), label))
            containers = tuple(groups["containers"])
            self._containers = containers, (*containers, *groups["initContainers"])
        return self._containers


class Selection:
    """The objects' instances by what a check selects (its target, kinds and whether it
    looks at init containers): checks that select alike (most container checks) share one
    list instead of asking every object again."""

    def __init__(self, targets: Sequence[Targets]) -> None:
        self._targets = targets
        self._lists: dict[object, list[tuple[K8sObject, Sequence[Instance]]]] = {}

    def of(self, check: CheckDefinition) -> list[tuple[K8sObject, Sequence[Instance]]]:
        """Each object with instances for ``check``, and those instances, in object order."""
        key = (check.target, check.kinds, check.init_containers)
        found = self._lists.get(key)
        if found is None:
            found = [(t.obj, chosen) for t in self._targets if (chosen := t.of(check))]
            self._lists[key] = found
        return found
