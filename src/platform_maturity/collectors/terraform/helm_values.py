"""The values a ``helm_release`` hands to its chart, merged in Helm's order.

What is read, without Terraform and without the chart:

- ``values``: each entry is a YAML document; readable when it is a literal (a string or
  heredoc), ``yamlencode({...})``/``jsonencode({...})`` of a literal, or
  ``file("...")`` of a file inside the module's folder. In plans and states
  (``terraform show -json``) every entry whose value is known is readable. Entries are
  merged in order, maps key by key, so a later file wins.
- ``set``, ``set_list``, ``set_sensitive`` (and ``set_wo``): applied after the values, in
  that order, each as Helm's ``--set`` (see :mod:`.strvals`), so they win over files.

An entry that cannot be read here (``templatefile(...)``, ``var.values``, a value known
only after apply, a dynamic ``set`` block) may set any key. It is recorded in
``terraform``; every value set before it becomes a value only Terraform knows (a
``${...}`` string), since it may override it. Values from variables inside a readable
entry (``tag: ${var.tag}``) stay ``${...}`` strings as well.

Bad input that would make Helm refuse the release (a values file that is not YAML or not
a map, a set name Helm cannot parse) is reported through ``problem`` with the file and
line, and the entry is skipped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_maturity.collectors.terraform.embedded import ProblemSink, hcl_value
from platform_maturity.collectors.terraform.model import INTERPOLATION, Resource, Unknown
from platform_maturity.collectors.terraform.strvals import SetError, escape, parse_into
from platform_maturity.domain.errors import UserError
from platform_maturity.framework.yamlsource import load_first

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # values trees larger than this (alias bombs) are not expanded
SET_BLOCKS = ("set", "set_list", "set_sensitive", "set_wo")  # Helm's order of application
_FILE = re.compile(r'^\$\{\s*file\(\s*"(?P<path>[^"]+)"\s*\)\s*\}$')
_ENCODED = re.compile(r"^\$\{\s*(?:yamlencode|jsonencode)\((?P<inner>.*)\)\s*\}$", re.S)
_MODULE_PATH = re.compile(r"\$\{\s*path\.(?:module|root|cwd)\s*\}")


@dataclass
class ReleaseValues:
    """A release's merged values, and the entries that could not be read."""

    values: dict[str, Any] = field(default_factory=dict)
    terraform: list[str] = field(default_factory=list)  # e.g. "values[1] = templatefile(...)"


@dataclass(frozen=True)
class SetLine:
    """A set entry as the line Helm parses (``name=value``)."""

    line: str
    as_string: bool


@dataclass(frozen=True)
class Literal:
    """A ``type = "literal"`` set entry: a YAML value stored under its name as written."""

    name: str
    value: Any


# a readable values document, an entry only Terraform knows (its label), or a set entry
Layer = dict[str, Any] | str | SetLine | Literal | None


class _TooLarge(Exception):
    pass


