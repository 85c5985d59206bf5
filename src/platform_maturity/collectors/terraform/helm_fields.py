"""What a chart may render where a release's values are silent: the Kubernetes API fields
of the objects a ``helm create``-style chart renders, and for each, a good and a bad
value a chart could put there.

The good and bad values are not guesses of what a chart does: they are the range of what
it might do, so that a check whose verdict hangs on such a field is found undecided
(:func:`~platform_maturity.collectors.terraform.unknowns.decide` tries each). For every
field, "not rendered" is tried too. Good values pass every built-in check and bad ones
fail them; fields no check reads take any value (``ANY``).
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Field(NamedTuple):
    """What a chart may put in one field: ``options`` (good first, then bad; None: any
    value at all), and for a map, its own fields (``fields``), left open one by one when
    the release sets the map in part."""

    options: tuple[Any, ...] | None
    fields: dict[str, Field] | None = None


def good(fields: dict[str, Field]) -> dict[str, Any]:
    """A map with the good value of every field that has options."""
    return {
        name: good(f.fields) if f.fields else f.options[0]
        for name, f in fields.items()
        if f.options
    }


def bad(fields: dict[str, Field]) -> dict[str, Any]:
    """A map with the bad value of every field that has one."""
    return {
        name: bad(f.fields) if f.fields else f.options[-1]
        for name, f in fields.items()
        if f.options and len(f.options) > 1
    }


def of_map(fields: dict[str, Field]) -> Field:
    return Field((good(fields), bad(fields)), fields)


ANY = Field(None)
TRUE_IS_GOOD = Field((True, False))
FALSE_IS_GOOD = Field((False, True))
USER = Field((1001, 0))
SECCOMP = Field(({"type": "RuntimeDefault"}, {"type": "Unconfined"}))

CAPABILITIES = {"drop": Field((["ALL"], [])), "add": Field(([], ["SYS_ADMIN"]))}
CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": FALSE_IS_GOOD,
    "privileged": FALSE_IS_GOOD,
    "readOnlyRootFilesystem": TRUE_IS_GOOD,
    "runAsNonRoot": TRUE_IS_GOOD,
    "runAsUser": USER,
    "runAsGroup": USER,
    "capabilities": of_map(CAPABILITIES),
    "seccompProfile": SECCOMP,
    "seLinuxOptions": ANY,
    "procMount": ANY,
    "appArmorProfile": ANY,
    "windowsOptions": ANY,
}
POD_SECURITY = {
    "runAsNonRoot": TRUE_IS_GOOD,
    "runAsUser": USER,
    "runAsGroup": USER,
    "fsGroup": USER,
    "seccompProfile": SECCOMP,
    "fsGroupChangePolicy": ANY,
    "supplementalGroups": ANY,
    "supplementalGroupsPolicy": ANY,
    "sysctls": ANY,
    "seLinuxOptions": ANY,
    "seLinuxChangePolicy": ANY,
    "appArmorProfile": ANY,
    "windowsOptions": ANY,
}
QUANTITIES = {
    "cpu": Field(("250m", "0")),
    "memory": Field(("256Mi", "0")),
    "ephemeral-storage": Field(("1Gi", "0")),
}
RESOURCES = {"requests": of_map(QUANTITIES), "limits": of_map(QUANTITIES), "claims": ANY}
PROBE = Field(({"httpGet": {"path": "/", "port": "http"}},))
PRE_STOP = {"exec": {"command": ["sleep", "5"]}}
LIFECYCLE = {"preStop": Field((PRE_STOP,)), "postStart": ANY, "stopSignal": ANY}
STRATEGY = {
    "type": Field(("RollingUpdate", "Recreate")),
    "rollingUpdate": Field(({"maxUnavailable": "25%"}, {"maxUnavailable": "100%"})),
}


def anti_affinity(selector: dict[str, Any], hard: bool, *keys: str) -> dict[str, Any]:
    """Pod anti-affinity on each topology key, as a chart renders it for its own pods."""
    terms = [{"labelSelector": {"matchLabels": selector}, "topologyKey": key} for key in keys]
    if hard:
        return {"requiredDuringSchedulingIgnoredDuringExecution": terms}
    weighted = [{"weight": 1, "podAffinityTerm": term} for term in terms]
    return {"preferredDuringSchedulingIgnoredDuringExecution": weighted}


HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def affinity_fields(selector: dict[str, Any]) -> dict[str, Field]:
    spread = anti_affinity(selector, True, HOST, ZONE)
    return {"podAntiAffinity": Field((spread, {})), "podAffinity": ANY, "nodeAffinity": ANY}


def spread_constraints(selector: dict[str, Any]) -> Field:
    constraints = [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": selector},
        }
        for key in (HOST, ZONE)
    ]
    return Field((constraints, []))


# Container fields a chart renders, with the values key that sets each by convention
# (None: no common values key; the chart decides). Special fields are filled elsewhere.
CONTAINER_FIELDS: dict[str, tuple[str | None, Field]] = {
    "command": ("command", ANY),
    "args": ("args", ANY),
    "env": (None, ANY),
    "envFrom": (None, ANY),
    "ports": (None, ANY),
    "volumeMounts": (None, ANY),
    "volumeDevices": (None, ANY),
    "workingDir": (None, ANY),
    "resizePolicy": (None, ANY),
    "restartPolicy": (None, ANY),
    "stdin": (None, ANY),
    "stdinOnce": (None, ANY),
    "tty": (None, ANY),
    "terminationMessagePath": (None, ANY),
    "terminationMessagePolicy": (None, ANY),
}
POD_FIELDS: dict[str, tuple[str | None, Field]] = {
    "hostNetwork": ("hostNetwork", FALSE_IS_GOOD),
    "hostIPC": ("hostIPC", FALSE_IS_GOOD),
    "hostPID": ("hostPID", FALSE_IS_GOOD),
    "automountServiceAccountToken": ("automountServiceAccountToken", FALSE_IS_GOOD),
    "terminationGracePeriodSeconds": ("terminationGracePeriodSeconds", Field((30, 0))),
    "nodeSelector": ("nodeSelector", ANY),
    "tolerations": ("tolerations", ANY),
    "priorityClassName": ("priorityClassName", ANY),
    "schedulerName": ("schedulerName", ANY),
    "imagePullSecrets": ("imagePullSecrets", ANY),
    "hostAliases": ("hostAliases", ANY),
    "dnsPolicy": ("dnsPolicy", ANY),
    "dnsConfig": ("dnsConfig", ANY),
    "runtimeClassName": ("runtimeClassName", ANY),
    "shareProcessNamespace": ("shareProcessNamespace", ANY),
    "enableServiceLinks": ("enableServiceLinks", ANY),
    "hostUsers": ("hostUsers", ANY),
    "initContainers": ("initContainers", ANY),
    "activeDeadlineSeconds": (None, ANY),
    "ephemeralContainers": (None, ANY),
    "hostname": (None, ANY),
    "nodeName": (None, ANY),
    "os": (None, ANY),
    "overhead": (None, ANY),
    "preemptionPolicy": (None, ANY),
    "priority": (None, ANY),
    "readinessGates": (None, ANY),
    "resourceClaims": (None, ANY),
    "resources": (None, ANY),
    "restartPolicy": (None, ANY),
    "schedulingGates": (None, ANY),
    "setHostnameAsFQDN": (None, ANY),
    "subdomain": (None, ANY),
    "volumes": (None, ANY),
}
DEPLOYMENT_FIELDS: dict[str, tuple[str | None, Field]] = {
    "minReadySeconds": ("minReadySeconds", ANY),
    "revisionHistoryLimit": ("revisionHistoryLimit", ANY),
    "progressDeadlineSeconds": ("progressDeadlineSeconds", ANY),
    "paused": (None, ANY),
}
