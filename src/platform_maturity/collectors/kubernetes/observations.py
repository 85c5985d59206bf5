"""Findings on Kubernetes objects turned into observations.

A scan makes one observation per check and instance, thousands for a few hundred
objects: what every finding on an object repeats (its unit, its exemption annotations,
how its evidence names it) is worked out once per object, not once per finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from platform_maturity.collectors.base import ScanContext
from platform_maturity.collectors.kubernetes.manifests import K8sObject
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.observations import Observation, make_evidence, make_observation
from platform_maturity.framework.yamlsource import PathKey

EXEMPT_PREFIX = "platform-maturity.io/exempt"
Finding = tuple[K8sObject, bool | None, str, PathKey, str]  # obj, passed, message, path, label


class _Subject(NamedTuple):
    """What the observations on one object share."""

    unit: str | None
    reasons: dict[str, str]  # exemption annotations with a reason, by annotation key
    address: str  # " (terraform ADDRESS)" for an object declared in Terraform, else ""


class Observer:
    """Makes the observations of one collector's scan (see the module's docstring)."""

    def __init__(self, collector: str, version: str, context: ScanContext) -> None:
        self.collector = collector
        self.version = version
        self.context = context
        self._exemptions = bool(context.exemptions)  # none: nothing to look up per failure
        self._subjects: dict[int, _Subject] = {}  # by id() of objects alive for the scan
        self._files: dict[str, Path] = {}

    def _subject(self, obj: K8sObject) -> _Subject:
        file = self._files.get(obj.file)
        if file is None:
            file = self._files[obj.file] = Path(obj.file)
        reasons = {
            key: reason
            for key, value in obj.annotations.items()
            if key.startswith(EXEMPT_PREFIX) and (reason := value.strip())
        }
        address = f" (terraform {obj.address})" if obj.address is not None else ""
        found = _Subject(self.context.unit_for(file, obj.namespace), reasons, address)
        self._subjects[id(obj)] = found
        return found

    def observation(self, check: CheckDefinition, finding: Finding) -> Observation:
        """One finding as an observation; a failure is waived by an exemption annotation
        (``platform-maturity.io/exempt-<check id>`` or ``platform-maturity.io/exempt``
        with a reason) or an exemption of the workspace."""
        obj, passed, message, path, label = finding
        subject = self._subjects.get(id(obj)) or self._subject(obj)
        waived = False
        if passed is False:
            reason = None
            if subject.reasons:
                own = f"{EXEMPT_PREFIX}-{check.id}"
                reason = subject.reasons.get(own) or subject.reasons.get(EXEMPT_PREFIX)
            exemption = self.context.exemption(check.id, obj.ref) if self._exemptions else None
            if reason is not None or exemption is not None:
                waived = True
                why = reason or (exemption.reason if exemption else "")
                message = f"{message} (exempt: {why})"
        start, end = obj.lines(path)
        object_ref = f"{obj.ref} {label}".strip()
        evidence = make_evidence(obj.file, start, end, None, None, object_ref + subject.address)
        return make_observation(
            self.collector,
            self.version,
            check.id,
            obj.ref,
            subject.unit,
            check.goals,
            passed,
            waived,
            None,  # value
            message,
            (evidence,),
            self.context.now,
        )
