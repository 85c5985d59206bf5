"""The security backlog policy as typed, validated data.

Risk (probability of exploitation within twelve months) and impact (financial liability)
are scored 1-5 against anchored levels; severity is their product (1-25). The SLA policy
maps half-open severity bands to deadlines. The built-in policy lives in
``framework/measures/security-backlog.yaml``; a workspace adjusts it under ``backlog:``.
"""

from __future__ import annotations

import hashlib
import json
from itertools import pairwise
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

SEVERITY_MIN, SEVERITY_MAX = 1, 25
SLUG = r"^[a-z][a-z0-9-]*$"
# the 14 products two scores from 1 to 5 can make; the other numbers up to 25 never occur
REACHABLE = tuple(sorted({r * i for r in range(1, 6) for i in range(1, 6)}))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RiskLevel(_Model):
    """One anchor of the risk scale: how likely exploitation within twelve months is."""

    value: int = Field(ge=1, le=5)
    name: str = Field(min_length=1)
    description: str = Field(min_length=5)
    probability_percent: float = Field(gt=0, le=100)  # the expected value used for losses
    range_percent: tuple[float, float]  # what people pick this level for: [low, high)


class ImpactLevel(_Model):
    """One anchor of the impact scale: the money lost if the vulnerability were exploited."""

    value: int = Field(ge=1, le=5)
    name: str = Field(min_length=1)
    description: str = Field(min_length=5)
    max_amount: float | None = Field(default=None, gt=0)  # upper end of the range; None: open
    expected_amount: float | None = Field(default=None, gt=0)  # default: the range's middle


def _five(levels: tuple[RiskLevel, ...] | tuple[ImpactLevel, ...], what: str) -> None:
    values = [level.value for level in levels]
    if values != [1, 2, 3, 4, 5]:
        raise ValueError(f"the {what} scale needs exactly the levels 1 to 5 in order, not {values}")


class RiskScale(_Model):
    description: str
    levels: tuple[RiskLevel, ...]

    @model_validator(mode="after")
    def _check(self) -> Self:
        _five(self.levels, "risk")
        previous_high = 0.0
        for level in self.levels:
            low, high = level.range_percent
            if low != previous_high or not low < high <= 100:
                raise ValueError(
                    f"risk level {level.value}: the ranges must run from 0 to 100 percent without"
                    f" gaps; this one is [{low}, {high}) after one ending at {previous_high}"
                )
            if not low <= level.probability_percent <= high:
                raise ValueError(
                    f"risk level {level.value}: probability_percent {level.probability_percent}"
                    f" lies outside its range [{low}, {high})"
                )
            previous_high = high
        if previous_high != 100:
            raise ValueError("the risk ranges must end at 100 percent")
        return self

    def level(self, value: int) -> RiskLevel:
        return self.levels[value - 1]


class ImpactScale(_Model):
    description: str
    levels: tuple[ImpactLevel, ...]

    @model_validator(mode="after")
    def _check(self) -> Self:
        _five(self.levels, "impact")
        previous = 0.0
        for level in self.levels[:-1]:
            if level.max_amount is None or level.max_amount <= previous:
                raise ValueError(
                    f"impact level {level.value}: max_amount must be above the level below"
                    f" ({previous:,.0f}); only the top level is open-ended"
                )
            previous = level.max_amount
        top = self.levels[-1]
        if top.max_amount is not None and top.max_amount <= previous:
            raise ValueError("impact level 5: max_amount must be above level 4's")
        if top.max_amount is None and top.expected_amount is None:
            raise ValueError(
                "impact level 5 is open-ended, so it needs an expected_amount (the loss to"
                " expect when it happens)"
            )
        for level in self.levels:
            low, high = self.range(level.value)
            if level.expected_amount is not None and not (
                low <= level.expected_amount and (high is None or level.expected_amount <= high)
            ):
                raise ValueError(
                    f"impact level {level.value}: expected_amount {level.expected_amount:,.0f}"
                    " lies outside its range"
                )
        return self

    def level(self, value: int) -> ImpactLevel:
        return self.levels[value - 1]

    def range(self, value: int) -> tuple[float, float | None]:
        """The money range of a level: from the level below's maximum to its own."""
        low = 0.0 if value == 1 else float(self.levels[value - 2].max_amount or 0.0)
        return low, self.levels[value - 1].max_amount

    def expected_amount(self, value: int) -> float:
        """The loss to expect at this level: its stated amount, else the range's middle."""
        level = self.level(value)
        if level.expected_amount is not None:
            return level.expected_amount
        low, high = self.range(value)
        assert high is not None  # the validator demands expected_amount for open ranges
        return (low + high) / 2


class SlaBand(_Model):
    """Severities ``min`` ≤ s < ``max_exclusive`` and the deadlines that apply to them."""

    name: str = Field(pattern=SLUG)
    min: int = Field(ge=SEVERITY_MIN, le=SEVERITY_MAX)
    max_exclusive: int = Field(ge=SEVERITY_MIN + 1, le=SEVERITY_MAX + 1)
    resolve_within_days: int = Field(ge=1, le=3650)
    start_within_days: int | None = Field(default=None, ge=0, le=3650)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.min >= self.max_exclusive:
            raise ValueError(
                f"band {self.name}: min ({self.min}) must be below max_exclusive"
                f" ({self.max_exclusive})"
            )
        if self.start_within_days is not None and self.start_within_days > self.resolve_within_days:
            raise ValueError(f"band {self.name}: work cannot start after the resolution deadline")
        return self

    def contains(self, severity: int) -> bool:
        return self.min <= severity < self.max_exclusive

    @property
    def label(self) -> str:
        return f"{self.name} [{self.min}, {self.max_exclusive})"

    @property
    def deadline_text(self) -> str:
        resolve = _days_text(self.resolve_within_days)
        if self.start_within_days is None:
            return f"resolve within {resolve}"
        start = (
            "at once" if self.start_within_days <= 1 else f"within {self.start_within_days} days"
        )
        return f"start {start}, resolve within {resolve}"