def _count(node: Any, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if isinstance(node, dict):
        for child in node.values():
            _count(child, budget)
    elif isinstance(node, list):
        for child in node:
            _count(child, budget)


def merge(base: dict[str, Any], layer: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merge of two values documents: maps key by key, anything else replaced."""
    out = dict(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def overridable(node: Any, label: str) -> Any:
    """``node`` with every value made one only Terraform knows (``label`` may set it)."""
    if isinstance(node, dict):
        return {key: overridable(child, label) for key, child in node.items()}
    if isinstance(node, list):
        return [overridable(child, label) for child in node]
    return f"${{{label}}}"


def _short(expression: str, limit: int = 60) -> str:
    text = " ".join(expression.split())
    if text.startswith(INTERPOLATION) and text.endswith("}"):
        text = text[2:-1]
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Reader:
    """Reads one release's entries; problems go to ``problem``."""

    def __init__(self, resource: Resource, folder: Path | None, problem: ProblemSink) -> None:
        self.resource = resource
        self.folder = folder
        self.problem = problem
        self.where = f"{resource.address}"

    def document(self, text: str, label: str, file: Path | None) -> dict[str, Any] | None:
        """A values document as a map; None (and a problem) when Helm would refuse it."""
        shown = str(file) if file is not None else self.resource.file
        try:
            data = load_first(text, shown)
        except UserError as exc:
            line = exc.line if file is not None else self.resource.line_start
            inside = "" if file is not None or exc.line is None else f" (its line {exc.line})"
            self.problem(file, f"{self.where}: {label} is {exc.message}{inside}", line)
            return None
        if data is None:
            return {}
        if not isinstance(data, dict):
            line = 1 if file is not None else self.resource.line_start
            kind = type(data).__name__
            self.problem(file, f"{self.where}: {label} is a {kind}, not a map of values", line)
            return None
        try:
            _count(data, [MAX_NODES])
        except _TooLarge:
            message = f"{self.where}: {label} holds more than {MAX_NODES:,} values; not read"
            self.problem(file, message, 1 if file is not None else self.resource.line_start)
            return None
        plain: dict[str, Any] = _plain(data)
        return plain

    def values_file(self, relative: str, label: str) -> dict[str, Any] | str:
        """The map in a file the release reads, or why it is not read (an opaque label)."""
        relative = _MODULE_PATH.sub(".", relative)
        if INTERPOLATION in relative or self.folder is None:
            return f"{label} = file({relative})"
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            return f"{label} = file({relative}) outside the module"
        path = self.folder / relative
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.problem(path, f"values file too large to read ({size:,} bytes)", None)
                return f"{label} = file({relative})"
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            message = f"{self.where}: {label} reads {relative}, which does not exist"
            self.problem(None, message, self.resource.line_start)
            return f"{label} = file({relative})"
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(path, f"cannot read the values file: {exc}", None)
            return f"{label} = file({relative})"
        found = self.document(text, label, path)
        return f"{label} = file({relative})" if found is None else found

    def entry(self, item: Any, label: str) -> Layer:
        """One ``values`` entry: a map, an opaque label, or None (skipped)."""
        if isinstance(item, Unknown):
            if self.resource.origin == "hcl" and isinstance(item.expr, str):
                return self.entry(item.expr, label)
            return f"{label} (known after apply)"
        if item is None:
            return None
        if not isinstance(item, str):
            self.problem(None, f"{self.where}: {label} is not a string", self.resource.line_start)
            return None
        text = item.strip()
        if not text:
            return None
        if match := _FILE.match(text):
            return self.values_file(match.group("path"), label)
        if match := _ENCODED.match(text):
            decoded = hcl_value(match.group("inner"))
            return decoded if isinstance(decoded, dict) else f"{label} = {_short(text)}"
        if self.resource.origin == "hcl" and (
            (text.startswith(INTERPOLATION) and text.endswith("}") and "\n" not in text)
            or "%{" in text
        ):
            return f"{label} = {_short(text)}"  # computed by Terraform
        if self.resource.origin == "hcl" and INTERPOLATION in text:
            return self.templated(text, label)
        return self.document(text, label, None)

    def templated(self, text: str, label: str) -> dict[str, Any] | str:
        """A heredoc with ``${...}`` inside: readable when each one is a whole value."""
        try:
            data = load_first(text, self.resource.file)
            _count(data, [MAX_NODES])
        except (UserError, _TooLarge):
            return f"{label} (a template Terraform fills in)"
        data = _plain(data)
        if not isinstance(data, dict) or _interpolated_keys(data):
            return f"{label} (a template Terraform fills in)"
        return data

    def sets(self) -> Iterator[tuple[str, Layer]]:
        """``(label, layer)`` for each set entry, in Helm's order."""
        hcl = self.resource.origin == "hcl"
        for block in SET_BLOCKS:
            declared = self.resource.values.get(block)
            found = self.resource.raw.get(block) if hcl else declared
            if isinstance(found, list):
                for index, item in enumerate(found):
                    yield from self.one_set(block, index, item)
            elif isinstance(found, str) and INTERPOLATION in found:
                yield block, f"{block} = {_short(found)}"
            elif isinstance(found, Unknown):
                yield block, f"{block} (known after apply)"
            if hcl and isinstance(declared, Unknown) and declared.expr.startswith("dynamic"):
                yield block, f"{block} (a dynamic block)"

    def one_set(self, block: str, index: int, item: Any) -> Iterator[tuple[str, Layer]]:
        label = f"{block}[{index}]"
        if not isinstance(item, dict):
            yield label, f"{label} (known after apply)"
            return
        name = item.get("name")
        if isinstance(name, Unknown) or not isinstance(name, str) or INTERPOLATION in name:
            shown = name.expr if isinstance(name, Unknown) else str(name)
            yield label, f"{label} name {_short(shown)}"
            return
        value = item.get("value")
        kind = item.get("type") or "auto"
        if block == "set_list":
            parts = [_text(v) for v in value if v is not None] if isinstance(value, list) else []
            if not isinstance(value, list) or any(p is None or INTERPOLATION in p for p in parts):
                yield label, _terraform_set(name, value)
                return
            yield label, SetLine(f"{name}={{{','.join(str(p) for p in parts)}}}", False)
            return
        text = _text(value)
        if text is None or INTERPOLATION in text or not isinstance(kind, str):
            yield label, _terraform_set(name, value)
        elif INTERPOLATION in kind:
            yield label, _terraform_set(name, value)  # typed or not: Terraform decides
        elif kind == "literal":
            literal = self.document(f"{name}: {text}", label, None)
            if literal is not None:
                yield label, Literal(name, literal.get(name))
        elif kind in ("auto", "string"):
            yield label, SetLine(f"{name}={text}", kind == "string")
        else:
            message = f"{self.where}: {label} has type {kind!r}; Helm takes auto or string"
            self.problem(None, message, self.resource.line_start)


def _plain(node: Any) -> Any:
    """YAML data as Helm holds it (through JSON): string keys, fresh containers (aliases
    unshared), dates and other scalars YAML types beyond JSON's as strings."""
    if isinstance(node, dict):
        return {k if isinstance(k, str) else _key(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(child) for child in node]
    if node is None or isinstance(node, bool | int | float | str):
        return node
    return str(node)


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _interpolated_keys(node: Any) -> bool:
    if isinstance(node, dict):
        return any(
            (isinstance(k, str) and INTERPOLATION in k) or _interpolated_keys(v)
            for k, v in node.items()
        )
    if isinstance(node, list):
        return any(_interpolated_keys(v) for v in node)
    return False


def _text(value: Any) -> str | None:
    """A set value as the string Terraform hands the provider; None when unknown."""
    if isinstance(value, Unknown):
        return None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _terraform_set(name: str, value: Any) -> SetLine:
    """A set whose value only Terraform knows: that value, as a ``${...}`` string."""
    if isinstance(value, str) and INTERPOLATION in value:
        shown = value
    elif isinstance(value, Unknown) and value.expr.startswith(INTERPOLATION):
        shown = value.expr
    else:
        shown = "${known after apply}"
    return SetLine(f"{name}={escape(shown)}", True)


def release_values(resource: Resource, folder: Path | None, problem: ProblemSink) -> ReleaseValues:
    """The merged values of one ``helm_release`` (see the module docstring)."""
    reader = _Reader(resource, folder, problem)
    result = ReleaseValues()
    entries = resource.values.get("values")
    raw_entries = resource.raw.get("values") if resource.origin == "hcl" else entries
    layers: list[tuple[str, Layer]] = []
    if isinstance(raw_entries, list):
        for index, item in enumerate(raw_entries):
            label = f"values[{index}]"
            layers.append((label, reader.entry(item, label)))
    elif raw_entries is not None or isinstance(entries, Unknown):
        shown = raw_entries if isinstance(raw_entries, str) else "known after apply"
        layers.append(("values", f"values = {_short(str(shown))}"))
    layers.extend(reader.sets())
    for label, layer in layers:
        if isinstance(layer, str):  # may set any key: what came before may be overridden
            result.terraform.append(layer)
            result.values = overridable(result.values, layer)
        elif isinstance(layer, SetLine):
            try:
                parse_into(layer.line, result.values, layer.as_string)
            except SetError as exc:
                name = layer.line.split("=", 1)[0]
                message = f"{resource.address}: {label} name {name!r}: {exc.message}"
                problem(None, f"{message}; Helm would refuse it", resource.line_start)
        elif isinstance(layer, Literal):
            result.values = merge(result.values, {layer.name: layer.value})
        elif isinstance(layer, dict):
            result.values = merge(result.values, layer)
    return result
