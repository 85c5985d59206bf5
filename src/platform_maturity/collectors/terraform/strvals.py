"""Helm's ``--set`` lines, read as Helm reads them, into a values tree.

The Terraform Helm provider turns each ``set { name = N value = V }`` into the line
``N=V`` and hands it to Helm's parser, so the same rules apply here:

- a name is a dotted path (``image.tag``); a backslash makes the next character literal
  (``podAnnotations.prometheus\\.io/scrape`` is one key with a dot in it);
- ``[n]`` indexes a list (``ingress.hosts[0].host``, ``matrix[1][0]``); a list grows with
  nulls up to the index; indexes are at most 65,536 and names at most 30 levels deep;
- a value in braces is a list (``{a,b}``); otherwise it runs to the next unescaped comma
  (a comma starts another ``name=value`` pair, as on Helm's command line);
- values are typed unless the set is ``type = "string"``: ``true``/``false`` (any case)
  are booleans, ``null`` is null, whole numbers that do not start with 0 are integers,
  everything else is a string.

Whatever Helm would refuse raises :class:`SetError`, and the tree is left as it was.
"""

from __future__ import annotations

import copy
import re
from typing import Any

MAX_INDEX = 65536
MAX_DEPTH = 30
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = 2**63


class SetError(ValueError):
    """A set line Helm would refuse; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _End(Exception):
    """The line ran out where a value or an index was expected."""


def typed(text: str, as_string: bool = False) -> Any:
    """A value as Helm types it (see the module docstring)."""
    if as_string:
        return text
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if text == "0":
        return 0
    if text and text[0] != "0" and _INTEGER.fullmatch(text):
        number = int(text)
        if -_INT64 <= number < _INT64:
            return number
    return text


class _Reader:
    def __init__(self, text: str, as_string: bool) -> None:
        self.text = text
        self.at = 0
        self.as_string = as_string

    def until(self, stops: str) -> tuple[str, str | None]:
        """Characters up to one of ``stops`` (consumed and returned), escapes resolved;
        the stop is None at the end of the line."""
        out: list[str] = []
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            self.at += 1
            if char in stops:
                return "".join(out), char
            if char == "\\":
                if self.at >= len(text):
                    return "".join(out), None
                out.append(text[self.at])
                self.at += 1
            else:
                out.append(char)
        return "".join(out), None

    def index(self) -> int:
        digits, stop = self.until("]")
        if stop is None:
            raise SetError(f"index [{digits} is not closed with ]")
        try:
            number = int(digits, 10)
        except ValueError:
            raise SetError(f"index [{digits}] is not a number") from None
        if not _INTEGER.fullmatch(digits):
            raise SetError(f"index [{digits}] is not a number")
        if number < 0:
            raise SetError(f"negative index [{number}] is not allowed")
        if number > MAX_INDEX:
            raise SetError(f"index [{number}] is larger than {MAX_INDEX}")
        return number

    def value(self) -> Any:
        """What follows ``=``: a ``{...}`` list or a scalar (an empty one at the end)."""
        if self.at >= len(self.text):
            raise _End
        if self.text[self.at] == "{":
            self.at += 1
            items: list[Any] = []
            while True:
                item, stop = self.until(",}")
                if stop is None:
                    raise SetError("a list value must end with }")
                items.append(typed(item, self.as_string))
                if stop == "}":
                    if self.at < len(self.text) and self.text[self.at] == ",":
                        self.at += 1
                    return items
        text, _stop = self.until(",")
        return typed(text, self.as_string)

    def key(self, data: dict[str, Any], depth: int) -> None:
        name, stop = self.until("=[,.")
        if stop is None:
            if name:
                raise SetError(f"key {name!r} has no value")
            raise _End
        if stop == "[":
            index = self.index()
            found = data.get(name, [])
            if not isinstance(found, list):
                raise SetError(f"{name!r} is not a list, so [{index}] cannot index it")
            try:
                _store(data, name, self.item(found, index, depth, 1))
            except _End:  # the line ends after the index: Helm keeps the list as it was
                _store(data, name, found)
                raise
        elif stop == "=":
            try:
                value = self.value()
            except _End:
                value = ""
            _store(data, name, value)
        elif stop == ",":
            raise SetError(f"key {name!r} has no value (a name cannot end with ,)")
        else:
            depth += 1
            if depth > MAX_DEPTH:
                raise SetError(f"names may be at most {MAX_DEPTH} levels deep")
            inner = data.get(name, {})
            if not isinstance(inner, dict):
                raise SetError(f"{name!r} is not a map, so it cannot hold keys")
            try:
                self.key(inner, depth)
            except _End:  # the line ends inside the name: keep what was set on the way
                if inner:
                    _store(data, name, inner)
                raise
            if not inner:
                raise SetError(f"key map {name!r} has no value")
            _store(data, name, inner)

    def item(self, items: list[Any], index: int, depth: int, nesting: int) -> list[Any]:
        """``items`` with the value after ``[index]`` stored at ``index``."""
        if nesting > MAX_DEPTH:
            raise SetError(f"lists may be nested at most {MAX_DEPTH} deep")
        rest, stop = self.until("[.=")
        if rest:
            raise SetError(f"unexpected {rest!r} after the index [{index}]")
        if stop is None:
            raise _End
        if stop == "=":
            try:
                value = self.value()
            except _End:
                value = ""
            return _at(items, index, value)
        if stop == "[":
            inner_index = self.index()
            current = items[index] if index < len(items) else None
            if current is None:
                current = []
            if not isinstance(current, list):
                raise SetError(f"item [{index}] is not a list, so it cannot be indexed")
            return _at(items, index, self.item(current, inner_index, depth, nesting + 1))
        current = items[index] if index < len(items) else None
        inner = current if isinstance(current, dict) else {}
        self.key(inner, depth)
        return _at(items, index, inner)


def _store(data: dict[str, Any], key: str, value: Any) -> None:
    if key:  # Helm drops an empty key
        data[key] = value


def _at(items: list[Any], index: int, value: Any) -> list[Any]:
    if len(items) <= index:
        items = [*items, *([None] * (index + 1 - len(items)))]
    items[index] = value
    return items


def parse_into(line: str, values: dict[str, Any], as_string: bool = False) -> None:
    """Apply one set line (``name=value[,name=value...]``) to ``values``, as Helm does.

    On a SetError ``values`` is unchanged."""
    work = copy.deepcopy(values)
    reader = _Reader(line, as_string)
    try:
        while True:
            reader.key(work, 0)
    except _End:
        pass
    except RecursionError:
        raise SetError("the name is nested too deeply") from None
    values.clear()
    values.update(work)


def escape(text: str) -> str:
    """``text`` as a literal value of a set line (no list, no comma split)."""
    escaped = re.sub(r"([\\,])", r"\\\1", text)
    return "\\" + escaped if escaped.startswith("{") else escaped


def name_of(path: list[str | int]) -> str:
    """The set name that addresses ``path`` (keys escaped, list positions as ``[n]``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = re.sub(r"([\\.=\[,])", r"\\\1", part)
            out += f".{key}" if out else key
    return out
