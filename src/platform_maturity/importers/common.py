"""Reading helpers shared by importers: files, CSV rows, JSON, times, numbers.

Every error names the file and the row or JSON path and the column, and says what to do.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from platform_maturity.domain.errors import UserError

csv.field_size_limit(16 * 1024 * 1024)


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without BOM); anything else is a clear error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise UserError("a folder, not a file", file=str(path)) from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise UserError(
            "UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8",
            file=str(path),
            line=1,
            hint='Spreadsheet programs write UTF-16 for "Unicode text"; save as "CSV UTF-8"'
            " instead, or convert it, e.g. iconv -f utf-16 -t utf-8.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file=str(path),
            line=line,
            hint="Export the file as UTF-8 (most tools offer it), or convert it, e.g."
            " iconv -f latin1 -t utf-8.",
        ) from None
    if "\x00" in text:
        raise UserError(
            "binary data (NUL bytes) in a text export",
            file=str(path),
            line=text[: text.index("\x00")].count("\n") + 1,
            hint="Is this the right file? Compressed exports must be unpacked first.",
        )
    return text


def load_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"not valid JSON: {exc.msg}",
            file=str(path),
            line=exc.lineno,
            hint="A truncated download or a file saved by another tool? Export it again.",
        ) from None
    except RecursionError:
        raise UserError("JSON nested too deeply", file=str(path)) from None


@dataclass(frozen=True)
class CsvRow:
    """One data row: values by column (the first of repeated headers), all values by column."""

    line: int
    values: dict[str, str]
    multi: dict[str, list[str]]

    def get(self, column: str) -> str | None:
        value = self.values.get(column)
        if value is None:
            return None
        value = value.strip()
        return None if value == "" or value.upper() == "NULL" else value

    def all(self, column: str) -> list[str]:
        return [v.strip() for v in self.multi.get(column, []) if v.strip()]


def csv_rows(
    path: Path, required: tuple[str, ...], what: str, hint: str
) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and the rows of a CSV file. Repeated headers are collected as lists."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UserError(f"empty file; expected {what}", file=str(path), hint=hint) from None
    except csv.Error as exc:
        raise UserError(f"unreadable CSV header: {exc}", file=str(path), line=1) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise UserError(
            f"not {what}: missing column{'s' if len(missing) > 1 else ''} " + ", ".join(missing),
            file=str(path),
            line=1,
            hint=hint,
        )
    repeated = len(set(header)) != len(header)

    def rows() -> Iterator[CsvRow]:
        try:
            for cells in reader:
                line = reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if len(cells) > len(header):
                    raise UserError(
                        f"{len(cells)} values but the header has {len(header)} columns",
                        file=str(path),
                        line=line,
                        hint="A value with a comma must be quoted; is the file cut or mixed?",
                    )
                if len(cells) < len(header):
                    # exports write every column of every row: a short row is a cut file
                    raise UserError(
                        f"{len(cells)} values but the header has {len(header)} columns",
                        file=str(path),
                        line=line,
                        hint="Is the file cut off? Export it again; a row written by hand"
                        " needs a value (or an empty one) for every column.",
                    )
                if not repeated:
                    values = dict(zip(header, cells, strict=False))
                    yield CsvRow(line, values, {})
                    continue
                values = {}
                multi: dict[str, list[str]] = {}
                for name, cell in zip(header, cells, strict=False):
                    values.setdefault(name, cell)
                    multi.setdefault(name, []).append(cell)
                yield CsvRow(line, values, multi)
        except csv.Error as exc:
            raise UserError(
                f"malformed CSV: {exc}",
                file=str(path),
                line=reader.line_num,
                hint="An unclosed quote usually means the file was cut off; export it again.",
            ) from None

    return header, rows()


_JIRA_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
)
_MS_EPOCH = re.compile(r"^\d{12,14}$")


def parse_time(
    text: str | None, tz: ZoneInfo, *, file: str, line: int | None, field: str
) -> datetime | None:
    """An aware UTC time from ISO 8601 (with or without zone) or common export formats.

    Values without a zone are read in ``tz`` (the workspace's ``kpi.timezone``).
    """
    if text is None:
        return None
    raw = text.strip()
    if not raw or raw.upper() == "NULL":
        return None
    value: datetime | None = None
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        if _MS_EPOCH.match(raw):
            return datetime.fromtimestamp(int(raw) / 1000, UTC)
        for fmt in _JIRA_FORMATS:
            try:
                value = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise UserError(
            "not a date and time",
            file=file,
            line=line,
            field=field,
            value=raw,
            hint="Use ISO 8601 (2026-03-12T09:41:00Z) or the tool's export format"
            " (e.g. Jira's 12/Mar/26 9:41 AM).",
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def parse_number(text: str | None, *, file: str, line: int | None, field: str) -> float | None:
    if text is None:
        return None
    raw = text.strip()
    if not raw or raw.upper() == "NULL":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise UserError(
            "not a number", file=file, line=line, field=field, value=raw, hint="Use 1234.56."
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UserError("not a finite number", file=file, line=line, field=field, value=raw)
    return value


def later(start: datetime, seconds: float, *, file: str, line: int | None, field: str) -> datetime:
    """``start`` plus a duration read from an export; a UserError naming the cell when the
    duration is negative or too long for a date (an exporter's or a typist's mistake)."""
    if seconds < 0:
        raise UserError("negative duration", file=file, line=line, field=field, value=seconds)
    try:
        return start + timedelta(seconds=seconds)
    except OverflowError:
        raise UserError(
            "duration too long to be a date",
            file=file,
            line=line,
            field=field,
            value=seconds,
            hint="Check the unit of the column (seconds or milliseconds).",
        ) from None


_SCALARS = (str, int, float)


class JsonPath:
    """Typed access into parsed JSON that names the path of a bad value."""

    def __init__(self, file: str, tz: ZoneInfo) -> None:
        self.file = file
        self.tz = tz

    def fail(self, where: str, message: str, value: object = None, hint: str | None = None) -> None:
        shown = value if isinstance(value, str | int | float | bool) else None
        raise UserError(message, file=self.file, field=where, value=shown, hint=hint)

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, found {type(value).__name__}", value)
        return value  # type: ignore[no-any-return]

    def text(
        self, data: dict[str, Any], key: str, where: str, required: bool = False
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "missing")
            return None
        if type(value) is str:
            return value
        if isinstance(value, bool) or not isinstance(value, _SCALARS):
            self.fail(f"{where}.{key}", f"expected text, found {type(value).__name__}", value)
        return str(value)

    def time(
        self, data: dict[str, Any], key: str, where: str, required: bool = False
    ) -> datetime | None:
        raw = self.text(data, key, where, required)
        return parse_time(raw, self.tz, file=self.file, line=None, field=f"{where}.{key}")

    def need_time(self, data: dict[str, Any], key: str, where: str) -> datetime:
        value = self.time(data, key, where, required=True)
        if value is None:  # present but empty
            self.fail(f"{where}.{key}", "missing", hint="Every record needs this time.")
            raise AssertionError  # unreachable: fail raises
        return value

    def flag(self, data: dict[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", "expected true or false", value)
        return bool(value)

    def names(self, data: dict[str, Any], key: str, where: str, attr: str = "name") -> list[str]:
        """Names of a list of strings or of objects with ``attr`` (labels, assignees)."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{where}.{key}", "expected a list", value)
        out: list[str] = []
        for index, entry in enumerate(value):
            if isinstance(entry, str):
                out.append(entry)
            elif isinstance(entry, dict) and isinstance(entry.get(attr), str):
                out.append(entry[attr])
            else:
                self.fail(f"{where}.{key}[{index}]", f"expected text or an object with {attr}")
        return out

    def records(self, payload: Any, keys: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
        """A top-level array, or the array under one of ``keys``; each with its path."""
        found = payload
        prefix = ""
        if isinstance(payload, dict):
            for key in keys:
                if key in payload:
                    found, prefix = payload[key], key
                    break
        if not isinstance(found, list):
            if isinstance(payload, dict):
                held = "an object with " + (", ".join(sorted(payload)[:8]) or "no keys")
            else:
                held = type(payload).__name__.replace("NoneType", "null")
            wanted = " or an object with " + ", ".join(keys) if keys else ""
            self.fail(
                prefix or "$",
                f"expected a list of records{wanted}; the file holds {held}",
                hint="Is this an export of another kind? 'maturity import --help' lists the"
                " kinds and what each reads (docs/formats.md shows each one).",
            )
        out = []
        for index, entry in enumerate(found):
            where = f"{prefix}[{index}]" if prefix else f"[{index}]"
            out.append((where, self.obj(entry, where)))
        return out
