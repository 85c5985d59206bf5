"""The format of a check file, validated with Pydantic at the boundary.

Only validating a check file anew imports this module: the catalog holds plain
:class:`~platform_maturity.domain.checks.CheckDefinition` dataclasses, which is also what
the catalog cache stores, so a scan with a warm cache never imports Pydantic for checks.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from platform_maturity.domain.checks import (
    CHECK_ID_PATTERN,
    CheckDefinition,
    Equivalents,
    Severity,
    Source,
)


class _File(BaseModel):
    # populate_by_name: the attribute names (kube_score, schema_) are accepted as well
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EquivalentsFile(_File):
    """The ``equivalents`` section of a check file."""

    polaris: tuple[str, ...] = ()
    kube_score: tuple[str, ...] = Field(default=(), alias="kube-score")
    kube_linter: tuple[str, ...] = Field(default=(), alias="kube-linter")
    checkov: tuple[str, ...] = ()
    trivy: tuple[str, ...] = ()
    scorecard: tuple[str, ...] = ()

    def to_equivalents(self) -> Equivalents:
        return Equivalents(**{f.name: getattr(self, f.name) for f in fields(Equivalents)})


class CheckFile(_File):
    """One check file; see docs/checks.md for what each field means."""

    id: str = Field(pattern=CHECK_ID_PATTERN)
    title: str = Field(min_length=5, max_length=120)
    source: Source
    goals: tuple[str, ...] = Field(min_length=1)
    severity: Severity
    looks_at: str = Field(min_length=5)
    remediation: str = Field(min_length=5)
    equivalents: EquivalentsFile = EquivalentsFile()
    target: str
    kinds: tuple[str, ...] = ()
    init_containers: bool = False
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    function: str | None = None
    detectors: tuple[str, ...] = ()
    metric: str | None = None
    pass_message: str | None = None
    fail_message: str | None = None
    position: str | None = None
    disabled: bool = False

    @model_validator(mode="after")
    def _one_matcher(self) -> CheckFile:
        matchers = [self.schema_ is not None, self.function is not None, bool(self.detectors)]
        if sum(matchers) != 1:
            raise ValueError("a check needs exactly one of schema, function or detectors")
        return self

    def to_definition(self) -> CheckDefinition:
        """The check as the rest of the code sees it."""
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(CheckDefinition)}
        values["equivalents"] = self.equivalents.to_equivalents()
        return CheckDefinition(**values)
