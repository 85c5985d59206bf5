"""What every scanner importer shares: the Protocol, the parsed file, typed access with
errors that name file, line, field and value, and fingerprints."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from platform_maturity.domain.backlog import Finding
from platform_maturity.domain.errors import UserError
from platform_maturity.importers.findings.jsonpos import PathKey, line_of

MAX_BYTES = 200 * 1024 * 1024
SEVERITY_WORDS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "info",
    "info": "info",
    "informational": "info",
    "none": "info",
}


@dataclass
class ScanReport:
    """One scan of one target, as an importer read it."""

    format: str
    tool: str
    target: str
    scanned_at: datetime | None
    findings: list[Finding] = field(default_factory=list)
    complete: bool = True  # a scanner run lists all it found; a page of alerts does not


class FindingImporter(Protocol):
    """Reads one scanner format. ``detect`` looks at parsed JSON; ``parse`` reads it all."""

    name: str
    title: str

    def detect(self, data: object) -> bool: ...

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]: ...


@dataclass
class JsonDoc:
    """A parsed JSON file and its text, for errors that give the line of a bad value."""

    data: Any
    text: str
    file: str
    format_title: str = "scanner output"

    def error(
        self, path: PathKey, message: str, value: object = None, hint: str | None = None
    ) -> UserError:
        shown = value if isinstance(value, str | int | float | bool) else None
        if isinstance(shown, str) and len(shown) > 80:
            shown = shown[:77] + "..."
        return UserError(
            message,
            file=self.file,
            line=line_of(self.text, path),
            field=dotted(path) or None,
            value=shown,
            hint=hint
            or f"Is this really {self.format_title}? docs/backlog.md lists the fields read.",
        )

    # ---- typed access: each returns the value or raises a located UserError ------------

    def obj(self, node: object, path: PathKey, what: str = "an object") -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.error(path, f"expected {what} ({{...}}), found {_kind(node)}", node)
        return node

    def sub(self, parent: dict[str, Any], key: str, path: PathKey) -> dict[str, Any]:
        """An optional nested object: {} when absent, an error when it is not an object."""
        value = parent.get(key)
        if value is None:
            return {}
        return self.obj(value, (*path, key))

    def items(self, node: object, path: PathKey, optional: bool = True) -> list[Any]:
        if node is None and optional:
            return []
        if not isinstance(node, list):
            raise self.error(path, f"expected a list ([...]), found {_kind(node)}", node)
        return node

    def text_at(
        self, parent: dict[str, Any], key: str, path: PathKey, required: bool = False
    ) -> str | None:
        value = parent.get(key)
        if value is None or value == "":
            if required:
                raise self.error((*path, key), "required field is missing or empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error((*path, key), f"expected text, found {_kind(value)}", value)
        return str(value)

    def number_at(
        self, parent: dict[str, Any], key: str, path: PathKey, low: float, high: float
    ) -> float | None:
        value = parent.get(key)
        if value is None or value == "":
            return None
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number != number or not low <= number <= high:
            raise self.error((*path, key), f"expected a number from {low:g} to {high:g}", value)
        return number

    def time_at(self, parent: dict[str, Any], key: str, path: PathKey) -> datetime | None:
        value = self.text_at(parent, key, path)
        if value is None:
            return None
        return parse_time(value) or _raise(self.error((*path, key), "not an ISO 8601 time", value))

    def texts_at(self, parent: dict[str, Any], key: str, path: PathKey) -> list[str]:
        result = []
        for index, value in enumerate(self.items(parent.get(key), (*path, key))):
            if isinstance(value, str | int) and not isinstance(value, bool):
                if str(value):
                    result.append(str(value))
            elif value is not None:
                raise self.error((*path, key, index), f"expected text, found {_kind(value)}", value)
        return result


def _raise(error: UserError) -> Any:
    raise error


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number"


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def parse_time(text: str) -> datetime | None:
    """RFC 3339 / ISO 8601 (``Z`` allowed, nanoseconds cut to microseconds); naive is UTC."""
    value = text.strip()
    if not _TIME.match(value):
        return None
    value = value.replace("Z", "+00:00").replace("z", "+00:00")
    fraction = re.search(r"\.(\d+)", value)
    if fraction and len(fraction.group(1)) > 6:
        value = value.replace(fraction.group(0), "." + fraction.group(1)[:6], 1)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def severity_word(text: str | None) -> str | None:
    if text is None:
        return None
    return SEVERITY_WORDS.get(text.strip().lower())


def fingerprint(*parts: object) -> str:
    """A stable identity from the parts that name one finding (order matters)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def short(text: str | None, length: int = 300) -> str:
    value = " ".join((text or "").split())
    return value if len(value) <= length else value[: length - 1] + "…"


def read_json(path: Path, title: str = "scanner output") -> JsonDoc:
    """Read and parse a JSON file; unreadable or malformed files are UserErrors."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    if size > MAX_BYTES:
        raise UserError(
            f"the file is too large ({size // (1024 * 1024)} MB; the limit is"
            f" {MAX_BYTES // (1024 * 1024)} MB)",
            file=str(path),
            hint="Split the scan, e.g. one image or repository per file.",
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(
            "not UTF-8 text", file=str(path), line=line, hint="Scanner JSON is UTF-8."
        ) from None
    return parse_json_text(text, str(path), title)


def parse_json_text(text: str, file: str, title: str = "scanner output") -> JsonDoc:
    if not text.strip():
        raise UserError("the file is empty", file=file, hint=f"Expected {title} (JSON).")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            file=file,
            line=exc.lineno,
            hint="The file may be cut off; write the scanner's output to a file and import that.",
        ) from None
    except RecursionError:
        raise UserError("not valid JSON: nested too deeply", file=file) from None
    return JsonDoc(data=data, text=text, file=file, format_title=title)