def _days_text(days: int) -> str:
    if days % 365 == 0:
        return f"{days // 365} year" + ("s" if days > 365 else "")
    if days in (30, 31):
        return "1 month"
    if days % 30 == 0 or days in (90, 91, 92, 180, 181, 182, 183):
        months = round(days / 30.4)
        return f"{months} months"
    return f"{days} days"


class SlaPolicy(_Model):
    """Half-open, non-overlapping bands covering every severity from 1 to 25."""

    bands: tuple[SlaBand, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        names = [b.name for b in self.bands]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"band name {name!r} is used twice")
        ordered = sorted(self.bands, key=lambda b: b.min)
        if ordered[0].min != SEVERITY_MIN:
            raise ValueError(
                f"severities {SEVERITY_MIN} to {ordered[0].min - 1} belong to no band;"
                f" the first band must start at {SEVERITY_MIN}"
            )
        for before, after in pairwise(ordered):
            if after.min < before.max_exclusive:
                overlap = f"{after.min}" + (
                    f" to {min(before.max_exclusive, after.max_exclusive) - 1}"
                    if min(before.max_exclusive, after.max_exclusive) - 1 > after.min
                    else ""
                )
                raise ValueError(
                    f"bands {before.label} and {after.label} overlap (severity {overlap} is in"
                    " both); make them half-open: each band's min is the previous band's"
                    " max_exclusive"
                )
            if after.min > before.max_exclusive:
                raise ValueError(
                    f"severities {before.max_exclusive} to {after.min - 1} belong to no band"
                    f" (between {before.label} and {after.label})"
                )
        if ordered[-1].max_exclusive != SEVERITY_MAX + 1:
            raise ValueError(
                f"severities {ordered[-1].max_exclusive} to {SEVERITY_MAX} belong to no band;"
                f" the last band's max_exclusive must be {SEVERITY_MAX + 1}"
            )
        return self

    def band_for(self, severity: int) -> SlaBand:
        for band in self.bands:
            if band.contains(severity):
                return band
        raise ValueError(f"severity {severity} is outside 1..25")

    def cells(self, band: SlaBand) -> list[tuple[int, int]]:
        """The (risk, impact) pairs whose product falls in ``band``."""
        return [(r, i) for r in range(1, 6) for i in range(1, 6) if band.contains(r * i)]

    def ordered(self) -> tuple[SlaBand, ...]:
        return tuple(sorted(self.bands, key=lambda b: b.min))

    def digest(self) -> str:
        """Identity of the deadlines: the same bands give the same digest."""
        payload = [b.model_dump() for b in self.ordered()]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class ScannerHint(_Model):
    """A suggested (risk, impact) for a scanner's own severity word."""

    risk: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)


class EpssRule(_Model):
    risk: int = Field(ge=1, le=5)
    min_epss: float = Field(ge=0, le=1)


class Suggestions(_Model):
    """How imported findings get a *suggested* risk and impact (people confirm at triage).

    Impact follows the scanner's severity (or CVSS score bands); risk follows it too,
    raised by a high EPSS score and set to the top when the vulnerability is known to be
    exploited (CISA KEV).
    """

    by_severity: dict[str, ScannerHint]
    cvss_bands: dict[str, float]  # lower CVSS score of each severity word
    epss_risk: tuple[EpssRule, ...] = ()  # the risk suggested from an EPSS score up
    known_exploited_risk: int = Field(default=5, ge=1, le=5)

    @model_validator(mode="after")
    def _check(self) -> Self:
        missing = {"critical", "high", "medium", "low"} - set(self.by_severity)
        if missing:
            raise ValueError(
                "by_severity needs critical, high, medium and low; missing: "
                + ", ".join(sorted(missing))
            )
        unknown = set(self.cvss_bands) - set(self.by_severity)
        if unknown:
            raise ValueError(
                "cvss_bands names severities by_severity lacks: " + ", ".join(sorted(unknown))
            )
        return self

    def severity_for_cvss(self, score: float) -> str:
        for word, low in sorted(self.cvss_bands.items(), key=lambda kv: -kv[1]):
            if score >= low:
                return word
        return "low"


class ReviewPolicy(_Model):
    cadence_days: int = Field(ge=1, le=92)


class SecurityBacklogPolicy(_Model):
    """The whole policy: scales, SLA bands, review cadence, suggestions, postmortem threshold."""

    risk_scale: RiskScale
    impact_scale: ImpactScale
    sla_policy: SlaPolicy
    review: ReviewPolicy
    suggestions: Suggestions
    postmortem_min_severity: int = Field(default=16, ge=1, le=25)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    def expected_annual_loss(self, risk: int, impact: int) -> float:
        """Probability of exploitation within a year × the loss expected at that impact."""
        probability = self.risk_scale.level(risk).probability_percent / 100
        return probability * self.impact_scale.expected_amount(impact)
