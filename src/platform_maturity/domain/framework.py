"""The maturity model as typed, immutable records, with code and alias lookup."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.target import Target
from platform_maturity.domain.units import UNITS

CODE_PATTERN = r"^[A-Z]{1,2}\.[A-Z]{1,2}\.[0-9]{1,3}$"
SLUG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
METRIC_ID_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9]+(-[a-z0-9]+)*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Model):
    number: int = Field(ge=1, le=9)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Evidence(_Model):
    question: str = Field(min_length=5)
    checks: tuple[str, ...] = ()


class Reference(_Model):
    name: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")


class Goal(_Model):
    code: str = Field(pattern=CODE_PATTERN)
    upstream: str | None = Field(default=None, pattern=CODE_PATTERN)
    aliases: tuple[str, ...] = ()
    level: int = Field(ge=1, le=9)
    weight: float = Field(default=1.0, ge=0)
    statement: str = Field(min_length=5)
    why: str = Field(min_length=5)
    how: str = Field(min_length=5)
    evidence: Evidence
    metrics: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    # filled in by the loader
    pillar: str = ""
    category: str = ""
    in_scope: bool = True
    out_of_scope_reason: str | None = None

    @property
    def all_aliases(self) -> tuple[str, ...]:
        extra = (self.upstream,) if self.upstream and self.upstream != self.code else ()
        return tuple(dict.fromkeys((*extra, *self.aliases)))


class Metric(_Model):
    id: str = Field(pattern=METRIC_ID_PATTERN)
    name: str = Field(min_length=3)
    description: str = Field(min_length=5)
    unit: Literal["ms", "s", "min", "h", "day", "percent", "count", "ratio", "currency"]
    direction: Literal["lower", "higher", "target"]
    tolerance: float | None = Field(default=None, ge=0)
    target: str
    aggregation: Literal["mean", "median", "p50", "p90", "p99", "latest", "ratio", "count"] = (
        "latest"
    )
    kpi: str | None = None
    upstream_row: int | None = Field(default=None, ge=1)
    range: tuple[float | None, float | None] | None = None
    pillar: str = ""

    @property
    def valid_range(self) -> tuple[float | None, float | None]:
        """Values a measurement may take: ``range:`` if given, else by unit.

        Percentages run from 0 to 100, everything else from 0 up. A metric of changes
        (e.g. "change in cost per user") declares its own range.
        """
        if self.range is not None:
            return self.range
        return (0.0, 100.0) if self.unit == "percent" else (0.0, None)

    @field_validator("target")
    @classmethod
    def _target_parses(cls, value: str, info: Any) -> str:
        Target.parse(value, info.data.get("tolerance"))
        return value

    @property
    def parsed_target(self) -> Target:
        return Target.parse(self.target, self.tolerance)


class Category(_Model):
    id: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    summary: str = ""
    goals: tuple[Goal, ...] = Field(min_length=1)


class Pillar(_Model):
    id: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    order: int = 100
    weight: float = Field(default=1.0, ge=0)
    source: Literal["upstream", "authored", "workspace"] = "upstream"
    summary: str = ""
    description: str = Field(min_length=5)
    business_value: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    metrics: tuple[Metric, ...] = ()
    categories: tuple[Category, ...] = Field(min_length=1)

    def goals(self) -> Iterator[Goal]:
        for category in self.categories:
            yield from category.goals


class Kpi(_Model):
    model_config = ConfigDict(extra="allow", frozen=True)
    id: str = Field(pattern=SLUG_PATTERN)
    name: str
    short: str | None = None
    description: str
    formula: str
    unit: str
    direction: Literal["lower", "higher", "target"]
    period: Literal["month", "quarter", "year"] = "quarter"
    breakdowns: tuple[str, ...] = ()
    caveat: str | None = None
    target_metric: str | None = None  # the pillar metric whose target the KPI is held to

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in UNITS:
            raise ValueError(f"unknown unit {value!r}; use one of {', '.join(UNITS)}")
        return value


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


class LookupError_(UserError, KeyError):
    """A code, alias, pillar or metric that the framework does not know."""

    def __init__(self, message: str) -> None:
        UserError.__init__(self, message)

    def __str__(self) -> str:
        return self.message


class Framework(_Model):
    name: str
    version: str
    description: str = ""
    levels: tuple[Level, ...]
    credits: dict[str, float]
    pillars: tuple[Pillar, ...]
    kpis: tuple[Kpi, ...]
    measures: dict[str, Any] = Field(default_factory=dict)

    # ---- iteration -------------------------------------------------------------
    def goals(self) -> Iterator[Goal]:
        for pillar in self.pillars:
            yield from pillar.goals()

    def metrics(self) -> Iterator[Metric]:
        for pillar in self.pillars:
            yield from pillar.metrics

    @property
    def max_level(self) -> int:
        return max(level.number for level in self.levels)

    def level_name(self, number: int) -> str:
        for level in self.levels:
            if level.number == number:
                return level.name
        return "Not started" if number == 0 else f"Level {number}"

    # ---- lookup ----------------------------------------------------------------
    def pillar(self, ref: str) -> Pillar:
        key = ref.strip().lower()
        for pillar in self.pillars:
            if key in (pillar.id, pillar.name.lower(), pillar.prefix.lower()):
                return pillar
        known = [p.id for p in self.pillars]
        raise LookupError_(
            f"unknown pillar {ref!r}{_did_you_mean(key, known)}; pillars: " + ", ".join(known)
        )

    def goal(self, ref: str) -> Goal:
        """Find a goal by code, alias, or ``pillar/code`` for aliases shared upstream."""
        text = ref.strip()
        if "/" in text:
            pillar_ref, code = text.split("/", 1)
            pillar = self.pillar(pillar_ref)
            code = code.upper()
            for goal in pillar.goals():
                if goal.code == code:
                    return goal
            matches = [g for g in pillar.goals() if code in g.all_aliases]
            if len(matches) == 1:
                return matches[0]
            raise LookupError_(f"pillar {pillar.id} has no goal {code!r}")
        code = text.upper()
        for goal in self.goals():
            if goal.code == code:
                return goal
        matches = [g for g in self.goals() if code in g.all_aliases]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            options = ", ".join(f"{g.code} ({g.pillar}/{g.category})" for g in matches)
            raise LookupError_(f"{ref!r} is an upstream code of several goals: {options}; use one")
        codes = [g.code for g in self.goals()]
        raise LookupError_(
            f"unknown goal code {ref!r}{_did_you_mean(code, codes)}; 'maturity framework show"
            " PILLAR' lists the codes"
        )

    def metric(self, ref: str) -> Metric:
        key = ref.strip().lower()
        for metric in self.metrics():
            if metric.id == key:
                return metric
        ids = [m.id for m in self.metrics()]
        candidates = [i for i in ids if key in i] or difflib.get_close_matches(key, ids, n=3)
        hint = f"; did you mean {', '.join(candidates[:5])}?" if candidates else ""
        raise LookupError_(f"unknown metric {ref!r}{hint}")

    def kpi(self, ref: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == ref:
                return kpi
        raise LookupError_(f"unknown KPI {ref!r}")
