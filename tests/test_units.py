"""Units of measure, quantities and metric targets (domain/units.py, domain/target.py)."""

from __future__ import annotations

import pytest

from platform_maturity.domain.target import Target
from platform_maturity.domain.units import (
    Quantity,
    UnitError,
    convert,
    dimension,
    format_number,
    format_value,
    humanize_duration,
    normalize_unit,
    parse_quantity,
)

# ---- normalize_unit / dimension ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("ms", "ms"),
        ("milliseconds", "ms"),
        ("sec", "s"),
        ("Seconds", "s"),
        ("m", "min"),
        ("mins", "min"),
        ("minute", "min"),
        ("h", "h"),
        ("hrs", "h"),
        ("HOURS", "h"),
        ("d", "day"),
        ("days", "day"),
        ("%", "percent"),
        ("pct", "percent"),
        ("percent", "percent"),
        ("x", "count"),
        ("ratio", "ratio"),
        ("$", "currency"),
        ("EUR", "currency"),
        ("  day  ", "day"),
    ],
)
def test_normalize_unit(text: str, unit: str) -> None:
    assert normalize_unit(text) == unit


@pytest.mark.parametrize("text", ["parsecs", "", "weeks", "kg", "%%"])
def test_normalize_unit_rejects_unknown(text: str) -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        normalize_unit(text)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("ms", "duration"),
        ("s", "duration"),
        ("min", "duration"),
        ("h", "duration"),
        ("day", "duration"),
        ("percent", "percent"),
        ("ratio", "ratio"),
        ("count", "count"),
        ("currency", "currency"),
    ],
)
def test_dimension(unit: str, expected: str) -> None:
    assert dimension(unit) == expected


# ---- parse_quantity ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "default_unit", "value", "unit"),
    [
        ("4h", "h", 4.0, "h"),
        ("4h", "min", 240.0, "min"),
        ("4 hours", "day", 4 / 24, "day"),
        ("30 min", "min", 30.0, "min"),
        ("30 min", "h", 0.5, "h"),
        ("30min", "s", 1800.0, "s"),
        ("5m", "s", 300.0, "s"),
        ("1500 ms", "s", 1.5, "s"),
        ("2 days", "h", 48.0, "h"),
        ("2 d", "day", 2.0, "day"),
        ("99.95%", "percent", 99.95, "percent"),
        ("99.95 percent", "percent", 99.95, "percent"),
        ("50%", "ratio", 0.5, "ratio"),
        ("0.25 ratio", "percent", 25.0, "percent"),
        # bare numbers are read in the metric's own unit
        ("12", "count", 12.0, "count"),
        ("12", "h", 12.0, "h"),
        ("0.5", "ratio", 0.5, "ratio"),
        ("99.9", "percent", 99.9, "percent"),
        ("  7  ", "day", 7.0, "day"),
        ("+3 s", "s", 3.0, "s"),
        ("-2 day", "h", -48.0, "h"),
        ("1200 $", "currency", 1200.0, "currency"),
    ],
)
def test_parse_quantity(text: str, default_unit: str, value: float, unit: str) -> None:
    quantity = parse_quantity(text, default_unit)
    assert quantity.unit == unit
    assert quantity.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "default_unit"),
    [
        ("4h", "percent"),
        ("99.9%", "h"),
        ("3 count", "day"),
        ("10 min", "currency"),
        ("5 $", "count"),
        ("2 days", "ratio"),
    ],
)
def test_parse_quantity_rejects_wrong_dimension(text: str, default_unit: str) -> None:
    with pytest.raises(UnitError, match=f"measured in {default_unit}"):
        parse_quantity(text, default_unit)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "four hours", "1e3", ".5 h", "5. h", "3,5 h", "4 h 30 min", "h4", "--4 h"],
)
def test_parse_quantity_rejects_garbage(text: str) -> None:
    with pytest.raises(UnitError, match="is not a number"):
        parse_quantity(text, "h")


@pytest.mark.parametrize("text", ["4 parsecs", "3 weeks", "10 kg"])
def test_parse_quantity_rejects_unknown_unit(text: str) -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        parse_quantity(text, "h")


