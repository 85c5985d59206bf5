"""The Kubernetes collector: every check of the catalog on every object it finds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from platform_maturity.collectors.base import CollectorResult, Problem, ScanContext
from platform_maturity.collectors.kubernetes.manifests import (
    K8sObject,
    load_objects,
    looks_like_manifest,
)
from platform_maturity.collectors.kubernetes.relations import FUNCTIONS
from platform_maturity.collectors.kubernetes.targets import instances
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import EvidenceRef, Observation
from platform_maturity.framework.yamlsource import PathKey

EXEMPT_PREFIX = "platform-maturity.io/exempt"
SKIP_DIRS = {".git", "node_modules", ".venv", "vendor", ".terraform", "__pycache__"}


def walk(roots: Sequence[Path], accept: Any) -> list[Path]:
    """Files under ``roots`` (files given directly are kept) that ``accept`` likes."""
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        for path in sorted(root.rglob("*")):
            if any(part in SKIP_DIRS for part in path.relative_to(root).parts):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                found.append(path)  # reported by the collector, never followed
            elif path.is_file() and accept(path):
                found.append(path)
    return found


def outside_link(path: Path, roots: Sequence[Path]) -> bool:
    """A symbolic link that leads out of every scanned folder."""
    if not path.is_symlink():
        return False
    target = path.resolve()
    return not any(target.is_relative_to(r.resolve()) for r in roots if r.is_dir())


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))


def _exemption_reason(obj: K8sObject, check_id: str) -> str | None:
    annotations = obj.annotations
    for key in (f"{EXEMPT_PREFIX}-{check_id}", EXEMPT_PREFIX):
        reason = annotations.get(key, "").strip()
        if reason:
            return reason
    return None


class KubernetesCollector:
    id = "kubernetes"
    version = "1"

    def discover(self, roots: Sequence[Path]) -> list[Path]:
        return walk(roots, looks_like_manifest)

    def collect(self, inputs: Iterable[Path], context: ScanContext) -> CollectorResult:
        result = CollectorResult()
        objects: list[K8sObject] = []
        for path in inputs:
            result.inputs += 1
            display = context.relative(path)
            if outside_link(path, context.scan_roots):
                result.problems.append(
                    Problem(
                        display, "symbolic link to a file outside the scanned folders; not followed"
                    )
                )
                continue
            try:
                objects.extend(load_objects(path, display))
            except UserError as exc:
                result.problems.append(Problem(display, exc.message, exc.line))
        for check in context.catalog.by_source("kubernetes"):
            for obj, passed, message, where, label in self._evaluate(check, objects):
                result.observations.append(
                    self._observation(check, obj, passed, message, where, label, context)
                )
        return result

    def _evaluate(
        self, check: CheckDefinition, objects: Sequence[K8sObject]
    ) -> Iterable[tuple[K8sObject, bool, str, PathKey, str]]:
        if check.function is not None:
            for verdict in FUNCTIONS[check.function](objects):
                if check.kinds and verdict.obj.kind not in check.kinds:
                    continue
                yield verdict.obj, verdict.passed, verdict.message, verdict.path, ""
            return
        validator = _validator(json.dumps(check.schema_, sort_keys=True))
        passed_text = check.pass_message or check.title
        failed_text = check.fail_message or f"fails: {check.title}"
        for obj in objects:
            for instance in instances(check, obj):
                passed = validator.is_valid(instance.value)
                yield (
                    obj,
                    passed,
                    passed_text if passed else failed_text,
                    instance.path,
                    instance.label,
                )

    def _observation(
        self,
        check: CheckDefinition,
        obj: K8sObject,
        passed: bool,
        message: str,
        path: PathKey,
        label: str,
        context: ScanContext,
    ) -> Observation:
        start, end = obj.lines(path)
        reason = _exemption_reason(obj, check.id)
        exemption = context.exemption(check.id, obj.ref)
        waived = not passed and (reason is not None or exemption is not None)
        if waived:
            message = f"{message} (exempt: {reason or (exemption.reason if exemption else '')})"
        return Observation(
            collector=self.id,
            collector_version=self.version,
            check_id=check.id,
            subject=obj.ref,
            unit=context.unit_for(Path(obj.file), obj.namespace),
            goal_codes=check.goals,
            passed=passed,
            waived=waived,
            message=message,
            evidence=(
                EvidenceRef(
                    path=obj.file,
                    line_start=start,
                    line_end=end,
                    object_ref=f"{obj.ref} {label}".strip(),
                ),
            ),
            observed_at=context.now,
        )
