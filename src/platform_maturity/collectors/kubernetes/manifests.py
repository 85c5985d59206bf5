"""Read Kubernetes objects from manifest files and ``kubectl get -o yaml|json`` dumps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_maturity.domain.errors import UserError
from platform_maturity.framework.yamlsource import Located, PathKey, parse_yaml_all, span

POD_SPEC_PATHS: dict[str, PathKey] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class K8sObject:
    """One object with where it came from (file and line range)."""

    data: dict[str, Any]
    doc: Located
    base: PathKey  # where the object sits inside the document (a List's item, or ())
    file: str

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.data.get("metadata") or {}).get("name", "?"))

    @property
    def namespace(self) -> str:
        return str((self.data.get("metadata") or {}).get("namespace") or "default")

    @property
    def ref(self) -> str:
        """``Kind/namespace/name``: the subject of this object's findings."""
        return f"{self.kind}/{self.namespace}/{self.name}"

    @property
    def annotations(self) -> dict[str, str]:
        meta = self.data.get("metadata") or {}
        found = meta.get("annotations") or {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def lines(self, path: PathKey = ()) -> tuple[int | None, int | None]:
        return span(self.doc, (*self.base, *path))

    def get(self, path: PathKey) -> Any:
        node: Any = self.data
        for key in path:
            if isinstance(node, dict):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                return None
        return node

    @property
    def pod_spec_path(self) -> PathKey | None:
        path = POD_SPEC_PATHS.get(self.kind)
        return path if path is not None and isinstance(self.get(path), dict) else None


def _objects_in(doc: Located, file: str) -> list[K8sObject]:
    data = doc.data
    if not isinstance(data, dict):
        return []
    if str(data.get("kind", "")).endswith("List") and isinstance(data.get("items"), list):
        return [
            K8sObject(item, doc, ("items", index), file)
            for index, item in enumerate(data["items"])
            if isinstance(item, dict) and item.get("kind")
        ]
    if data.get("kind") and data.get("apiVersion"):
        return [K8sObject(data, doc, (), file)]
    return []


def load_objects(path: Path, display: str) -> list[K8sObject]:
    """Every Kubernetes object in a YAML or JSON file (multi-document, ``List`` kinds)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UserError(
            f"file too large to scan ({size:,} bytes)",
            file=display,
            hint=f"Files over {MAX_BYTES // (1024 * 1024)} MB are skipped.",
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise UserError("binary file, not a manifest", file=display)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text", file=display) from None
    if path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"not valid JSON: {exc.msg}", file=display, line=exc.lineno) from None
        # JSON is YAML: parsing it as YAML keeps line numbers for the evidence
    objects: list[K8sObject] = []
    for doc in parse_yaml_all(text, display):
        objects.extend(_objects_in(doc, display))
    return objects


def looks_like_manifest(path: Path) -> bool:
    """A cheap sniff: YAML or JSON that mentions both apiVersion and kind."""
    if path.suffix not in (".yaml", ".yml", ".json"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return b"apiVersion" in head and b"kind" in head