def test_unit_error_is_a_value_error() -> None:
    assert issubclass(UnitError, ValueError)


# ---- convert / Quantity / format_value ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (1.0, "day", "h", 24.0),
        (1.0, "day", "min", 1440.0),
        (90.0, "min", "h", 1.5),
        (1.0, "h", "s", 3600.0),
        (250.0, "ms", "s", 0.25),
        (2.0, "s", "ms", 2000.0),
        (36.0, "h", "day", 1.5),
        (0.5, "ratio", "percent", 50.0),
        (12.5, "percent", "ratio", 0.125),
        (7.0, "count", "count", 7.0),
        (3.0, "currency", "currency", 3.0),
        (5.0, "percent", "percent", 5.0),
    ],
)
def test_convert(value: float, from_unit: str, to_unit: str, expected: float) -> None:
    assert convert(value, from_unit, to_unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [
        ("h", "percent"),
        ("percent", "day"),
        ("count", "ratio"),
        ("currency", "count"),
        ("ms", "currency"),
        ("ratio", "count"),
    ],
)
def test_convert_rejects_other_dimensions(from_unit: str, to_unit: str) -> None:
    with pytest.raises(UnitError, match=f"cannot convert {from_unit} to {to_unit}"):
        convert(1.0, from_unit, to_unit)


def test_quantity_to_and_str() -> None:
    quantity = Quantity(90.0, "min").to("h")
    assert quantity == Quantity(1.5, "h")
    assert str(quantity) == "1 h 30 min"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (12.0, "12"),
        (0.25, "0.25"),
        (99.9, "99.9"),
        (99.95, "99.95"),
        (66.666666, "66.67"),
        (33.333333, "33.33"),
        (12.345678, "12.346"),  # "12.35" would look like a boundary
        (99.899, "99.899"),  # not "99.9"
        (99.8996, "99.8996"),
        (99.949, "99.949"),  # not "99.95"
        (99.999, "99.999"),  # not "100"
        (0.9995, "0.9995"),  # not "1"
        (0.001, "0.001"),
        (0.00012344, "0.0001234"),
        (1999.6, "1999.6"),  # not "2000"
        (123456.0, "123456"),  # no exponent
        (1e20, "100000000000000000000"),
        (-2.5, "-2.5"),
        (0.1 + 0.2, "0.3"),  # float noise is not precision
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        # below a minute: ms and seconds with significant digits
        (200.0, "ms", "200 ms"),
        (0.001, "s", "1 ms"),
        (0.5, "ms", "0.5 ms"),
        (1500.0, "ms", "1.5 s"),
        (2.5, "s", "2.5 s"),
        (59.999, "s", "59.999 s"),  # not "60 s"
        # under ten of the largest unit: with the next smaller one
        (3.91, "min", "3 min 55 s"),
        (1.5, "h", "1 h 30 min"),
        (1.1, "h", "1 h 6 min"),
        (1.5, "day", "1 day 12 h"),
        (3.5, "day", "3 days 12 h"),
        (1 / 3, "min", "20 s"),
        (90.0, "s", "1 min 30 s"),
        # ten or more: the whole largest unit
        (0.79, "day", "19 h"),
        (0.76, "h", "46 min"),
        (45.6, "min", "46 min"),
        (36.2, "h", "1 day 12 h"),
        # whole values
        (4.0, "h", "4 h"),
        (240.0, "min", "4 h"),
        (30.0, "min", "30 min"),
        (1.0, "day", "1 day"),
        (24.0, "h", "1 day"),
        (7.0, "day", "7 days"),
        (90.0, "day", "90 days"),
        (0.0, "day", "0 days"),
        (0.0, "min", "0 min"),
        # never rounded onto a round-looking number
        (23.9, "h", "23 h 54 min"),  # not "24 h" next to "< 1 day"
        (19.6, "h", "19 h 36 min"),  # not "20 h"
        (44.6, "min", "44 min 36 s"),  # not "45 min"
        (59.7, "min", "59 min 42 s"),  # not "60 min"
        (13.6, "day", "13 days 14 h"),  # not "14 days"
        (89.6, "day", "89 days 14 h"),  # not "90 days"
        (29.99, "day", "29.99 days"),  # not "30 days"
        (2.9999, "h", "2.9999 h"),  # not "3 h"
        (-3.0, "h", "-3 h"),
    ],
)
def test_humanize_duration(value: float, unit: str, text: str) -> None:
    assert humanize_duration(value, unit) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (4.0, "h", "4 h"),
        (1.5, "day", "1 day 12 h"),
        (0.79, "day", "19 h"),
        (0.76, "h", "46 min"),
        (3.91, "min", "3 min 55 s"),
        (200.0, "ms", "200 ms"),
        (2.5, "s", "2.5 s"),
        (0.001, "s", "1 ms"),
        (90.0, "day", "90 days"),
        (99.9, "percent", "99.9 %"),
        (99.899, "percent", "99.899 %"),
        (99.999, "percent", "99.999 %"),
        (0.9995, "percent", "0.9995 %"),
        (100.0, "percent", "100 %"),
        (12.0, "count", "12"),
        (2.5, "count", "2.5"),
        (0.25, "ratio", "0.25"),
        (0.9995, "ratio", "0.9995"),
        (1234.5, "currency", "1,234.50"),
        (0.5, "currency", "0.50"),
    ],
)
def test_format_value(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


# ---- Target.parse ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tolerance", "expected"),
    [
        ("< 1 day", None, Target("<", 1.0, "day")),
        ("<= 4 h", None, Target("<=", 4.0, "h")),
        ("> 50 percent", None, Target(">", 50.0, "percent")),
        (">= 99.9 percent", None, Target(">=", 99.9, "percent")),
        (">=99.9%", None, Target(">=", 99.9, "percent")),
        ("= 0 count", None, Target("=", 0.0, "count")),
        ("~ 30 percent", 5, Target("~", 30.0, "percent", 5.0)),
        ("~ 30 percent", 0, Target("~", 30.0, "percent", 0.0)),
        ("<1d", None, Target("<", 1.0, "day")),
        ("  < 200 ms  ", None, Target("<", 200.0, "ms")),
        ("< 5 minutes", None, Target("<", 5.0, "min")),
        ("<= 1000 $", None, Target("<=", 1000.0, "currency")),
        ("< 0.15 ratio", None, Target("<", 0.15, "ratio")),
    ],
)
def test_target_parse(text: str, tolerance: float | None, expected: Target) -> None:
    assert Target.parse(text, tolerance) == expected


