"""Probe conditions in the Gatus condition grammar, parsed strictly and evaluated purely.

A condition is ``LEFT OP RIGHT`` with exactly one space on each side of the operator, e.g.
``[STATUS] == 200``, ``[RESPONSE_TIME] < 500``, ``[BODY].user.id == 42``,
``len([BODY].items) > 0``, ``[CERTIFICATE_EXPIRATION] > 48h``, ``[STATUS] == any(200, 204)``.

Where Gatus silently accepts nonsense we refuse it when the probe is configured:

- an operator without spaces around it (``[STATUS]==200``);
- an ordering comparison whose side is neither a number nor a duration (Gatus compares it
  as 0);
- a duration with a unit Go does not know (``30d``; we accept ``d`` and ``w`` as days and
  weeks, and say so);
- a placeholder name we do not know (``[STAUTS]``);
- ``pat()`` or ``any()`` with an ordering operator, where they mean nothing.

Floats compare as floats (Gatus truncates ``10.5`` to ``10``). Placeholder values come from
a :class:`Observed` record that the probe fills in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

OPERATORS = ("==", "!=", "<=", ">=", ">", "<")
PLACEHOLDERS = (
    "STATUS",
    "RESPONSE_TIME",
    "IP",
    "CONNECTED",
    "DNS_RCODE",
    "CERTIFICATE_EXPIRATION",
    "BODY",
    "CONTEXT",
)
INVALID = "(INVALID)"
_DURATION_UNITS = {
    "ns": 1e-6,
    "us": 1e-3,
    "µs": 1e-3,
    "ms": 1.0,
    "s": 1000.0,
    "m": 60_000.0,
    "h": 3_600_000.0,
    "d": 86_400_000.0,
    "w": 604_800_000.0,
}
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w))+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_PLACEHOLDER = re.compile(r"^\[([A-Za-z_]+)\]((?:\.[^.\[\]]+|\[\d+\])*)$")
_FUNCTION = re.compile(r"^(len|has|pat|any)\((.*)\)$", re.DOTALL)
_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


class ConditionError(ValueError):
    """A condition that does not parse; the message says what to write instead."""


def parse_duration_ms(text: str) -> float | None:
    """``500ms``, ``48h``, ``1h30m``, ``7d`` → milliseconds; None when not a duration."""
    if not _DURATION.match(text):
        return None
    return sum(float(n) * _DURATION_UNITS[u] for n, u in _DURATION_PART.findall(text))


def _number(text: str) -> float | None:
    if _NUMBER.match(text):
        return float(text)
    if re.match(r"^0[xX][0-9a-fA-F]+$", text):
        return float(int(text, 16))
    return None


@dataclass(frozen=True)
class Operand:
    """One side of a condition."""

    text: str
    function: str | None = None  # len, has, pat, any
    placeholder: str | None = None  # STATUS, BODY, ...
    path: tuple[str | int, ...] = ()
    options: tuple[str, ...] = ()  # any(a, b, c)

    @property
    def is_literal(self) -> bool:
        return self.placeholder is None and self.function is None


def _parse_placeholder(text: str, condition: str) -> tuple[str, tuple[str | int, ...]] | None:
    match = _PLACEHOLDER.match(text)
    if not match:
        if text.startswith("[") and "]" in text:
            raise ConditionError(
                f"{condition!r}: {text!r} is not a placeholder we know; use one of "
                + ", ".join(f"[{p}]" for p in PLACEHOLDERS)
            )
        return None
    name = match.group(1).upper()
    if name not in PLACEHOLDERS:
        raise ConditionError(
            f"{condition!r}: unknown placeholder [{match.group(1)}]; use one of "
            + ", ".join(f"[{p}]" for p in PLACEHOLDERS)
        )
    path: list[str | int] = []
    for key, index in _PATH_PART.findall(match.group(2)):
        path.append(int(index) if index else key)
    if path and name not in ("BODY", "CONTEXT"):
        raise ConditionError(f"{condition!r}: only [BODY] and [CONTEXT] take a path")
    if name == "CONTEXT" and not path:
        raise ConditionError(f"{condition!r}: [CONTEXT] needs a key, e.g. [CONTEXT].token")
    return name, tuple(path)


def _parse_operand(text: str, condition: str) -> Operand:
    text = text.strip()
    if not text:
        raise ConditionError(f"{condition!r}: one side of the operator is empty")
    function = _FUNCTION.match(text)
    if function:
        name, inner = function.group(1), function.group(2).strip()
        if name in ("len", "has"):
            parsed = _parse_placeholder(inner, condition)
            if parsed is None:
                raise ConditionError(
                    f"{condition!r}: {name}() takes a placeholder, e.g. {name}([BODY].items)"
                )
            return Operand(text, function=name, placeholder=parsed[0], path=parsed[1])
        if name == "any":
            options = tuple(o.strip() for o in inner.split(","))
            if not inner or any(not o for o in options):
                raise ConditionError(f"{condition!r}: any() lists values, e.g. any(200, 204)")
            return Operand(text, function="any", options=options)
        if not inner:
            raise ConditionError(f"{condition!r}: pat() needs a pattern, e.g. pat(2*)")
        return Operand(text, function="pat", options=(inner,))
    parsed = _parse_placeholder(text, condition)
    if parsed is not None:
        return Operand(text, placeholder=parsed[0], path=parsed[1])
    return Operand(text)


@dataclass(frozen=True)
class Condition:
    """A parsed condition; build with :func:`parse_condition`."""

    text: str
    left: Operand
    operator: str
    right: Operand

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(p for p in (self.left.placeholder, self.right.placeholder) if p)


def _ordering_value_ok(operand: Operand) -> bool:
    if operand.function == "len":
        return True
    if operand.placeholder in ("STATUS", "RESPONSE_TIME", "CERTIFICATE_EXPIRATION"):
        return True
    if operand.placeholder in ("BODY", "CONTEXT"):
        return True  # checked when evaluated: a non-number then fails the condition
    if operand.is_literal:
        return _number(operand.text) is not None or parse_duration_ms(operand.text) is not None
    return False


def parse_condition(text: str) -> Condition:
    """Parse one condition strictly; raise :class:`ConditionError` with advice otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition is empty; write e.g. '[STATUS] == 200'")
    for op in OPERATORS:
        token = f" {op} "
        if token in text:
            left, right = text.split(token, 1)
            break
    else:
        squeezed = next((op for op in OPERATORS if op in text), None)
        if squeezed:
            fixed = re.sub(r"\s*" + re.escape(squeezed) + r"\s*", f" {squeezed} ", text, count=1)
            raise ConditionError(
                f"{text!r}: put one space on each side of the operator, e.g. {fixed.strip()!r}"
            )
        if "=" in text:
            fixed = re.sub(r"\s*=\s*", " == ", text, count=1).strip()
            raise ConditionError(f"{text!r}: compare with == (one space on each side): {fixed!r}")
        raise ConditionError(
            f"{text!r}: no operator; a condition reads LEFT OP RIGHT with one of "
            + ", ".join(OPERATORS)
            + " (e.g. '[STATUS] == 200')"
        )
    condition = Condition(
        text=text,
        left=_parse_operand(left, text),
        operator=op,
        right=_parse_operand(right, text),
    )
    for side in (condition.left, condition.right):
        if side.function in ("pat", "any") and op not in ("==", "!="):
            raise ConditionError(f"{text!r}: {side.function}() works only with == and !=")
    if condition.left.is_literal and condition.right.is_literal:
        raise ConditionError(
            f"{text!r}: neither side is a placeholder such as [STATUS] or [BODY].path"
        )
    if op not in ("==", "!="):
        for side in (condition.left, condition.right):
            if not _ordering_value_ok(side):
                hint = ""
                match = re.match(r"^(\d+(?:\.\d+)?)([A-Za-z]+)$", side.text)
                if match:
                    hint = f" ({match.group(2)!r} is not a duration unit; use ms, s, m, h, d or w)"
                raise ConditionError(
                    f"{text!r}: {side.text!r} is neither a number nor a duration, so it cannot"
                    f" be compared with {op}{hint}"
                )
    return condition


