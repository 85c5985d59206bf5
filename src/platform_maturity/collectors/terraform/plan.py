"""Read ``terraform show -json`` output (a plan or a state) and raw ``.tfstate`` files.

A plan is the only way to see what modules build: ``planned_values`` holds every
resource of every module with its values; ``resource_changes`` says which values are
only known after apply; ``configuration`` keeps the references between resources.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

from platform_maturity.collectors.terraform.model import (
    INDEX,
    Provider,
    Resource,
    Source,
    Unknown,
    subject_for,
)
from platform_maturity.collectors.terraform.values import closing_brace

MAX_BYTES = 200 * 1024 * 1024
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NOT_REFERENCES = {"each", "count", "path", "self", "terraform"}
AFTER_APPLY = "<known after apply>"


class PlanError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_json(text: str) -> dict[str, Any]:
    """The document, or a PlanError naming the line where the JSON breaks."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"not valid JSON: {exc.msg}", exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        raise PlanError(f"not valid JSON: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise PlanError("not a Terraform plan or state: the top level is not an object", 1)
    return data


class TextLines:
    """Line numbers of offsets in a JSON text, and of each resource address in it."""

    def __init__(self, text: str, addresses: bool = True) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.first: dict[str, int] = {}
        for match in _ADDRESS.finditer(text) if addresses else ():
            try:
                address = json.loads(f'"{match.group(1)}"')
            except json.JSONDecodeError:
                continue
            self.first.setdefault(address, match.start())

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def span(self, offset: int | None) -> tuple[int | None, int | None]:
        """First and last line of the JSON object around ``offset``."""
        if offset is None:
            return None, None
        start = self.text.rfind("{", 0, offset)
        if start < 0:
            line = self.line(offset)
            return line, line
        end = closing_brace(self.text, start + 1)
        return self.line(start), self.line(min(end, len(self.text) - 1))

    def of_address(self, address: str) -> tuple[int | None, int | None]:
        return self.span(self.first.get(address))

    def of_state(self, type_: str, name: str) -> tuple[int | None, int | None]:
        type_json, name_json = re.escape(json.dumps(type_)), re.escape(json.dumps(name))
        pattern = rf'"type"\s*:\s*{type_json},\s*"name"\s*:\s*{name_json}'
        match = re.search(pattern, self.text)
        return self.span(match.start()) if match else (None, None)


def mark_unknown(values: Any, unknown: Any) -> Any:
    """Values with every attribute that ``after_unknown`` flags replaced by an Unknown."""
    if unknown is True:
        return Unknown(AFTER_APPLY)
    if isinstance(unknown, dict):
        result = dict(values) if isinstance(values, dict) else {}
        for key, flag in unknown.items():
            if flag is True or (flag and isinstance(flag, dict | list)):
                result[key] = mark_unknown(result.get(key), flag)
        return result
    if isinstance(unknown, list) and unknown:
        items = values if isinstance(values, list) else []
        return [mark_unknown(v, u) for v, u in zip_longest(items, unknown, fillvalue=None)]
    return values


