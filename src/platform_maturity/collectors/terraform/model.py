"""What the Terraform readers produce: resources with their values, references and lines.

A value Terraform only knows at apply time (an interpolation such as ``"${var.x}"`` in
HCL, an attribute marked unknown in a plan) is an :class:`Unknown`, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# defined with the interpolations in text (values.py), and named here too, where the
# readers of Terraform have always found them
from platform_maturity.collectors.terraform.values import INTERPOLATION as INTERPOLATION
from platform_maturity.collectors.terraform.values import Unknown as Unknown
from platform_maturity.collectors.terraform.values import interpolation_spans

INDEX = re.compile(r"\[[^\]]*\]")
# first two parts of a reference inside an expression: aws_lb.web, var.x, module.m, ...
_REFERENCE = re.compile(
    r"(?<![\w.\"-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(\.[A-Za-z_][\w-]*)?"
)
_NOT_REFERENCES = {"each", "count", "path", "self", "terraform"}
# attributes holding a resource's identity, compared with literal values in state files
IDENTITY_KEYS = (
    "id",
    "arn",
    "name",
    "bucket",
    "identifier",
    "cluster_identifier",
    "db_instance_identifier",
    "zone_id",
    "key_id",
)
META_ARGUMENTS = (
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
    "dynamic",
)


@dataclass
class Resource:
    """One managed resource (one instance for plans; one block for HCL)."""

    type: str
    name: str
    address: str  # module.x.aws_s3_bucket.logs[0]
    module: str  # "" or "module.x" (without instance keys)
    values: dict[str, Any]  # attributes; Unknown where not known
    raw: dict[str, Any]  # attributes as written (HCL strings keep their ${...})
    refs: dict[str, frozenset[str]]  # dotted attribute path -> referenced addresses
    file: str
    line_start: int | None
    line_end: int | None
    origin: str  # "hcl", "plan" or "state"
    source: str  # the folder (HCL) or file (plan, state) references resolve in
    subject: str = ""
    provider: str = ""  # provider configuration key: "aws", "aws.dr"
    count: int | None = 1  # instances the block creates; None when unknown
    lifecycle: dict[str, Any] | None = None  # None: not recorded (plan and state JSON)
    exemptions: dict[str, str] = field(default_factory=dict)  # check glob -> reason
    declared: tuple[str, int | None, int | None] | None = None  # the .tf block behind a plan

    @cached_property
    def base(self) -> str:
        """The address without instance keys: what references point at."""
        return INDEX.sub("", self.address)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.base)

    @cached_property
    def identity(self) -> frozenset[str]:
        """Known literal identifiers (ids, ARNs, names) of the resource."""
        found: set[str] = set()
        for name in IDENTITY_KEYS:
            value = self.values.get(name)
            if isinstance(value, str) and value:
                found.add(value)
        return frozenset(found)


@dataclass
class Provider:
    key: str  # "aws" or "aws.dr"
    region: Any = None  # a literal region, an Unknown, or None when unset


@dataclass
class ModuleCall:
    name: str
    refs: frozenset[str]  # addresses referenced anywhere in the call's arguments


@dataclass
class Source:
    """Everything read from one folder of ``.tf`` files or one plan/state file."""

    name: str
    origin: str
    resources: list[Resource] = field(default_factory=list)
    providers: dict[str, Provider] = field(default_factory=dict)
    module_calls: list[ModuleCall] = field(default_factory=list)


def is_interpolated(value: Any) -> bool:
    return isinstance(value, str) and INTERPOLATION in value


def references(expression: str) -> set[str]:
    """Addresses an HCL expression refers to: ``aws_lb.web``, ``var.x``, ``data.a.b``, ..."""
    found: set[str] = set()
    for part in _interpolations(expression):
        for match in _REFERENCE.finditer(part):
            data, first, second, third = match.groups()
            if first in _NOT_REFERENCES:
                continue
            if data:
                found.add(f"data.{first}.{second}")
            elif first == "module" and third:
                found.add(f"module.{second}{third}")
            else:
                found.add(f"{first}.{second}")
    return found


def _interpolations(text: str) -> Iterator[str]:
    """The code inside each ``${...}`` (string literals inside it blanked out)."""
    for start, end in interpolation_spans(text):
        yield re.sub(r'"(?:[^"\\]|\\.)*"', '""', text[start + 2 : end - 1])


def collect_refs(value: Any, path: str = "") -> dict[str, frozenset[str]]:
    """Reference sets by dotted attribute path (list positions dropped) for HCL values."""
    found: dict[str, set[str]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, str):
            if INTERPOLATION in node:
                refs = references(node)
                if refs:
                    found.setdefault(where, set()).update(refs)
        elif isinstance(node, Mapping):
            for key, child in node.items():
                walk(child, f"{where}.{key}" if where else str(key))
        elif isinstance(node, list):
            for child in node:
                walk(child, where)

    walk(value, path)
    return {key: frozenset(refs) for key, refs in found.items()}


def get_path(values: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at a dotted path, stepping through blocks (lists of objects)."""
    nodes: list[Any] = [values]
    for part in path.split("."):
        following: list[Any] = []
        for node in nodes:
            if isinstance(node, Unknown):
                following.append(node)
            elif isinstance(node, Mapping) and part in node:
                following.append(node[part])
            elif isinstance(node, list):
                following.extend(
                    item[part] if isinstance(item, Mapping) and part in item else item
                    for item in node
                    if isinstance(item, Unknown) or (isinstance(item, Mapping) and part in item)
                )
        nodes = following
    flat: list[Any] = []
    for node in nodes:
        if isinstance(node, list):
            flat.extend(node)
        else:
            flat.append(node)
    return flat


def first_block(values: Mapping[str, Any], name: str) -> dict[str, Any] | Unknown | None:
    """The first block called ``name`` (blocks are lists of objects), or an Unknown."""
    block = values.get(name)
    if isinstance(block, Unknown):
        return block
    if isinstance(block, list) and block:
        head = block[0]
        if isinstance(head, Unknown):
            return head
        return head if isinstance(head, dict) else None
    if isinstance(block, dict):
        return block
    return None


def subject_for(qualifier: str, address: str) -> str:
    """``address`` alone for the scan root, else ``<folder or file>:<address>``."""
    return address if qualifier in ("", ".") else f"{qualifier}:{address}"


class Scan:
    """All resources of one scan, indexed for the checks that relate them."""

    def __init__(self, sources: list[Source], inventories: list[Source] | None = None) -> None:
        self.sources = {source.name: source for source in sources}
        self.resources = [r for source in sources for r in source.resources]
        # what cloud inventories list as running (not declared by Terraform)
        self.inventory = [r for source in inventories or [] for r in source.resources]
        self.by_key: dict[tuple[str, str], list[Resource]] = {}
        self.by_type: dict[str, list[Resource]] = {}
        for resource in self.resources:
            self.by_key.setdefault(resource.key, []).append(resource)
            self.by_type.setdefault(resource.type, []).append(resource)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self.by_type.get(t, [])]

    def has(self, source: str, address: str) -> bool:
        return (source, address) in self.by_key

    def provider(self, resource: Resource) -> Provider | None:
        source = self.sources.get(resource.source)
        return source.providers.get(resource.provider) if source else None

    def module_taking(self, resource: Resource) -> str | None:
        """The module call in the resource's folder that is handed the resource, if any."""
        source = self.sources.get(resource.source)
        for call in source.module_calls if source else []:
            if resource.base in call.refs:
                return call.name
        return None
