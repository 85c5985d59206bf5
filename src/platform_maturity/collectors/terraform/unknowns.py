"""Three-valued checks: a JSON Schema verdict that holds whatever an unknown value becomes.

An attribute set from a variable (``"${var.x}"``) or computed at apply time may make a
resource pass or fail. Each unknown is replaced in turn by plausible values (absent,
booleans, numbers around the schema's bounds, the schema's constants, strings that fit
the template's literal text); when every variant gets the same verdict the verdict
stands, otherwise the answer is ``None``: cannot tell.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Protocol

from platform_maturity.collectors.terraform.values import INTERPOLATION, Unknown, template_parts


class _Validator(Protocol):
    def is_valid(self, instance: Any) -> bool: ...


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # a candidate meaning "the attribute is not set"
GENERIC: tuple[Any, ...] = (
    ABSENT,
    True,
    False,
    None,
    0,
    1,
    7,
    90,
    400,
    "",
    "unknown",
    [],
    {},
    [{}],
)
_SRE: Any = importlib.import_module("re._parser")  # the parser behind re, for pattern examples
_CATEGORY_CHARS = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


def _example(items: Sequence[tuple[Any, Any]], pick: int) -> str | None:
    """One string the parsed pattern ``items`` matches (``pick`` chooses alternatives)."""
    out: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("b" if arg == ord("a") else "a")
        elif name == "ANY":
            out.append("x")
        elif name == "IN":
            first_op, first_arg = arg[0]
            if str(first_op) == "LITERAL":
                out.append(chr(first_arg))
            elif str(first_op) == "RANGE":
                out.append(chr(first_arg[0]))
            elif str(first_op) == "CATEGORY" and str(first_arg) in _CATEGORY_CHARS:
                out.append(_CATEGORY_CHARS[str(first_arg)])
            else:
                return None
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, inner = arg
            part = _example(inner, pick)
            if part is None:
                return None
            out.append(part * low)
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            part = _example(arg[-1], pick)
            if part is None:
                return None
            out.append(part)
        elif name == "BRANCH":
            branches = arg[1]
            part = _example(branches[pick % len(branches)], pick)
            if part is None:
                return None
            out.append(part)
        elif name != "AT":
            return None
    return "".join(out)


def pattern_examples(pattern: str, count: int = 4) -> list[str]:
    """A few strings that match ``pattern`` (none when it is too clever to imitate)."""
    try:
        parsed = list(_SRE.parse(pattern))
        compiled = re.compile(pattern)
    except (re.error, RecursionError, TypeError, ValueError):
        return []
    found: list[str] = []
    for pick in range(count):
        text = _example(parsed, pick)
        if text is not None and text not in found and compiled.search(text):
            found.append(text)
    return found


def schema_pool(schema: Any) -> tuple[Any, ...]:
    """Values a schema singles out: its constants, enum members and numeric bounds (±1)."""
    found: list[Any] = []

    def add(value: Any) -> None:
        if not any(type(value) is type(v) and value == v for v in found):
            found.append(value)

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for key, child in node.items():
                if key == "const":
                    add(child)
                elif key == "enum" and isinstance(child, list):
                    for member in child:
                        add(member)
                elif key == "pattern" and isinstance(child, str):
                    for example in pattern_examples(child):
                        add(example)
                elif key == "pattern" and isinstance(child, str):
                    for example in pattern_examples(child):
                        add(example)
                elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                    if isinstance(child, int | float) and not isinstance(child, bool):
                        for delta in (-1, 0, 1):
                            add(child + delta)
                else:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return tuple(found)


def template_candidates(expr: str, pool: tuple[Any, ...]) -> tuple[Any, ...]:
    """Strings a template with literal text (``"db-${var.env}"``) could become."""
    parts = template_parts(expr)
    pattern = re.compile(".*".join(re.escape(p) for p in parts), re.S)
    fits = [v for v in pool if isinstance(v, str) and pattern.fullmatch(v)]
    return (*fits, "x".join(parts), "-".join(parts) + "-unknown")


def _candidates(unknown: Unknown, pool: tuple[Any, ...]) -> tuple[Any, ...]:
    if unknown.candidates is not None:
        return unknown.candidates
    if INTERPOLATION in unknown.expr and "".join(template_parts(unknown.expr)):
        return template_candidates(unknown.expr, pool)
    return (*GENERIC, *pool)


def unknowns_in(value: Any) -> list[Unknown]:
    found: list[Unknown] = []

    def walk(node: Any) -> None:
        if isinstance(node, Unknown):
            found.append(node)
        elif isinstance(node, Mapping):
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return found


def _substitute(node: Any, choose: Mapping[int, Any]) -> Any:
    if isinstance(node, Unknown):
        if id(node) not in choose:  # inside a filling (a dynamic block's content): settled
            return "unknown"
        return _substitute(choose[id(node)], choose)
    if isinstance(node, Mapping):
        result = {}
        for key, child in node.items():
            value = _substitute(child, choose)
            if value is not ABSENT:
                result[key] = value
        return result
    if isinstance(node, list):
        items = [_substitute(child, choose) for child in node]
        return [item for item in items if item is not ABSENT]
    return node


def _settle(node: Any) -> Any:
    """``node`` with every Unknown replaced by a placeholder string."""
    return _substitute(node, {id(u): "unknown" for u in unknowns_in(node)})


def variants(
    value: Any, pool: tuple[Any, ...] = (), relevant: Collection[str] | None = None
) -> Iterator[Any]:
    """``value`` with every Unknown replaced by each of its candidates in turn.

    Unknowns move in lockstep, and (when there are several) shifted against each other
    so that mixed combinations such as (true, false) occur too. Only unknowns under the
    top-level keys in ``relevant`` vary, when it is given; the others are settled."""
    if relevant is not None and isinstance(value, Mapping):
        value = {k: v if k in relevant else _settle(v) for k, v in value.items()}
    unknowns = unknowns_in(value)
    if not unknowns:
        yield value
        return
    lists = [(id(u), _candidates(u, pool)) for u in unknowns]
    rounds = max(len(options) for _key, options in lists)
    for shift in (0,) if len(lists) == 1 else (0, 1, 2, 3):
        for index in range(rounds):
            choose = {
                key: options[(index + number * shift) % len(options)]
                for number, (key, options) in enumerate(lists)
            }
            result = _substitute(value, choose)
            yield None if result is ABSENT else result


def decide(
    validator: _Validator,
    value: Any,
    pool: tuple[Any, ...] | None = None,
    relevant: Collection[str] | None = None,
) -> bool | None:
    """True or False when every variant agrees, None when the unknowns decide.

    ``pool`` defaults to the values the validator's schema singles out; ``relevant``
    (top-level property names the schema looks at) narrows which unknowns matter."""
    if pool is None:
        pool = schema_pool(getattr(validator, "schema", None))
    verdict: bool | None = None
    for number, variant in enumerate(variants(value, pool, relevant)):
        valid = bool(validator.is_valid(variant))
        if number == 0:
            verdict = valid
        elif valid != verdict:
            return None
    return verdict


def mark_interpolations(value: Any) -> Any:
    """A copy of ``value`` with every string holding ``${...}`` made an :class:`Unknown`.

    For Kubernetes objects embedded in Terraform: run ``decide`` on the result so a check
    never passes or fails on a value only Terraform can fill in.
    """
    if isinstance(value, str) and INTERPOLATION in value:
        return Unknown(value)
    if isinstance(value, Mapping):
        return {key: mark_interpolations(child) for key, child in value.items()}
    if isinstance(value, list):
        return [mark_interpolations(child) for child in value]
    return value
