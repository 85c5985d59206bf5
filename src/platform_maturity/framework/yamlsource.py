"""Read YAML while remembering the line of every value, for precise error messages."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from platform_maturity.domain.errors import UserError

PathKey = tuple[str | int, ...]


@dataclass
class Located:
    """Parsed YAML plus the line (1-based) of each value, keyed by its path."""

    data: Any
    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get(())

    def child(self, *path: str | int) -> Located:
        """The sub-document at ``path`` with its own line map."""
        node = self.data
        for key in path:
            node = node[key]
        n = len(path)
        lines = {k[n:]: v for k, v in self.lines.items() if k[:n] == tuple(path)}
        return Located(node, self.file, lines)


_STR_TAG = "tag:yaml.org,2002:str"
# scalars PyYAML's safe constructor turns into plain immutable values with one function
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")
)


def _value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A scalar's value: a plain string directly (most of them, what PyYAML's constructor
    would return too), a number, boolean, null or date by its constructor function (what
    ``construct_object`` would call), anything else through ``construct_object``."""
    if type(node) is yaml.ScalarNode:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag in _PLAIN_TAGS:
            return loader.yaml_constructors[tag](loader, node)
    return loader.construct_object(node, deep=True)


def _build(
    loader: yaml.SafeLoader, node: yaml.Node, path: PathKey, lines: dict[PathKey, int]
) -> Any:
    """The value of ``node``, recording in ``lines`` the line of ``path`` and of every path
    under it (a mapping's entries by their key's line), in document order."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            # plain strings, the most common keys and values, without a call
            if key_node.tag == _STR_TAG and type(key_node) is yaml.ScalarNode:
                key = key_node.value
            else:
                key = _value(loader, key_node)
                if isinstance(key, dict | list):
                    raise UserError(
                        "a mapping key that is itself a mapping or a list",
                        file=str(loader.name),
                        line=key_node.start_mark.line + 1,
                        hint="Is this an unrendered template ({{ ... }})? Render it first.",
                    )
            if key in result:
                raise UserError(
                    f"duplicate key {key!r}",
                    file=str(loader.name),
                    line=key_node.start_mark.line + 1,
                    field=".".join(str(p) for p in (*path, key)),
                    hint="Each key may appear once in a mapping.",
                )
            at = (*path, key)
            if type(value_node) is yaml.ScalarNode:  # a leaf: no lines of its own below
                if value_node.tag == _STR_TAG:
                    result[key] = value_node.value
                else:
                    result[key] = _value(loader, value_node)
            else:
                result[key] = _build(loader, value_node, at, lines)
            lines[at] = key_node.start_mark.line + 1  # errors point at the key
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, child, (*path, i), lines) for i, child in enumerate(node.value)]
    return _value(loader, node)


@lru_cache(maxsize=4096)
def _resolve(kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
    """PyYAML's tag for an untagged node (its resolver's answer, a pure function of these
    arguments): the same keys and values recur in every manifest."""
    tag: str = _RESOLVER.resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
    return tag


_RESOLVER = yaml.resolver.Resolver()
# libyaml's parser when PyYAML has it: the same nodes and marks, several times faster
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader with its tag resolver's answers remembered.

    It has no path resolvers (``add_path_resolver``), so the composer's two calls per node
    to track its place in the tree do nothing: they are C functions here, not Python ones.
    """

    resolve = staticmethod(_resolve)
    descend_resolver = staticmethod(operator.is_)  # (node, index): ignored
    ascend_resolver = staticmethod(tuple)  # (): ignored


_LOADER: type[yaml.SafeLoader] = _Loader


def _loader(text: str, file: str) -> yaml.SafeLoader:
    try:
        loader = _LOADER(text)
    except yaml.YAMLError as exc:  # e.g. control characters YAML does not allow
        raise UserError(f"not valid YAML: {exc}".splitlines()[0], file=file) from None
    loader.name = file
    return loader


def _syntax_error(exc: yaml.YAMLError, file: str) -> UserError:
    """A YAML syntax error as a UserError naming the line, when PyYAML knows it."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark
        return UserError(
            f"not valid YAML: {exc.problem}",
            file=file,
            line=(mark.line + 1) if mark else None,
            hint="Fix the syntax (indentation, quotes, colons) and run the command again.",
        )
    return UserError(f"not valid YAML: {exc}", file=file)


def parse_yaml(text: str, file: str) -> Located:
    loader = _loader(text, file)
    try:
        node = loader.get_single_node()
        lines: dict[PathKey, int] = {}
        data = None if node is None else _build(loader, node, (), lines)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None
    finally:
        loader.dispose()
    return Located(data, file, lines)


def read_yaml(path: Path) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("file not found", file=str(path), hint="Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the file: {exc}", file=str(path)) from None
    return parse_yaml(text, str(path))


def span(doc: Located, path: PathKey) -> tuple[int | None, int | None]:
    """First and last line of the value at ``path`` (its key line to its deepest line)."""
    prefix = tuple(path)
    lines = [line for key, line in doc.lines.items() if key[: len(prefix)] == prefix]
    if not lines:
        start = doc.line_of(prefix)
        return start, start
    return min(lines), max(lines)


def parse_yaml_all(text: str, file: str) -> list[Located]:
    """Every document of a multi-document YAML stream, each with its own line map.

    Empty documents are skipped; a syntax error raises a UserError naming the line.
    """
    loader = _loader(text, file)
    documents: list[Located] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[PathKey, int] = {}
            data = _build(loader, node, (), lines)
            if data is not None:
                documents.append(Located(data, file, lines))
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None
    finally:
        loader.dispose()
    return documents


def load_first(text: str, file: str) -> Any:
    """The first document of a YAML stream as plain data, merge keys (``<<: *x``) and all,
    as Helm reads a values file; a UserError naming the line on a syntax error."""
    try:
        return next(yaml.load_all(text, Loader=_LOADER), None)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None
