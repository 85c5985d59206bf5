"""Check definitions: what a check looks at, which goals it evidences, how to fix a failure.

Plain frozen dataclasses, not Pydantic models: a scan reads the validated catalog from the
cache and builds these directly, so it neither imports Pydantic nor builds a schema for
them. A check file is validated at the boundary, by ``checks/check_file.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

CHECK_ID_PATTERN = r"^(k8s|repo|tf)\.[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$"
SOURCES = ("kubernetes", "repository", "terraform")

Source = Literal["kubernetes", "repository", "terraform"]
Severity = Literal["low", "medium", "high", "critical"]


@dataclass(frozen=True, slots=True)
class Equivalents:
    """Ids of the same check in other tools, for cross-walks and migration."""

    polaris: tuple[str, ...] = ()
    kube_score: tuple[str, ...] = ()
    kube_linter: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    trivy: tuple[str, ...] = ()
    scorecard: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckDefinition:
    """One check. Checks on a single object carry a JSON Schema; checks that relate
    objects name a Python function; repository checks name detectors (exactly one of
    the three, which the check file's validation ensures)."""

    id: str
    title: str
    source: Source
    goals: tuple[str, ...]
    severity: Severity
    looks_at: str
    remediation: str
    equivalents: Equivalents = Equivalents()
    # what the check is evaluated on:
    #   kubernetes: container | pod | workload | object (any kind listed in `kinds`)
    #   terraform: resource (types listed in `kinds`)
    #   repository: repository | organization
    target: str
    kinds: tuple[str, ...] = ()
    init_containers: bool = False  # container checks: also look at init containers
    schema_: dict[str, Any] | None = None  # `schema` in a check file
    function: str | None = None
    detectors: tuple[str, ...] = ()
    metric: str | None = None  # a percentage metric this check measures (share passing)
    pass_message: str | None = None  # shown for a passing object (default: the title)
    fail_message: str | None = None  # shown for a failing object (default: "fails: <title>")
    position: str | None = None  # where tools disagree: the stance this check takes
    disabled: bool = False

    @property
    def kind_label(self) -> str:
        if self.schema_ is not None:
            return "data"
        return "function" if self.function else "detectors"
