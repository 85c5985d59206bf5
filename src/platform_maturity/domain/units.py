"""Units of measure and quantities: parsing and conversion. Pure."""

from __future__ import annotations

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


def format_value(value: float, unit: str) -> str:
    """A short human form: ``"4 h"``, ``"99.9 %"``, ``"12"``."""
    number = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    if unit == "percent":
        return f"{number} %"
    if unit in ("count", "ratio"):
        return number
    if unit == "currency":
        return f"{value:,.2f}"
    return f"{number} {unit}"
