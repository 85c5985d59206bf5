"""The ``backlog:`` section of maturity.yaml: the workspace's adjustments to the policy,
its disclosure contacts and the limits of the public intake."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_maturity.domain.backlog_policy import (
    SecurityBacklogPolicy,
    SlaBand,
    SlaPolicy,
)


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImpactOverride(_Config):
    """Change one impact level's money range (amounts in the backlog currency)."""

    value: int = Field(ge=1, le=5)
    name: str | None = None
    description: str | None = None
    max_amount: float | None = Field(default=None, gt=0)
    expected_amount: float | None = Field(default=None, gt=0)


class DisclosureSettings(_Config):
    """Where and how people report security issues: feeds security.txt and SECURITY.md."""

    contacts: list[str] = []  # mailto:, https:// or tel: URIs, most preferred first
    policy: str | None = None  # the public page on how to report (https://)
    canonical: list[
        str
    ] = []  # where security.txt is served, e.g. https://example.com/.well-known/security.txt
    languages: list[str] = ["en"]
    encryption: str | None = None  # a key: https://..., dns:...?type=OPENPGPKEY or openpgp4fpr:...
    acknowledgments: str | None = None
    hiring: str | None = None
    expires_days: int = Field(default=365, ge=1, le=365)
    acknowledge_within_days: int = Field(default=3, ge=1, le=30)
    disclosure_days: int = Field(default=90, ge=1, le=365)


class IntakeSettings(_Config):
    """Limits for public reports (the web form that uses them comes with the web app)."""

    max_title: int = Field(default=200, ge=20, le=300)
    max_description: int = Field(default=20000, ge=200, le=100000)
    max_total_bytes: int = Field(default=50000, ge=1000, le=200000)
    per_client_per_hour: int = Field(default=5, ge=1, le=1000)
    per_email_per_hour: int = Field(default=5, ge=1, le=1000)
    total_per_hour: int = Field(default=100, ge=1, le=100000)
    min_fill_seconds: int = Field(default=5, ge=0, le=600)
    max_form_age_hours: int = Field(default=24, ge=1, le=168)


class BacklogSettings(_Config):
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")  # default: organization's
    sla_bands: list[SlaBand] | None = None  # replaces the framework's bands
    impact_levels: list[ImpactOverride] = []
    review_cadence_days: int | None = Field(default=None, ge=1, le=92)
    postmortem_min_severity: int | None = Field(default=None, ge=1, le=25)
    disclosure: DisclosureSettings = DisclosureSettings()
    intake: IntakeSettings = IntakeSettings()

    @field_validator("sla_bands")
    @classmethod
    def _bands_are_valid(cls, bands: list[SlaBand] | None) -> list[SlaBand] | None:
        if bands is not None:
            SlaPolicy(bands=tuple(bands))  # half-open, no gaps, no overlaps
        return bands

    @field_validator("impact_levels")
    @classmethod
    def _levels_once(cls, levels: list[ImpactOverride]) -> list[ImpactOverride]:
        values = [level.value for level in levels]
        if len(values) != len(set(values)):
            raise ValueError("impact_levels names a level twice")
        return levels


def effective_policy(
    base: dict[str, Any], settings: BacklogSettings, organization_currency: str
) -> SecurityBacklogPolicy:
    """The framework's policy with the workspace's changes, validated as a whole.

    Raises ``ValueError`` (from pydantic) when the combination is not a valid policy, e.g.
    money ranges that no longer increase.
    """
    data = dict(base)
    if settings.sla_bands is not None:
        data["sla_policy"] = {"bands": [b.model_dump() for b in settings.sla_bands]}
    if settings.impact_levels:
        scale = dict(data["impact_scale"])
        levels = [dict(level) for level in scale["levels"]]
        for change in settings.impact_levels:
            level = levels[change.value - 1]
            for key, value in change.model_dump(exclude_unset=True).items():
                if key != "value":
                    level[key] = value
        scale["levels"] = levels
        data["impact_scale"] = scale
    if settings.review_cadence_days is not None:
        data["review"] = {"cadence_days": settings.review_cadence_days}
    if settings.postmortem_min_severity is not None:
        data["postmortem_min_severity"] = settings.postmortem_min_severity
    data["currency"] = settings.currency or organization_currency
    return SecurityBacklogPolicy.model_validate(data)
