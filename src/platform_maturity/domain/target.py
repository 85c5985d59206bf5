"""Metric targets: ``< 1 day``, ``>= 99.9 percent``, ``~ 30 percent``. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from platform_maturity.domain.units import UnitError, convert, format_value, normalize_unit

COMPARATORS = ("<=", ">=", "<", ">", "~", "=")
_TARGET = re.compile(r"^\s*(<=|>=|<|>|~|=)\s*([-+]?\d+(?:\.\d+)?)\s*([A-Za-z%$]+)?\s*$")


@dataclass(frozen=True)
class Target:
    comparator: str
    value: float
    unit: str
    tolerance: float = 0.0

    @classmethod
    def parse(cls, text: str, tolerance: float | None = None) -> Target:
        match = _TARGET.match(text)
        if not match:
            raise UnitError(
                f"target {text!r} must be a comparator (<, <=, >, >=, ~, =), a number and a unit,"
                " e.g. '< 1 day' or '>= 99.9 percent'"
            )
        comparator, number, unit_text = match.groups()
        if unit_text is None:
            raise UnitError(f"target {text!r} has no unit; write e.g. '{text.strip()} percent'")
        unit = normalize_unit(unit_text)
        if comparator == "~" and tolerance is None:
            raise UnitError(f"target {text!r} uses '~' and needs a tolerance")
        return cls(comparator, float(number), unit, float(tolerance or 0.0))

    def met_by(self, value: float, value_unit: str) -> bool:
        """Whether ``value`` (in ``value_unit``) attains this target."""
        # round away conversion noise (1.1 h is 66 min, not 66.00000000000001)
        v = round(convert(value, value_unit, self.unit), 9)
        if self.comparator == "<":
            return v < self.value
        if self.comparator == "<=":
            return v <= self.value
        if self.comparator == ">":
            return v > self.value
        if self.comparator == ">=":
            return v >= self.value
        if self.comparator == "~":
            return round(abs(v - self.value), 9) <= self.tolerance
        return v == self.value

    def __str__(self) -> str:
        text = f"{self.comparator} {format_value(self.value, self.unit)}"
        if self.comparator == "~" and self.tolerance:
            text += f" (± {format_value(self.tolerance, self.unit)})"
        return text

    def spec(self) -> str:
        """The target in the YAML syntax it was written in."""
        number = f"{self.value:g}"
        return f"{self.comparator} {number} {self.unit}"