class _Config:
    """The ``configuration`` section: references between resources, through modules."""

    def __init__(self, configuration: Any) -> None:
        self.modules: dict[str, dict[str, Any]] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.providers: dict[str, Provider] = {}
        if not isinstance(configuration, dict):
            return
        for key, spec in (configuration.get("provider_config") or {}).items():
            region = ((spec or {}).get("expressions") or {}).get("region")
            self.providers[key] = Provider(key, self._literal(region))
        root = configuration.get("root_module")
        if isinstance(root, dict):
            self._walk(root, "")

    @staticmethod
    def _literal(expression: Any) -> Any:
        if not isinstance(expression, dict):
            return None
        if "constant_value" in expression:
            return expression["constant_value"]
        return Unknown("region") if expression.get("references") else None

    def _walk(self, module: dict[str, Any], path: str) -> None:
        self.modules[path] = module
        prefix = f"{path}." if path else ""
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                self.resources[prefix + resource["address"]] = resource
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._walk(call["module"], f"{prefix}module.{name}")

    def refs(self, base: str, module: str) -> dict[str, frozenset[str]]:
        resource = self.resources.get(base)
        if resource is None:
            return {}
        found: dict[str, set[str]] = {}

        def walk(node: Any, where: str) -> None:
            if isinstance(node, dict) and ("references" in node or "constant_value" in node):
                for ref in node.get("references") or []:
                    if isinstance(ref, str):
                        found.setdefault(where, set()).update(self.resolve(ref, module))
            elif isinstance(node, dict):
                for key, child in node.items():
                    walk(child, f"{where}.{key}" if where else str(key))
            elif isinstance(node, list):
                for child in node:
                    walk(child, where)

        walk(resource.get("expressions") or {}, "")
        return {key: frozenset(refs) for key, refs in found.items() if refs}

    def resolve(self, ref: str, module: str, depth: int = 0) -> set[str]:
        """A reference as module-qualified addresses, followed through module variables
        and outputs; what cannot be followed stays as written (``var.x``)."""
        parts = INDEX.sub("", ref).split(".")
        prefix = f"{module}." if module else ""
        if len(parts) < 2 or parts[0] in _NOT_REFERENCES:
            return set()
        if depth > 8:
            return {prefix + ".".join(parts[:2])}
        if parts[0] == "var" and module:
            if ".module." in module:
                parent, _, name = module.rpartition(".module.")
            else:
                parent, name = "", module.removeprefix("module.")
            call = (self.modules.get(parent) or {}).get("module_calls", {}).get(name) or {}
            expression = (call.get("expressions") or {}).get(parts[1]) or {}
            refs = expression.get("references") if isinstance(expression, dict) else None
            if refs:
                return {r for ref_ in refs for r in self.resolve(ref_, parent, depth + 1)}
            return {prefix + f"var.{parts[1]}"}
        if parts[0] == "module" and len(parts) >= 3:
            child = f"{prefix}module.{parts[1]}"
            outputs = (self.modules.get(child) or {}).get("outputs") or {}
            expression = (outputs.get(parts[2]) or {}).get("expression") or {}
            refs = expression.get("references") if isinstance(expression, dict) else None
            if refs:
                return {r for ref_ in refs for r in self.resolve(ref_, child, depth + 1)}
            return {prefix + ".".join(parts[:3])}
        if parts[0] == "data" and len(parts) >= 3:
            return {prefix + ".".join(parts[:3])}
        return {prefix + ".".join(parts[:2])}

    def provider_key(self, base: str) -> str | None:
        key = (self.resources.get(base) or {}).get("provider_config_key")
        return key if isinstance(key, str) else None


