"""What the detectors found in one repository, and the verdicts checks draw from it."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from platform_maturity.collectors.repository.files import RepoTree


class Status(Enum):
    FOUND = "found"  # the evidence is there
    MISSING = "missing"  # looked for and not there
    VIOLATED = "violated"  # something the detector forbids is there
    NOT_APPLICABLE = "not applicable"  # nothing the detector applies to
    UNKNOWN = "unknown"  # could not tell (git failed)


@dataclass(frozen=True)
class Hit:
    """One piece of evidence inside a repository: a file (and lines), or a git query."""

    file: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    text: str = ""
    query: str | None = None


@dataclass(frozen=True)
class DetectorResult:
    detector: str
    status: Status
    detail: str  # what was found, or what was looked for
    hits: tuple[Hit, ...] = ()
    files: tuple[str, ...] = ()  # files the detector's globs matched
    value: float | None = None


@dataclass
class RepoFacts:
    """One repository: where it is, whose it is, and every detector's result."""

    name: str
    path: Path
    display: str  # how the repository is named in evidence paths
    unit: str | None
    tree: RepoTree
    results: dict[str, DetectorResult] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"repo:{self.name}"

    def matching(self, pattern: str) -> list[DetectorResult]:
        """Results of the detectors whose id matches ``pattern`` (a glob such as ``ci.*``)."""
        return [r for d, r in sorted(self.results.items()) if fnmatch.fnmatchcase(d, pattern)]

    def found(self, pattern: str) -> list[DetectorResult]:
        return [r for r in self.matching(pattern) if r.status is Status.FOUND]


@dataclass(frozen=True)
class Verdict:
    """A check's finding about one repository; ``passed`` None means it could not decide."""

    repo: RepoFacts
    passed: bool | None
    message: str
    hits: tuple[Hit, ...] = ()
    value: float | None = None
