"""Read Kubernetes objects from manifest files and ``kubectl get -o yaml|json`` dumps."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from platform_maturity.cache import ParseCache
from platform_maturity.collectors.base import read_head
from platform_maturity.collectors.terraform.sniff import looks_like_inventory, looks_like_plan
from platform_maturity.collectors.terraform.values import INTERPOLATION
from platform_maturity.domain.errors import UserError
from platform_maturity.framework.yamlsource import Located, PathKey, parse_yaml_all

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
SUFFIXES = (".yaml", ".yml", ".json")  # of the files looks_like_manifest may take
MAX_BYTES = 20 * 1024 * 1024
BINARY_SNIFF = 8192  # a NUL byte among the first bytes marks a binary file
HEAD_BYTES = 65536  # what the sniff reads of a file
MANIFEST_PARSER_VERSION = f"1/PyYAML {yaml.__version__}"  # part of the parse cache's keys
Span = tuple[int | None, int | None]


def span_index(lines: dict[PathKey, int]) -> dict[PathKey, tuple[int, int]]:
    """First and last line under every path of a document's line map: the deepest paths
    first, each one's span folded into its parent's (every key handled once, not once per
    prefix)."""
    index = {key: (line, line) for key, line in lines.items()}
    by_depth: dict[int, list[PathKey]] = {}
    for key in lines:
        if key:
            by_depth.setdefault(len(key), []).append(key)
    for depth in range(max(by_depth, default=0), 0, -1):
        for key in by_depth.get(depth, ()):
            low, high = index[key]
            parent = key[:-1]
            known = index.get(parent)
            if known is None:  # a path with no line of its own (not from parse_yaml_all)
                index[parent] = (low, high)
                if parent:
                    by_depth.setdefault(depth - 1, []).append(parent)
            elif low < known[0] or high > known[1]:
                index[parent] = (min(low, known[0]), max(high, known[1]))
    return index


def interpolations(value: Any, path: PathKey = ()) -> Iterator[PathKey]:
    """Paths of the strings holding ``${...}`` (Terraform interpolations) in ``value``."""
    if isinstance(value, str) and INTERPOLATION in value:
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from interpolations(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from interpolations(child, (*path, index))


@dataclass
class _Spans:
    """A document's span index, built on first use and shared by the objects it holds."""

    index: dict[PathKey, tuple[int, int]] | None = None


@dataclass(frozen=True)
class K8sObject:
    """One object with where it came from (file and line range).

    Objects declared in Terraform carry the declaring resource's ``address`` and the
    dotted paths of values only Terraform knows (``unresolved``); their line range is the
    Terraform block's, whatever part of the object a finding is about.
    """

    data: dict[str, Any]
    doc: Located
    base: PathKey  # where the object sits inside the document (a List's item, or ())
    file: str
    address: str | None = None
    unresolved: tuple[str, ...] = ()
    spans: _Spans = field(default_factory=_Spans, compare=False, repr=False)

    # read for every check of every object: computed once (objects are never changed)
    @cached_property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @cached_property
    def metadata(self) -> dict[str, Any]:
        found = self.data.get("metadata")
        return found if isinstance(found, dict) else {}

    @cached_property
    def name(self) -> str:
        return str(self.metadata.get("name", "?"))

    @cached_property
    def namespace(self) -> str:
        return str(self.metadata.get("namespace") or "default")

    @cached_property
    def ref(self) -> str:
        """``Kind/namespace/name``: the subject of this object's findings."""
        return f"{self.kind}/{self.namespace}/{self.name}"

    @cached_property
    def annotations(self) -> dict[str, str]:
        found = self.metadata.get("annotations") or {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    @property
    def from_terraform(self) -> bool:
        return self.address is not None

    @cached_property
    def interpolations(self) -> tuple[PathKey, ...]:
        """Where a Terraform object holds values only Terraform knows (``${...}``); none
        for manifests, where ``${`` is just text (a shell script in a ConfigMap)."""
        return tuple(interpolations(self.data)) if self.address is not None else ()

    def lines(self, path: PathKey = ()) -> Span:
        """First and last line of the value at ``path`` (its key line to its deepest line);
        the nearest enclosing value's line when the path is not in the file."""
        if self.address is not None:
            return self.doc.lines.get(()), self.doc.lines.get(("_end",))
        if self.spans.index is None:
            self.spans.index = span_index(self.doc.lines)
        full = (*self.base, *path)
        found = self.spans.index.get(full)
        if found is not None:
            return found
        start = self.doc.line_of(full)
        return start, start

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

    @cached_property
    def pod_spec_path(self) -> PathKey | None:
        path = POD_SPEC_PATHS.get(self.kind)
        return path if path is not None and isinstance(self.get(path), dict) else None


def _objects_in(doc: Located, file: str) -> list[K8sObject]:
    data = doc.data
    if not isinstance(data, dict):
        return []
    spans = _Spans()  # one index for all the items of a List
    if str(data.get("kind", "")).endswith("List") and isinstance(data.get("items"), list):
        return [
            K8sObject(item, doc, ("items", index), file, spans=spans)
            for index, item in enumerate(data["items"])
            if isinstance(item, dict) and item.get("kind")
        ]
    if data.get("kind") and data.get("apiVersion"):
        return [K8sObject(data, doc, (), file, spans=spans)]
    return []


def _parse(text: str, display: str, is_json: bool) -> list[Located]:
    if is_json:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"not valid JSON: {exc.msg}", file=display, line=exc.lineno) from None
        # JSON is YAML: parsing it as YAML keeps line numbers for the evidence
    return parse_yaml_all(text, display)