def _modules(module: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(module, dict):
        return
    yield module
    for child in module.get("child_modules") or []:
        yield from _modules(child)


def _module_of(address: str) -> str:
    base = INDEX.sub("", address)
    parts = base.split(".")
    path: list[str] = []
    while len(parts) > 2 and parts[0] == "module":
        path += parts[:2]
        parts = parts[2:]
    return ".".join(path)


def _state_provider(text: Any, type_: str) -> str:
    """``provider["registry.terraform.io/hashicorp/aws"].dr`` -> ``aws.dr``."""
    if not isinstance(text, str):
        return type_.split("_", 1)[0]
    match = re.match(r'provider\["(?:[^"]*/)?([^"/]+)"\](?:\.([\w-]+))?', text)
    if not match:
        return type_.split("_", 1)[0]
    return match.group(1) + (f".{match.group(2)}" if match.group(2) else "")


def read_document(doc: dict[str, Any], text: str, display: str, qualifier: str) -> Source | None:
    """The resources of one plan or state document; None when it is neither."""
    lines = TextLines(text)
    if isinstance(doc.get("planned_values"), dict):
        origin, root = "plan", doc["planned_values"].get("root_module")
    elif isinstance(doc.get("values"), dict):
        origin, root = "state", doc["values"].get("root_module")
    elif isinstance(doc.get("resources"), list) and "lineage" in doc:
        return _read_raw_state(doc, lines, display, qualifier)
    elif "format_version" in doc:
        return Source(name=display, origin="state")  # an empty state or plan
    else:
        return None
    config = _Config(doc.get("configuration"))
    unknown: dict[str, Any] = {}
    for change in doc.get("resource_changes") or []:
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            unknown[change["address"]] = (change.get("change") or {}).get("after_unknown")
    source = Source(name=display, origin=origin, providers=dict(config.providers))
    for module in _modules(root):
        for item in module.get("resources") or []:
            if not isinstance(item, dict) or item.get("mode", "managed") != "managed":
                continue
            address, type_ = item.get("address"), item.get("type")
            if not isinstance(address, str) or not isinstance(type_, str):
                continue
            found = item.get("values")
            raw: dict[str, Any] = found if isinstance(found, dict) else {}
            values = mark_unknown(raw, unknown.get(address))
            base = INDEX.sub("", address)
            module_path = _module_of(address)
            start, end = lines.of_address(address)
            provider = config.provider_key(base) or _state_provider(
                item.get("provider_name"), type_
            )
            source.resources.append(
                Resource(
                    type=type_,
                    name=str(item.get("name", "")),
                    address=address,
                    module=module_path,
                    values=values if isinstance(values, dict) else {},
                    raw=raw,
                    refs=config.refs(base, module_path),
                    file=display,
                    line_start=start,
                    line_end=end,
                    origin=origin,
                    source=display,
                    subject=subject_for(qualifier, address),
                    provider=provider.split(":")[-1] if ":" in provider else provider,
                    count=1,
                    lifecycle=None,
                )
            )
    return source


def _read_raw_state(doc: dict[str, Any], lines: TextLines, display: str, qualifier: str) -> Source:
    source = Source(name=display, origin="state")
    for item in doc["resources"]:
        if not isinstance(item, dict) or item.get("mode", "managed") != "managed":
            continue
        type_, name = item.get("type"), item.get("name")
        if not isinstance(type_, str) or not isinstance(name, str):
            continue
        module = item.get("module")
        module = module if isinstance(module, str) else ""
        start, end = lines.of_state(type_, name)
        for instance in item.get("instances") or []:
            if not isinstance(instance, dict):
                continue
            key = instance.get("index_key")
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            address = f"{module + '.' if module else ''}{type_}.{name}{suffix}"
            attributes = instance.get("attributes")
            values = attributes if isinstance(attributes, dict) else {}
            source.resources.append(
                Resource(
                    type=type_,
                    name=name,
                    address=address,
                    module=INDEX.sub("", module),
                    values=values,
                    raw=values,
                    refs={},
                    file=display,
                    line_start=start,
                    line_end=end,
                    origin="state",
                    source=display,
                    subject=subject_for(qualifier, address),
                    provider=_state_provider(item.get("provider"), type_),
                    count=1,
                    lifecycle=None,
                )
            )
    return source


def read_text(
    path: Path, display: str, problem: Callable[[str, str, int | None], None]
) -> str | None:
    """A JSON input's text; a problem (and None) when it is too large, unreadable or not
    UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            problem(display, f"file too large to scan ({size:,} bytes)", None)
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problem(display, f"cannot read the file: {exc.strerror or exc}", None)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem(display, "not UTF-8 text", None)
        return None


def read_plan(
    path: Path,
    display: str,
    qualifier: str,
    problem: Callable[[str, str, int | None], None],
) -> Source | None:
    """One plan or state file; a problem (and None) when it cannot be read."""
    text = read_text(path, display, problem)
    if text is None:
        return None
    try:
        return read_document(parse_json(text), text, display, qualifier)
    except PlanError as exc:
        problem(display, exc.message, exc.line)
        return None
    except (AttributeError, TypeError, KeyError, ValueError, RecursionError) as exc:
        problem(display, f"not a Terraform plan or state: unexpected structure ({exc})", None)
        return None
