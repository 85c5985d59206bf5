"""A ``helm_release`` as the Kubernetes objects its values describe, for the Kubernetes checks.

No chart is rendered (there is no Helm here, and Go templates are not evaluated). What is
read is the release's values (:mod:`.helm_values`), through the conventions of charts made
by ``helm create`` and of the large chart repositories (Bitnami and others):

- a Deployment named as ``helm create`` names it (``fullnameOverride``, else the release
  name, followed by ``-<chart>`` unless the release name contains the chart's name), in
  the release's ``namespace`` (``namespaceOverride`` wins), its pods labelled
  ``app.kubernetes.io/name`` and ``app.kubernetes.io/instance`` (plus ``podLabels``);
- ``replicaCount``; ``image.registry/repository/tag/digest`` (or ``image`` as a string);
  ``resources`` (Bitnami's ``resourcesPreset`` leaves them to the chart);
  ``securityContext`` or ``containerSecurityContext`` for the container and
  ``podSecurityContext`` for the pod (``enabled: false`` turns Bitnami's off);
  ``livenessProbe``/``readinessProbe``/``startupProbe`` (``enabled: false``, or a
  ``custom...Probe``); ``lifecycle``/``lifecycleHooks``; ``affinity`` (or Bitnami's
  ``podAntiAffinityPreset``); ``topologySpreadConstraints``; ``strategy`` or
  ``updateStrategy``; ``terminationGracePeriodSeconds``; ``hostNetwork``...;
  ``serviceAccount.create/name``; ``sidecars`` and ``initContainers``;
- a HorizontalPodAutoscaler when ``autoscaling.enabled`` (or ``autoscaling.hpa.enabled``)
  is true, a VerticalPodAutoscaler for ``autoscaling.vpa.enabled``, a
  PodDisruptionBudget for ``pdb.create`` or ``podDisruptionBudget.enabled``, and a
  NetworkPolicy for ``networkPolicy.enabled``, each for the release's own pods.

Never a guess: whatever the values do not set is the chart's to decide. It goes into the
objects as a placeholder (:mod:`.chart`) that the Kubernetes collector treats like a value
only Terraform knows: a verdict that hangs on it is undecided. An object the chart may or
may not create (the values do not say) is created with a placeholder ``kind``. A map the
values set fixes the keys it sets; the keys it leaves out stay the chart's (Helm merges a
release's values over the chart's defaults). An empty map or null given explicitly
(``resources: {}``) is taken as "none". A container that must run as non-root cannot be
made to run as user 0 by its chart (Kubernetes refuses to start it). ``replicaCount``
decides the replica count once the values say whether autoscaling is on: an autoscaler the
chart adds would own the count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from platform_maturity.collectors.terraform import helm_fields as f
from platform_maturity.collectors.terraform.chart import is_chart, placeholder
from platform_maturity.collectors.terraform.embedded import ProblemSink
from platform_maturity.collectors.terraform.helm_values import release_values
from platform_maturity.collectors.terraform.model import INTERPOLATION, Resource, Unknown

EXEMPT = "platform-maturity.io/exempt"
_VERSION = re.compile(r"-v?\d+\.\d+\.\d+.*$")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # the values do not set it
OMIT: Any = object()  # the object does not have the field
ON: Any = object()  # a Bitnami-style section that is only ``enabled: true``


def _terraform(value: Any) -> bool:
    return isinstance(value, str) and INTERPOLATION in value and not is_chart(value)


class Translation:
    """One release's values, read through the conventions into Kubernetes fields."""

    def __init__(self, values: dict[str, Any], terraform: list[str]) -> None:
        self.values = values
        self.notes = terraform  # entries only Terraform knows: any key may come from them

    def get(self, *path: str) -> Any:
        node: Any = self.values
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return MISSING
            node = node[key]
        return node

    def chart(self, keys: list[str], field: f.Field, absent: bool = True) -> str:
        """The chart decides it (``keys`` would set it)."""
        return placeholder(keys, field.options, absent=absent, terraform=self.notes)

    def field(self, key: str | None, name: str, field: f.Field) -> Any:
        """A field set by one values key (``key``), or left to the chart."""
        if key is None:
            return self.chart([name], field)
        value = self.get(*key.split("."))
        if value is MISSING:
            return self.chart([key], field)
        if value is None:
            return OMIT
        if _terraform(value) and field.options is not None:
            return placeholder([], field.options, terraform=[key])
        if field.fields and isinstance(value, dict):
            return self.open_map(value, field.fields, key)
        return value

    def open_map(self, given: Mapping[str, Any], fields: dict[str, f.Field], key: str) -> Any:
        """A map the values set: the keys it sets, and the chart's for those it leaves out.
        An empty map given explicitly is closed (none)."""
        if not given:
            return {}
        out = dict(given)
        for name, spec in fields.items():
            if name not in given:
                out[name] = self.chart([f"{key}.{name}"], spec)
            elif _terraform(given[name]) and spec.options is not None:
                out[name] = placeholder([], spec.options, terraform=[f"{key}.{name}"])
            elif spec.fields and isinstance(given[name], dict):
                out[name] = self.open_map(given[name], spec.fields, f"{key}.{name}")
        if out.get("runAsNonRoot") is True and is_chart(out.get("runAsUser")):
            # Kubernetes refuses to start a non-root container as user 0
            out["runAsUser"] = self.chart([f"{key}.runAsUser"], f.Field((1001,)))
        return out

    def switch(self, *keys: str) -> tuple[Any, str]:
        """A feature flag (the first of ``keys`` the values set): True, False, None (the
        chart decides) or a ``${...}`` string (Terraform decides), with its key."""
        for key in keys:
            value = self.get(*key.split("."))
            if value is not MISSING:
                if isinstance(value, bool) or _terraform(value):
                    return value, key
                return bool(value), key
        return None, keys[0]

    def flagged(self, key: str) -> Any:
        """A value that may be a Bitnami-style map with ``enabled``: OMIT when turned off,
        ON when it is only ``enabled: true`` (on, with the chart's settings), the map
        without the flag otherwise."""
        value = self.get(*key.split("."))
        if isinstance(value, dict) and "enabled" in value:
            if value["enabled"] is False:
                return OMIT
            rest = {k: v for k, v in value.items() if k != "enabled"}
            return rest if rest else ON
        return value

    def section(self, key: str, fields: dict[str, f.Field], missing: list[str]) -> Any:
        """A map-valued field set by ``key`` (``missing``: the keys named when the values
        do not set it at all)."""
        given = self.flagged(key)
        field = f.of_map(fields)
        if given is MISSING:
            return self.chart(missing, field)
        if given is OMIT or given is None:
            return OMIT
        if given is ON:
            return {name: self.chart([f"{key}.{name}"], spec) for name, spec in fields.items()}
        if isinstance(given, dict):
            return self.open_map(given, fields, key)
        if _terraform(given):
            return placeholder([], field.options, terraform=[key])
        return given


