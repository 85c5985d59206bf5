"""Read a folder of ``.tf`` files (python-hcl2 8.x) into resources with line ranges."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from platform_maturity.cache import active
from platform_maturity.collectors.terraform.model import (
    INTERPOLATION,
    META_ARGUMENTS,
    ModuleCall,
    Provider,
    Resource,
    Source,
    Unknown,
    collect_refs,
    subject_for,
)
from platform_maturity.collectors.terraform.unknowns import ABSENT

MAX_BYTES = 10 * 1024 * 1024
HCL_PARSER_VERSION = "1"  # bump when parse_hcl's blocks change (keys of the parse cache)
EXEMPT_COMMENT = re.compile(
    r"(?:#|//)\s*platform-maturity\.io/exempt(?:-(?P<check>[\w.*?-]+))?\s*[:=]\s*(?P<reason>\S.*)$"
)
# "${aws_kms_key.main.arn}": a reference to another resource's identifier is a non-empty string
_IDENTIFIER_REFERENCE = re.compile(
    r"^\$\{(?!var\.|local\.|module\.|each\.|count\.)(data\.)?[a-z][a-z0-9_]*\.[\w-]+"
    r"(\[[^\]]*\])?\.(id|arn|name|bucket|key_id|zone_id|identifier|cluster_identifier)\}$"
)
_LOCAL = re.compile(r"^\$\{local\.([\w-]+)\}$")


class HclError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Block:
    """One top-level block: ``resource "aws_s3_bucket" "logs" { ... }``."""

    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    line_start: int | None
    line_end: int | None


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def decode(raw: bytes) -> str:
    """The text of a file, or an HclError saying why it is not text."""
    if len(raw) > MAX_BYTES:
        raise HclError(f"file too large to scan ({len(raw):,} bytes)")
    if b"\x00" in raw[:8192]:
        raise HclError("binary file, not Terraform")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HclError("not UTF-8 text") from None


@lru_cache(maxsize=1)
def serialization_options() -> Any:
    """How python-hcl2 turns parsed HCL into values (imported only when HCL is read)."""
    from hcl2.utils import SerializationOptions

    return SerializationOptions(
        with_comments=False,
        explicit_blocks=False,
        strip_string_quotes=True,
        preserve_heredocs=False,
    )


@lru_cache(maxsize=1)
def _parser_version() -> str:
    from importlib.metadata import version

    return f"{HCL_PARSER_VERSION}/python-hcl2 {version('python-hcl2')}"


def parse_hcl(text: str) -> list[Block]:
    """The top-level blocks of one HCL file; an HclError (with a line) when it is not HCL."""
    import hcl2
    from hcl2.rules.base import BlockRule

    options = serialization_options()
    try:
        tree = hcl2.parses(text)
        blocks: list[Block] = []
        for child in tree.body.children:
            if not isinstance(child, BlockRule):
                continue
            labels = tuple(_unquote(str(label.serialize(options))) for label in child.labels)
            body = child.body.serialize(options)
            meta = getattr(child, "_meta", None)
            blocks.append(
                Block(
                    kind=labels[0],
                    labels=labels[1:],
                    body=body if isinstance(body, dict) else {},
                    line_start=getattr(meta, "line", None),
                    line_end=getattr(meta, "end_line", None),
                )
            )
        return blocks
    except Exception as exc:  # python-hcl2 and lark raise many kinds; all mean "not HCL"
        line = getattr(exc, "line", None)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise HclError(
            f"not valid HCL: {first[:200]}", line if isinstance(line, int) and line > 0 else None
        ) from None


def _encode_blocks(blocks: list[Block]) -> list[tuple[Any, ...]]:
    return [(b.kind, b.labels, b.body, b.line_start, b.line_end) for b in blocks]


def _decode_blocks(entries: Any) -> list[Block]:
    blocks = []
    for kind, labels, body, line_start, line_end in entries:
        if not (isinstance(kind, str) and isinstance(labels, tuple) and isinstance(body, dict)):
            raise ValueError("not a parsed HCL block")
        blocks.append(Block(kind, labels, body, line_start, line_end))
    return blocks


def parse_cached(raw: bytes, text: str) -> list[Block]:
    """:func:`parse_hcl` of ``text`` (the decoded ``raw``), through the active parse cache
    when a collector has set one (python-hcl2 takes about a millisecond per resource)."""
    cache = active()
    if cache is None:
        return parse_hcl(text)
    return cache.get(
        "terraform-hcl",
        _parser_version(),
        raw,
        lambda: parse_hcl(text),
        _encode_blocks,
        _decode_blocks,
    )


def _substitute_locals(value: Any, locals_: dict[str, Any], depth: int = 0) -> Any:
    if isinstance(value, str):
        match = _LOCAL.match(value)
        if match and match.group(1) in locals_ and depth < 4:
            return _substitute_locals(locals_[match.group(1)], locals_, depth + 1)
        return value
    if isinstance(value, dict):
        return {k: _substitute_locals(v, locals_, depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_locals(v, locals_, depth) for v in value]
    return value


def to_values(value: Any) -> Any:
    """HCL values with every interpolation made an :class:`Unknown`."""
    if isinstance(value, str) and INTERPOLATION in value:
        if _IDENTIFIER_REFERENCE.match(value):
            return Unknown(value, (value,))
        return Unknown(value)
    if isinstance(value, dict):
        return {k: to_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_values(v) for v in value]
    return value


def _count(body: dict[str, Any]) -> int | None:
    if "count" in body:
        count = body["count"]
        if isinstance(count, bool):
            return int(count)
        return count if isinstance(count, int) else None
    if "for_each" in body:
        each = body["for_each"]
        return len(each) if isinstance(each, list | dict) else None
    return 1


def _dynamic(body: dict[str, Any]) -> dict[str, Any]:
    """``dynamic "x" { content { ... } }`` as the blocks it may produce."""
    found: dict[str, Any] = {}
    for entry in body.get("dynamic") or []:
        if not isinstance(entry, dict):
            continue
        for name, spec in entry.items():
            content = spec.get("content") if isinstance(spec, dict) else None
            found[name] = content if isinstance(content, list) else []
    return found


def _exemptions(lines: Sequence[str], start: int | None, end: int | None) -> dict[str, str]:
    if start is None:
        return {}
    found: dict[str, str] = {}
    for text in lines[max(start - 2, 0) : end or start]:
        match = EXEMPT_COMMENT.search(text)
        if match:
            found[match.group("check") or "*"] = match.group("reason").strip()
    return found


def _resource(
    block: Block,
    locals_: dict[str, Any],
    lines: Sequence[str],
    display: str,
    folder: str,
    qualifier: str,
) -> Resource | None:
    type_, name = block.labels
    body = _substitute_locals(block.body, locals_)
    count = _count(body)
    if count == 0:
        return None  # never created
    provider = body.get("provider")
    provider_key = type_.split("_", 1)[0]
    if isinstance(provider, str):
        provider_key = provider.removeprefix(INTERPOLATION).removesuffix("}").strip()
    lifecycle = body.get("lifecycle")
    raw = {k: v for k, v in body.items() if k not in META_ARGUMENTS}
    dynamic = _dynamic(body)
    values = to_values(raw)
    for block_name, content in dynamic.items():
        values[block_name] = Unknown(f"dynamic {block_name}", (ABSENT, to_values(content), []))
    address = f"{type_}.{name}"
    return Resource(
        type=type_,
        name=name,
        address=address,
        module="",
        values=values,
        raw=raw,
        refs=collect_refs({**raw, **dynamic}),
        file=display,
        line_start=block.line_start,
        line_end=block.line_end,
        origin="hcl",
        source=folder,
        subject=subject_for(qualifier, address),
        provider=provider_key,
        count=count,
        lifecycle=to_values(lifecycle[0]) if isinstance(lifecycle, list) and lifecycle else {},
        exemptions=_exemptions(lines, block.line_start, block.line_end),
    )


def read_folder(
    files: Sequence[Path],
    folder: str,
    qualifier: str,
    display: Callable[[Path], str],
    problem: Callable[[str, str, int | None], None],
) -> Source:
    """Every resource of one folder's ``.tf`` files; bad files become problems."""
    source = Source(name=folder, origin="hcl")
    parsed: list[tuple[str, list[str], list[Block]]] = []
    for path in files:
        shown = display(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise HclError(f"file too large to scan ({size:,} bytes)")
            raw = path.read_bytes()
            text = decode(raw)
            parsed.append((shown, text.splitlines(), parse_cached(raw, text)))
        except HclError as exc:
            problem(shown, exc.message, exc.line)
        except OSError as exc:
            problem(shown, f"cannot read the file: {exc.strerror or exc}", None)
    locals_: dict[str, Any] = {}
    for _shown, _lines, blocks in parsed:
        for block in blocks:
            if block.kind == "locals":
                locals_.update(block.body)
    for shown, lines, blocks in parsed:
        for block in blocks:
            if block.kind == "resource" and len(block.labels) == 2:
                resource = _resource(block, locals_, lines, shown, folder, qualifier)
                if resource is not None:
                    source.resources.append(resource)
            elif block.kind == "provider" and block.labels:
                alias = block.body.get("alias")
                key = block.labels[0] + (f".{alias}" if isinstance(alias, str) else "")
                region = _substitute_locals(block.body.get("region"), locals_)
                source.providers[key] = Provider(key, to_values(region))
            elif block.kind == "module" and block.labels:
                arguments = _substitute_locals(block.body, locals_)
                found: set[str] = set()
                for refs in collect_refs(arguments).values():
                    found.update(refs)
                source.module_calls.append(ModuleCall(block.labels[0], frozenset(found)))
    return source
