"""The line of a value inside JSON text, found by its path — for error messages only.

Python's json module parses fast but forgets positions; when a scanner file turns out
malformed, this walks the text once more along the one path that matters.
"""

from __future__ import annotations

import json

PathKey = tuple[str | int, ...]
_WS = " \t\r\n"
_decoder = json.JSONDecoder()


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _skip_string(text: str, i: int) -> int:
    """``i`` at an opening quote → the index after the closing one."""
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        i += 1
    return i


def _skip_value(text: str, i: int) -> int:
    i = _skip_ws(text, i)
    if i >= len(text):
        return i
    c = text[i]
    if c == '"':
        return _skip_string(text, i)
    if c in "[{":
        depth = 0
        while i < len(text):
            c = text[i]
            if c == '"':
                i = _skip_string(text, i)
                continue
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i
    while i < len(text) and text[i] not in ",]}" + _WS:
        i += 1
    return i


def _find(text: str, i: int, path: PathKey) -> int | None:
    i = _skip_ws(text, i)
    if not path or i >= len(text):
        return i if i < len(text) else None
    head, rest = path[0], path[1:]
    c = text[i]
    if c == "{" and isinstance(head, str):
        i += 1
        while True:
            i = _skip_ws(text, i)
            if i >= len(text) or text[i] == "}":
                return None
            if text[i] != '"':
                return None
            end = _skip_string(text, i)
            try:
                key = json.loads(text[i:end])
            except ValueError:
                return None
            i = _skip_ws(text, end)
            if i >= len(text) or text[i] != ":":
                return None
            i += 1
            if key == head:
                return _find(text, i, rest)
            i = _skip_ws(text, _skip_value(text, i))
            if i < len(text) and text[i] == ",":
                i += 1
    if c == "[" and isinstance(head, int):
        i += 1
        index = 0
        while True:
            i = _skip_ws(text, i)
            if i >= len(text) or text[i] == "]":
                return None
            if index == head:
                return _find(text, i, rest)
            i = _skip_ws(text, _skip_value(text, i))
            index += 1
            if i < len(text) and text[i] == ",":
                i += 1
    return None


def line_of(text: str, path: PathKey) -> int | None:
    """1-based line where the value at ``path`` starts (or its nearest existing parent)."""
    probe = tuple(path)
    while True:
        position = _find(text, 0, probe)
        if position is not None:
            return text.count("\n", 0, position) + 1
        if not probe:
            return None
        probe = probe[:-1]