@dataclass(frozen=True)
class Observed:
    """What a probe saw: the values placeholders resolve to (None when not measured)."""

    status: int | None = None
    response_time_ms: float | None = None
    ip: str | None = None
    connected: bool | None = None
    dns_rcode: str | None = None
    certificate_expiration_ms: float | None = None
    body: str | None = None
    context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConditionResult:
    condition: str
    passed: bool
    shown: str  # the condition with resolved values, e.g. "[STATUS] (503) == 200"


def _json_walk(body: str | None, path: tuple[str | int, ...]) -> tuple[bool, Any]:
    if body is None:
        return False, None
    try:
        value: Any = json.loads(body)
    except (ValueError, RecursionError):
        return False, None
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return False, None
            value = value[part]
        else:
            if not isinstance(value, dict) or part not in value:
                return False, None
            value = value[part]
    return True, value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _format_ms(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def resolve_operand(operand: Operand, seen: Observed) -> tuple[str, Any]:
    """(shown text, value) of one side; value is a str, number, bool or None (invalid)."""
    name = operand.placeholder
    if operand.function == "any" or operand.function == "pat" or name is None:
        return operand.text, operand.text
    raw: Any
    found = True
    if name == "STATUS":
        raw = seen.status
    elif name == "RESPONSE_TIME":
        raw = seen.response_time_ms
    elif name == "IP":
        raw = seen.ip
    elif name == "CONNECTED":
        raw = seen.connected
    elif name == "DNS_RCODE":
        raw = seen.dns_rcode
    elif name == "CERTIFICATE_EXPIRATION":
        raw = seen.certificate_expiration_ms
    elif name == "CONTEXT":
        key = ".".join(str(p) for p in operand.path)
        found = key in seen.context
        raw = seen.context.get(key)
    elif operand.path:
        found, raw = _json_walk(seen.body, operand.path)
    else:
        raw = seen.body.strip() if seen.body is not None else None
        if operand.function == "len" and raw is not None:
            ok, parsed = _json_walk(raw, ())
            if ok and isinstance(parsed, list | dict):
                raw = parsed
    if operand.function == "has":
        return f"{operand.text}", found and raw is not None
    if not found or raw is None:
        return f"{operand.text} {INVALID}", None
    if operand.function == "len":
        length = len(raw) if isinstance(raw, list | dict | str) else len(_text(raw))
        return f"{operand.text} ({length})", length
    if isinstance(raw, float) and name in ("RESPONSE_TIME", "CERTIFICATE_EXPIRATION"):
        return f"{operand.text} ({_format_ms(raw)})", raw
    return f"{operand.text} ({_text(raw)})", raw


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    number = _number(text)
    if number is not None:
        return number
    return parse_duration_ms(text)


def _glob(pattern: str, text: str) -> bool:
    """Shell-style match: * any run, ? one character, [abc] / [!abc] / [^abc] a class."""
    regex = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            regex.append(".*")
        elif ch == "?":
            regex.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                regex.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                regex.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            regex.append(re.escape(ch))
        i += 1
    regex.append("$")
    try:
        return re.match("".join(regex), text, re.DOTALL) is not None
    except re.error:
        return False


def _equal(left: Operand, lv: Any, right: Operand, rv: Any) -> bool:
    for a, bv in ((left, rv), (right, lv)):
        if a.function == "pat":
            return bv is not None and _glob(a.options[0], _text(bv))
        if a.function == "any":
            return bv is not None and _text(bv) in a.options
    if lv is None or rv is None:
        return False
    lt, rt = _text(lv), _text(rv)
    ln, rn = _number(lt), _number(rt)
    if ln is not None and rn is not None:
        return ln == rn
    return lt == rt


def evaluate(condition: Condition, seen: Observed) -> ConditionResult:
    """Evaluate a parsed condition against what a probe saw."""
    left_shown, lv = resolve_operand(condition.left, seen)
    right_shown, rv = resolve_operand(condition.right, seen)
    op = condition.operator
    passed: bool
    if op in ("==", "!="):
        same = _equal(condition.left, lv, condition.right, rv)
        invalid = lv is None or rv is None
        passed = same if op == "==" else (not same and not invalid)
    else:
        ln, rn = _as_number(lv), _as_number(rv)
        if ln is None or rn is None:
            passed = False
        elif op == "<":
            passed = ln < rn
        elif op == "<=":
            passed = ln <= rn
        elif op == ">":
            passed = ln > rn
        else:
            passed = ln >= rn
    return ConditionResult(
        condition=condition.text, passed=passed, shown=f"{left_shown} {op} {right_shown}"
    )