def _encode(documents: list[Located]) -> list[tuple[Any, dict[PathKey, int]]]:
    return [(doc.data, doc.lines) for doc in documents]


def load_objects(
    path: Path, display: str, cache: ParseCache | None = None, raw: bytes | None = None
) -> list[K8sObject]:
    """Every Kubernetes object in a YAML or JSON file (multi-document, ``List`` kinds).

    ``raw``: the file's bytes when they were read already (see :class:`Sniffer`). With a
    ``cache``, a file whose bytes were parsed before is not parsed again.
    """
    if raw is None:
        with open(path, "rb", buffering=0) as handle:  # one open for the size and the bytes
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise UserError(
                    f"file too large to scan ({size:,} bytes)",
                    file=display,
                    hint=f"Files over {MAX_BYTES // (1024 * 1024)} MB are skipped.",
                )
            raw = handle.readall()
    if b"\x00" in raw[:BINARY_SNIFF]:
        raise UserError("binary file, not a manifest", file=display)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text", file=display) from None
    is_json = path.suffix == ".json"
    if cache is None:
        documents = _parse(text, display, is_json)
    else:

        def decode(entries: Any) -> list[Located]:
            documents = [Located(data, display, lines) for data, lines in entries]
            if not all(isinstance(doc.lines, dict) for doc in documents):
                raise ValueError("not a parsed manifest")
            return documents

        documents = cache.get(
            "kubernetes-manifest-json" if is_json else "kubernetes-manifest",
            MANIFEST_PARSER_VERSION,
            raw,
            lambda: _parse(text, display, is_json),
            _encode,
            decode,
        )
    objects: list[K8sObject] = []
    for doc in documents:
        objects.extend(_objects_in(doc, display))
    return objects


def looks_like_manifest(path: Path) -> bool:
    """A cheap sniff: YAML or JSON that mentions both apiVersion and kind, and is not a
    Terraform plan or state (those mention them for the Kubernetes objects they declare,
    and are read by the Terraform reader). A binary file under such a name is taken too,
    to be reported as unreadable rather than skipped unseen."""
    return Sniffer(budget=0)(path)


class Sniffer:
    """:func:`looks_like_manifest` that keeps the files it read whole (most manifests are
    smaller than the head it reads, up to ``budget`` bytes in all), so that a scan reads
    each of them once."""

    def __init__(self, budget: int = 64 * 1024 * 1024) -> None:
        self.whole: dict[Path, bytes] = {}
        self.budget = budget

    def __call__(self, path: Path) -> bool:
        if path.suffix not in SUFFIXES:
            return False
        head = read_head(path, HEAD_BYTES + 1)
        whole = len(head) <= HEAD_BYTES
        head = head[:HEAD_BYTES]
        if not _head_looks_like_manifest(path, head):
            return False
        if whole and len(head) <= self.budget:
            self.whole[path] = head
            self.budget -= len(head)
        return True


def _head_looks_like_manifest(path: Path, head: bytes) -> bool:
    if b"\x00" in head[:BINARY_SNIFF]:
        return True  # binary under a manifest's name: read, so it is reported as such
    if b"apiVersion" not in head or b"kind" not in head:
        return False
    return not (path.suffix == ".json" and (looks_like_plan(path) or looks_like_inventory(path)))
