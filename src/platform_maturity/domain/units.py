"""Units of measure and quantities: parsing and conversion. Pure."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

Unit = Literal["ms", "s", "min", "h", "day", "percent", "count", "ratio", "currency"]
UNITS: tuple[str, ...] = ("ms", "s", "min", "h", "day", "percent", "count", "ratio", "currency")

_SECONDS: dict[str, float] = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0}

_ALIASES: dict[str, str] = {
    "ms": "ms",
    "msec": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "m": "min",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "day",
    "day": "day",
    "days": "day",
    "%": "percent",
    "percent": "percent",
    "pct": "percent",
    "count": "count",
    "x": "count",
    "ratio": "ratio",
    "currency": "currency",
    "$": "currency",
    "usd": "currency",
    "eur": "currency",
}

_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([A-Za-z%$]*)\s*$")


class UnitError(ValueError):
    """A value or unit that cannot be read or converted."""


def normalize_unit(text: str) -> str:
    """Return the canonical unit for ``text`` (``"hours"`` -> ``"h"``)."""
    key = text.strip().lower()
    if key not in _ALIASES:
        raise UnitError(f"unknown unit {text!r}; use one of {', '.join(UNITS)}")
    return _ALIASES[key]


def dimension(unit: str) -> str:
    """The physical dimension of a canonical unit: duration, percent, count, ratio, currency."""
    return "duration" if unit in _SECONDS else unit


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str

    def to(self, unit: str) -> Quantity:
        return Quantity(convert(self.value, self.unit, unit), unit)

    def __str__(self) -> str:
        return format_value(self.value, self.unit)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` between units of the same dimension."""
    if from_unit == to_unit:
        return value
    if from_unit in _SECONDS and to_unit in _SECONDS:
        return value * _SECONDS[from_unit] / _SECONDS[to_unit]
    if {from_unit, to_unit} == {"percent", "ratio"}:
        return value * 100.0 if from_unit == "ratio" else value / 100.0
    raise UnitError(f"cannot convert {from_unit} to {to_unit}")


def parse_quantity(text: str, default_unit: str) -> Quantity:
    """Read ``"4h"``, ``"30 min"``, ``"99.95%"`` or a bare number in ``default_unit``."""
    match = _QUANTITY.match(text)
    if not match:
        raise UnitError(f"{text!r} is not a number with an optional unit (e.g. 30 min, 99.9%)")
    number, unit_text = match.groups()
    unit = normalize_unit(unit_text) if unit_text else default_unit
    if dimension(unit) != dimension(default_unit) and not (
        {unit, default_unit} == {"percent", "ratio"}
    ):
        raise UnitError(f"{text!r} is in {unit}, but this metric is measured in {default_unit}")
    return Quantity(float(number), unit).to(default_unit)


SIGNIFICANT_DIGITS = 4
_MAX_EXTRA_DIGITS = 6

# Durations read from the largest unit that fits: (unit, seconds, smaller unit, how many).
_DURATION_STEPS: tuple[tuple[str, float, str, int], ...] = (
    ("day", 86400.0, "h", 24),
    ("h", 3600.0, "min", 60),
    ("min", 60.0, "s", 60),
)


def _exact(text: str, value: float) -> bool:
    """Whether ``text`` shows ``value`` itself, not a rounding of it (float noise aside)."""
    return abs(float(text) - value) <= 1e-9 * max(1.0, abs(value))


def format_number(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``value`` with about ``digits`` significant digits, never rounded onto a round number.

    A rounded text that ends in 0 or 5 looks like a boundary (``99.9``, ``100``, ``99.95``),
    so such a rounding gets more digits until it is exact or no longer looks round:
    ``99.899`` -> ``"99.899"``, ``99.999`` -> ``"99.999"``, ``0.9995`` -> ``"0.9995"``,
    ``66.6667`` -> ``"66.67"``. Trailing zeros of the fraction are dropped; no exponents.
    """
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = math.floor(math.log10(abs(value)))
    first = max(0, digits - 1 - magnitude)
    text = ""
    for decimals in range(first, first + _MAX_EXTRA_DIGITS + 1):
        text = f"{value:.{decimals}f}"
        if _exact(text, value) or text[-1] not in "05":
            break
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _duration_unit(unit: str, count: float) -> str:
    return "days" if unit == "day" and count != 1 else unit


def _looks_round(count: int, unit: str, seconds: float) -> bool:
    """Whether a whole ``count`` of ``unit`` reads like a target (``20 h``, ``60 min``)."""
    if count % 5 == 0 or (unit == "day" and count % 7 == 0):
        return True
    larger = {"min": 3600.0, "h": 86400.0}.get(unit)
    return larger is not None and (count * seconds) % larger == 0


def humanize_duration(value: float, unit: str) -> str:
    """A duration as people say it: ``"19 h"``, ``"3 min 55 s"``, ``"1 day 12 h"``.

    Below a second it reads in ms and below a minute in seconds (``"200 ms"``, ``"2.5 s"``).
    Longer ones use the largest unit that fits: under ten of it with the next smaller unit
    (``"1 h 30 min"``), otherwise to the whole unit (``"46 min"``, ``"90 days"``). A value is
    never rounded onto a whole or round-looking number it is not: 23.9 h reads
    ``"23 h 54 min"``, not ``"24 h"``, and 2.9999 h reads ``"2.9999 h"``.
    """
    seconds = convert(value, unit, "s")
    if seconds == 0:
        return f"0 {_duration_unit(unit, 0)}"
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    if seconds < 1.0 - 1e-12:
        return f"{sign}{format_number(seconds * 1000.0)} ms"
    if seconds < 60.0 - 1e-9:
        return f"{sign}{format_number(seconds)} s"
    big, size, small, per = next(step for step in _DURATION_STEPS if seconds >= step[1] - 1e-9)
    count = seconds / size
    whole = round(count)
    if abs(count - whole) <= 1e-9 * max(1.0, count):
        return f"{sign}{whole} {_duration_unit(big, whole)}"
    if count >= 10 and not _looks_round(whole, big, size):
        return f"{sign}{whole} {_duration_unit(big, whole)}"
    major, minor = divmod(round(seconds * per / size), per)
    if minor == 0:  # the smaller unit rounds away: keep the decimals instead
        number = format_number(count)
        return f"{sign}{number} {_duration_unit(big, float(number))}"
    return f"{sign}{major} {_duration_unit(big, major)} {minor} {small}"


def format_value(value: float, unit: str) -> str:
    """A short, precise human form: ``"4 h"``, ``"99.899 %"``, ``"1 day 12 h"``, ``"12"``.

    Numbers keep about four significant digits but are never rounded onto a round number
    (see :func:`format_number`); durations read naturally (see :func:`humanize_duration`).
    """
    if unit == "currency":
        return f"{value:,.2f}"
    if unit in _SECONDS:
        return humanize_duration(value, unit)
    number = format_number(value)
    if unit == "percent":
        return f"{number} %"
    return number
