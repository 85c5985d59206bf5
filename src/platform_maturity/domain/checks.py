"""Check definitions: what a check looks at, which goals it evidences, how to fix a failure."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CHECK_ID_PATTERN = r"^(k8s|repo|tf)\.[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$"
SOURCES = ("kubernetes", "repository", "terraform")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Equivalents(_Model):
    """Ids of the same check in other tools, for cross-walks and migration."""

    polaris: tuple[str, ...] = ()
    kube_score: tuple[str, ...] = Field(default=(), alias="kube-score")
    kube_linter: tuple[str, ...] = Field(default=(), alias="kube-linter")
    checkov: tuple[str, ...] = ()
    trivy: tuple[str, ...] = ()
    scorecard: tuple[str, ...] = ()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CheckDefinition(_Model):
    """One check. Checks on a single object carry a JSON Schema; checks that relate
    objects name a Python function; repository checks name detectors."""

    id: str = Field(pattern=CHECK_ID_PATTERN)
    title: str = Field(min_length=5, max_length=120)
    source: Literal["kubernetes", "repository", "terraform"]
    goals: tuple[str, ...] = Field(min_length=1)
    severity: Literal["low", "medium", "high", "critical"]
    looks_at: str = Field(min_length=5)
    remediation: str = Field(min_length=5)
    equivalents: Equivalents = Equivalents()
    # what the check is evaluated on:
    #   kubernetes: container | pod | workload | object (any kind listed in `kinds`)
    #   terraform: resource (types listed in `kinds`)
    #   repository: repository | organization
    target: str
    kinds: tuple[str, ...] = ()
    init_containers: bool = False  # container checks: also look at init containers
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    function: str | None = None
    detectors: tuple[str, ...] = ()
    metric: str | None = None  # a percentage metric this check measures (share passing)
    pass_message: str | None = None  # shown for a passing object (default: the title)
    fail_message: str | None = None  # shown for a failing object (default: "fails: <title>")
    position: str | None = None  # where tools disagree: the stance this check takes
    disabled: bool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_matcher(self) -> CheckDefinition:
        matchers = [self.schema_ is not None, self.function is not None, bool(self.detectors)]
        if sum(matchers) != 1:
            raise ValueError("a check needs exactly one of schema, function or detectors")
        return self

    @property
    def kind_label(self) -> str:
        if self.schema_ is not None:
            return "data"
        return "function" if self.function else "detectors"