def chart_name(chart: Any) -> str | None:
    """The chart's name from the ``chart`` argument: ``nginx``, ``bitnami/nginx``,
    ``oci://host/charts/nginx``, ``./charts/api``, ``.../nginx-1.2.3.tgz``."""
    if not isinstance(chart, str) or not chart or INTERPOLATION in chart:
        return None
    last = chart.rstrip("/").rsplit("/", 1)[-1]
    if last.endswith(".tgz"):
        last = _VERSION.sub("", last.removesuffix(".tgz"))
    return last or None


def _dns(text: str) -> str:
    return text[:63].rstrip("-")


def _attribute(resource: Resource, name: str) -> Any:
    """A release argument as written (HCL) or planned; ``${...}`` where unknown."""
    if resource.origin == "hcl":
        return resource.raw.get(name)
    value = resource.values.get(name)
    return "${known after apply}" if isinstance(value, Unknown) else value


class Release:
    """The objects of one release."""

    def __init__(self, resource: Resource, translation: Translation) -> None:
        self.resource = resource
        self.t = translation
        release = _attribute(resource, "name")
        self.release = release if isinstance(release, str) and release else "${name}"
        override = translation.get("nameOverride")
        chart = override if isinstance(override, str) and override else None
        chart = chart or chart_name(_attribute(resource, "chart"))
        self.chart_name = chart or self.release
        full = translation.get("fullnameOverride")
        if isinstance(full, str) and full:
            self.name = _dns(full)
        elif chart is None:
            self.name = _dns(f"{self.release}-${{chart}}")
        else:
            self.name = _dns(self.release if chart in self.release else f"{self.release}-{chart}")
        namespace = translation.get("namespaceOverride")
        if not (isinstance(namespace, str) and namespace):
            namespace = _attribute(resource, "namespace")
        self.namespace = namespace if isinstance(namespace, str) and namespace else "default"
        self.selector = {
            "app.kubernetes.io/name": self.chart_name,
            "app.kubernetes.io/instance": self.release,
        }

    def metadata(self, name: str | None = None) -> dict[str, Any]:
        annotations: dict[str, Any] = {}
        common = self.t.get("commonAnnotations")
        if isinstance(common, dict):
            annotations.update(common)
        for pattern, reason in self.resource.exemptions.items():
            if pattern == "*":
                annotations[EXEMPT] = reason
            elif not any(c in pattern for c in "*?["):
                annotations[f"{EXEMPT}-{pattern}"] = reason
        labels = {**self.selector, "app.kubernetes.io/managed-by": "Helm"}
        meta = {"name": name or self.name, "namespace": self.namespace, "labels": labels}
        return {**meta, "annotations": annotations} if annotations else meta

    # ---- the container -------------------------------------------------------------

    def image(self) -> Any:
        t = self.t
        given = t.get("image")
        if isinstance(given, str) and not _terraform(given) and not is_chart(given):
            return given
        options = ("gcr.io/distroless/static:1.0.0@sha256:" + "0" * 64, "docker.io/app:latest")
        if not isinstance(given, dict):
            if _terraform(given):
                return placeholder([], options, absent=False, terraform=["image"])
            return placeholder(["image"], options, absent=False, terraform=t.notes)
        chart: list[str] = []
        terraform: list[str] = []

        def part(name: str, empty_is_set: bool = False) -> str | None:
            value = given.get(name, MISSING)
            if _terraform(value):
                terraform.append(f"image.{name}")
                return None
            if isinstance(value, str) and (value or empty_is_set):
                return value
            if value is None and empty_is_set:
                return ""
            chart.append(f"image.{name}")
            return None

        registry = given.get("registry")
        repository, tag, digest = part("repository"), part("tag"), part("digest", True)
        prefix = f"{registry}/" if isinstance(registry, str) and registry else ""
        if _terraform(registry):
            terraform.append("image.registry")
        if not chart and not terraform and repository is not None and tag is not None:
            base = f"{prefix}{repository}"
            return f"{base}@{digest}" if digest else f"{base}:{tag}"
        pinned = f"@{digest}" if digest else ""
        good = (
            f"{prefix}{repository or 'gcr.io/distroless/static'}:{tag or '1.0.0'}"
            f"{pinned if digest is not None else '@sha256:' + '0' * 64}"
        )
        worst = f"{prefix}{repository or 'docker.io/app'}:{tag or 'latest'}{pinned}"
        return placeholder(
            chart, (good, worst), absent=False, terraform=[*terraform, *(t.notes if chart else [])]
        )

    def resources(self) -> Any:
        t = self.t
        given = t.get("resources")
        preset = t.get("resourcesPreset")
        if (
            isinstance(preset, str)
            and preset not in ("", "none")
            and (given is MISSING or given is None or given == {})
        ):  # Bitnami: the chart's preset applies
            key = f"resources (resourcesPreset {preset} is the chart's)"
            return t.chart([key], f.of_map(f.RESOURCES))
        return t.section("resources", f.RESOURCES, ["resources"])

    def security(self) -> Any:
        key = "securityContext"
        if self.t.get("containerSecurityContext") is not MISSING:
            key = "containerSecurityContext"
        missing = ["securityContext or containerSecurityContext"]
        return self.t.section(key, f.CONTAINER_SECURITY, missing)

    def probe(self, name: str) -> Any:
        custom = self.t.get(f"custom{name[0].upper()}{name[1:]}")
        if isinstance(custom, dict) and custom:
            return custom
        given = self.t.flagged(name)
        if given is ON:
            return {"enabled": True}  # on, with the chart's own handler and timings
        if given is OMIT:
            return OMIT
        if isinstance(given, dict):
            return given
        return self.t.field(name, name, f.PROBE)

    def lifecycle(self) -> Any:
        key = "lifecycleHooks" if self.t.get("lifecycleHooks") is not MISSING else "lifecycle"
        return self.t.section(key, f.LIFECYCLE, ["lifecycle or lifecycleHooks"])

    def container(self) -> dict[str, Any]:
        t = self.t
        fields: dict[str, Any] = {
            "name": self.chart_name,
            "image": self.image(),
            "imagePullPolicy": t.field("image.pullPolicy", "imagePullPolicy", f.ANY)
            if isinstance(t.get("image"), dict)
            else t.chart(["image.pullPolicy"], f.ANY),
            "securityContext": self.security(),
            "resources": self.resources(),
            "livenessProbe": self.probe("livenessProbe"),
            "readinessProbe": self.probe("readinessProbe"),
            "startupProbe": self.probe("startupProbe"),
            "lifecycle": self.lifecycle(),
        }
        for name, (key, spec) in f.CONTAINER_FIELDS.items():
            fields[name] = t.field(key, name, spec)
        return {k: v for k, v in fields.items() if v is not OMIT}

    # ---- the pod and the Deployment ------------------------------------------------

    def pod(self) -> dict[str, Any]:
        t = self.t
        pod: dict[str, Any] = {}
        for name, (key, spec) in f.POD_FIELDS.items():
            pod[name] = t.field(key, name, spec)
        security = t.section("podSecurityContext", f.POD_SECURITY, ["podSecurityContext"])
        pod["securityContext"] = security
        pod["affinity"] = self.affinity()
        pod["topologySpreadConstraints"] = t.field(
            "topologySpreadConstraints",
            "topologySpreadConstraints",
            f.spread_constraints(self.selector),
        )
        pod["serviceAccountName"] = self.service_account()
        containers: list[Any] = [self.container()]
        sidecars = t.get("sidecars")
        if isinstance(sidecars, list):
            containers.extend(c for c in sidecars if isinstance(c, dict))
        pod["containers"] = containers
        return {k: v for k, v in pod.items() if v is not OMIT}

    def affinity(self) -> Any:
        t = self.t
        given = t.get("affinity")
        fields = f.affinity_fields(self.selector)
        if isinstance(given, dict) and given:
            return t.section("affinity", fields, ["affinity"])
        preset = t.get("podAntiAffinityPreset")
        if preset in ("soft", "hard"):
            anti = f.anti_affinity(self.selector, preset == "hard", f.HOST)
            return {"podAntiAffinity": anti}
        if given is MISSING and preset is MISSING:
            return t.chart(["affinity or podAntiAffinityPreset"], f.of_map(fields))
        if _terraform(given) or _terraform(preset):
            return placeholder([], f.of_map(fields).options, terraform=["affinity"])
        return OMIT  # affinity: {} (or null), and no preset

    def service_account(self) -> Any:
        t = self.t
        name, create = t.get("serviceAccount", "name"), t.get("serviceAccount", "create")
        if isinstance(name, str) and name:
            return name
        if create is True:
            return self.name
        if create is False:
            return "default"
        return t.chart(["serviceAccount.name", "serviceAccount.create"], f.ANY)

    def deployment(self, hpa: Any) -> dict[str, Any]:
        t = self.t
        spec: dict[str, Any] = {"replicas": self.replicas(hpa)}
        key = "updateStrategy" if t.get("updateStrategy") is not MISSING else "strategy"
        spec["strategy"] = t.section(key, f.STRATEGY, ["strategy or updateStrategy"])
        for name, (values_key, field) in f.DEPLOYMENT_FIELDS.items():
            spec[name] = t.field(values_key, name, field)
        spec["selector"] = {"matchLabels": dict(self.selector)}
        labels = dict(self.selector)
        pod_labels = t.get("podLabels")
        if isinstance(pod_labels, dict):
            labels.update(pod_labels)
        template_meta: dict[str, Any] = {"labels": labels}
        annotations = t.get("podAnnotations")
        if isinstance(annotations, dict) and annotations:
            template_meta["annotations"] = annotations
        spec["template"] = {"metadata": template_meta, "spec": self.pod()}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self.metadata(),
            "spec": {k: v for k, v in spec.items() if v is not OMIT},
        }

    def replicas(self, hpa: Any) -> Any:
        """``replicaCount``, unless an autoscaler owns the count (``helm create`` leaves
        ``replicas`` out then); when the values do not say, either may hold."""
        t = self.t
        count = t.get("replicaCount")
        if hpa is True:
            return OMIT
        open_keys = ["autoscaling.enabled"] if hpa is None else []
        terraform = [*(["autoscaling.enabled"] if _terraform(hpa) else []), *t.notes]
        if count is MISSING:
            return placeholder(["replicaCount", *open_keys], None, terraform=terraform)
        if count is None:
            return OMIT
        if hpa is False or _terraform(count):
            return count
        low = self.hpa_bound("minReplicas")
        if isinstance(count, int) and count >= 2 and isinstance(low, int) and low >= 2:
            return count  # at least two either way
        return placeholder(open_keys, (count,), terraform=terraform)

    def hpa_bound(self, name: str) -> Any:
        nested = self.t.get("autoscaling", "hpa")
        return (
            self.t.get("autoscaling", "hpa", name)
            if isinstance(nested, dict)
            else (self.t.get("autoscaling", name))
        )

    # ---- objects beside the Deployment ---------------------------------------------

    def maybe(self, kind: str, state: Any, keys: list[str]) -> Any:
        """The ``kind`` of an object the chart creates when ``state`` is True; when the
        values do not say (None) or Terraform does, a placeholder: it may not exist."""
        if state is True:
            return kind
        if _terraform(state):
            return placeholder([], (kind,), terraform=keys[:1])
        return self.t.chart(keys, f.Field((kind,)))

    def autoscaler(self, state: Any, key: str) -> dict[str, Any]:
        prefix = key.rsplit(".", 1)[0]
        spec: dict[str, Any] = {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name}
        }
        for name in ("minReplicas", "maxReplicas"):
            value = self.hpa_bound(name)
            spec[name] = self.t.chart([f"{prefix}.{name}"], f.ANY) if value is MISSING else value
        return {
            "apiVersion": "autoscaling/v2",
            "kind": self.maybe("HorizontalPodAutoscaler", state, [key]),
            "metadata": self.metadata(),
            "spec": spec,
        }

    def budget(self, state: Any, keys: list[str]) -> dict[str, Any]:
        prefix = keys[0].split(".", 1)[0]
        spec: dict[str, Any] = {"selector": {"matchLabels": dict(self.selector)}}
        bounds = {name: self.t.get(prefix, name) for name in ("minAvailable", "maxUnavailable")}
        given = {k: v for k, v in bounds.items() if v not in (MISSING, None, "")}
        if given:
            spec.update(given)
        else:
            for name in bounds:
                spec[name] = self.t.chart([f"{prefix}.{name}"], f.ANY)
        return {
            "apiVersion": "policy/v1",
            "kind": self.maybe("PodDisruptionBudget", state, keys),
            "metadata": self.metadata(),
            "spec": spec,
        }

    def network_policy(self, state: Any) -> dict[str, Any]:
        types = self.t.get("networkPolicy", "policyTypes")
        spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(self.selector)}}
        if isinstance(types, list):
            spec["policyTypes"] = types
        else:
            options = (["Ingress", "Egress"], ["Ingress"])
            spec["policyTypes"] = self.t.chart(["networkPolicy.policyTypes"], f.Field(options))
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": self.maybe("NetworkPolicy", state, ["networkPolicy.enabled"]),
            "metadata": self.metadata(),
            "spec": spec,
        }

    def vertical(self, state: Any) -> dict[str, Any]:
        return {
            "apiVersion": "autoscaling.k8s.io/v1",
            "kind": self.maybe("VerticalPodAutoscaler", state, ["autoscaling.vpa.enabled"]),
            "metadata": self.metadata(),
            "spec": {
                "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name}
            },
        }

    def objects(self) -> list[dict[str, Any]]:
        t = self.t
        hpa_key = (
            "autoscaling.hpa.enabled"
            if isinstance(t.get("autoscaling", "hpa"), dict)
            else ("autoscaling.enabled")
        )
        hpa, _ = t.switch(hpa_key)
        budget_keys = ["pdb.create", "podDisruptionBudget.enabled"]
        pdb, pdb_key = t.switch(*budget_keys)
        policy, _ = t.switch("networkPolicy.enabled")
        vpa, _ = t.switch("autoscaling.vpa.enabled")
        found = [self.deployment(hpa)]
        if hpa is not False:
            found.append(self.autoscaler(hpa, hpa_key))
        if vpa is not False:
            found.append(self.vertical(vpa))
        if pdb is not False:
            found.append(self.budget(pdb, budget_keys if pdb is None else [pdb_key]))
        if policy is not False:
            found.append(self.network_policy(policy))
        return found


def release_objects(
    resource: Resource,
    folder: Path | None,
    problem: ProblemSink,
) -> list[dict[str, Any]]:
    """The objects a ``helm_release`` resource declares through its values."""
    read = release_values(resource, folder, problem)
    return Release(resource, Translation(read.values, read.terraform)).objects()
