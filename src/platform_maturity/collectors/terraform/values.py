"""Values only Terraform knows, and the ``${...}`` interpolations that mark them in text.

Kept apart from :mod:`~platform_maturity.collectors.terraform.model` (resources and their
records): the Kubernetes collector needs these for every scan, the records only when
there is Terraform to read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

INTERPOLATION = "${"


class Unknown:
    """A value that is only known when Terraform applies the configuration.

    ``candidates`` narrows what it could be (a template with literal text is a string);
    ``None`` means anything.
    """

    __slots__ = ("candidates", "expr")

    def __init__(self, expr: str, candidates: tuple[Any, ...] | None = None) -> None:
        self.expr = expr
        self.candidates = candidates

    def __repr__(self) -> str:
        return f"Unknown({self.expr!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.expr == self.expr

    def __hash__(self) -> int:
        return hash(self.expr)


def closing_brace(text: str, index: int) -> int:
    """Where the ``}`` closing a brace opened just before ``index`` is (nested braces and
    double-quoted strings skipped); ``len(text)`` when nothing closes it."""
    depth, quoted = 0, False
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return len(text)


def interpolation_spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end offsets of each ``${...}`` (nested braces and strings skipped)."""
    start = text.find(INTERPOLATION)
    while start >= 0:
        end = closing_brace(text, start + 2)
        yield start, min(end + 1, len(text))
        start = text.find(INTERPOLATION, end + 1)


def template_parts(text: str) -> list[str]:
    """The literal text around each ``${...}`` of a template: n expressions, n+1 parts."""
    parts: list[str] = []
    last = 0
    for start, end in interpolation_spans(text):
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return parts