@pytest.mark.parametrize(
    ("text", "tolerance", "message"),
    [
        ("< 1", None, "has no unit"),
        ("= 5", None, "has no unit"),
        ("~ 30 percent", None, "needs a tolerance"),
        ("~ 30", 5, "has no unit"),
        ("1 day", None, "must be a comparator"),
        ("== 5 count", None, "must be a comparator"),
        ("=< 5 count", None, "must be a comparator"),
        ("< one day", None, "must be a comparator"),
        ("", None, "must be a comparator"),
        ("less than a day", None, "must be a comparator"),
        ("< 5 parsecs", None, "unknown unit"),
    ],
)
def test_target_parse_errors(text: str, tolerance: float | None, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        Target.parse(text, tolerance)


@pytest.mark.parametrize(
    ("text", "tolerance", "shown", "spec"),
    [
        ("< 1 day", None, "< 1 day", "< 1 day"),
        (">= 99.9 percent", None, ">= 99.9 %", ">= 99.9 percent"),
        ("~ 30 percent", 5, "~ 30 % (± 5 %)", "~ 30 percent"),
        ("<= 200 ms", None, "<= 200 ms", "<= 200 ms"),
        ("< 200 ms", None, "< 200 ms", "< 200 ms"),
        ("<= 90 days", None, "<= 90 days", "<= 90 day"),
        ("<= 4 h", None, "<= 4 h", "<= 4 h"),
        ("< 5 minutes", None, "< 5 min", "< 5 min"),
        ("< 1.5 day", None, "< 1 day 12 h", "< 1.5 day"),
        ("~ 2 h", 0.5, "~ 2 h (± 30 min)", "~ 2 h"),
        (">= 99.95 percent", None, ">= 99.95 %", ">= 99.95 percent"),
        ("< 0.15 ratio", None, "< 0.15", "< 0.15 ratio"),
        ("<= 1000 $", None, "<= 1,000.00", "<= 1000 currency"),
    ],
)
def test_target_str_and_spec(text: str, tolerance: float | None, shown: str, spec: str) -> None:
    target = Target.parse(text, tolerance)
    assert str(target) == shown
    assert target.spec() == spec
    assert Target.parse(target.spec(), tolerance) == target


# ---- Target.met_by -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "tolerance", "value", "unit", "met"),
    [
        # "< 1 day" across duration units
        ("< 1 day", None, 20.0, "h", True),
        ("< 1 day", None, 25.0, "h", False),
        ("< 1 day", None, 24.0, "h", False),
        ("< 1 day", None, 1439.0, "min", True),
        ("< 1 day", None, 0.5, "day", True),
        ("< 1 day", None, 86_400.0, "s", False),
        ("<= 1 day", None, 24.0, "h", True),
        ("<= 4 h", None, 240.0, "min", True),
        ("<= 4 h", None, 241.0, "min", False),
        ("< 5 min", None, 299.0, "s", True),
        ("< 5 min", None, 300.0, "s", False),
        ("< 200 ms", None, 0.15, "s", True),
        ("< 200 ms", None, 0.25, "s", False),
        # greater-than
        ("> 50 percent", None, 50.0, "percent", False),
        ("> 50 percent", None, 50.1, "percent", True),
        (">= 99.9 percent", None, 99.95, "percent", True),
        (">= 99.9 percent", None, 99.8, "percent", False),
        (">= 99.9 percent", None, 0.9995, "ratio", True),
        (">= 99.9 percent", None, 0.99, "ratio", False),
        (">= 0.5 ratio", None, 75.0, "percent", True),
        # equality
        ("= 0 count", None, 0.0, "count", True),
        ("= 0 count", None, 1.0, "count", False),
        ("= 2 h", None, 120.0, "min", True),
        # "~ 30 percent" with a tolerance of 5 (inclusive at both ends)
        ("~ 30 percent", 5, 30.0, "percent", True),
        ("~ 30 percent", 5, 33.0, "percent", True),
        ("~ 30 percent", 5, 25.0, "percent", True),
        ("~ 30 percent", 5, 35.0, "percent", True),
        ("~ 30 percent", 5, 24.0, "percent", False),
        ("~ 30 percent", 5, 36.0, "percent", False),
        ("~ 30 percent", 5, 0.27, "ratio", True),
        ("~ 30 percent", 5, 0.40, "ratio", False),
        ("~ 30 percent", 0, 30.0, "percent", True),
        ("~ 30 percent", 0, 30.5, "percent", False),
        ("~ 2 h", 0.5, 100.0, "min", True),
        ("~ 2 h", 0.5, 160.0, "min", False),
    ],
)
def test_target_met_by(
    target: str, tolerance: float | None, value: float, unit: str, met: bool
) -> None:
    assert Target.parse(target, tolerance).met_by(value, unit) is met


@pytest.mark.parametrize(
    ("target", "value", "unit"),
    [
        ("<= 66 min", 1.1, "h"),
        ("<= 7 percent", 0.07, "ratio"),
        ("= 7 percent", 0.07, "ratio"),
        (">= 700 ms", 0.7, "s"),
    ],
)
def test_target_met_by_on_the_boundary_after_conversion(
    target: str, value: float, unit: str
) -> None:
    assert Target.parse(target).met_by(value, unit) is True


@pytest.mark.parametrize(
    ("target", "unit"),
    [("< 1 day", "percent"), (">= 99.9 percent", "h"), ("= 0 count", "ratio")],
)
def test_target_met_by_rejects_other_dimensions(target: str, unit: str) -> None:
    with pytest.raises(UnitError, match="cannot convert"):
        Target.parse(target).met_by(1.0, unit)
