"""What the engine computes: goal outcomes, scores, levels, gaps and differences."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from platform_maturity.domain.records import Outcome


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class GoalResult(_Result):
    code: str
    pillar: str
    category: str
    level: int
    weight: float
    statement: str
    outcome: Outcome
    source: str  # answer | waiver | out-of-scope | units | none
    note: str | None = None
    reason: str | None = None
    evidence_url: str | None = None
    answered_at: datetime | None = None
    unit_outcomes: dict[str, Outcome] = {}
    # automated evidence from scans (source "scan"), next to what people answered
    evidence_summary: str | None = None
    evidence_refs: tuple[str, ...] = ()
    failing_subjects: tuple[str, ...] = ()
    answer_outcome: Outcome | None = None
    disagreement: bool = False


class NextLevel(_Result):
    level: int
    name: str
    missing: tuple[str, ...]


class CategoryResult(_Result):
    id: str
    name: str
    score: float | None
    level: int | None
    level_name: str
    next_level: NextLevel | None = None
    goals: tuple[GoalResult, ...]


class MetricResult(_Result):
    id: str
    name: str
    unit: str
    target: str
    value: float | None
    measured_at: datetime | None
    status: str  # on-target | off-target | no-data
    basis: str  # how the value was obtained


class PillarResult(_Result):
    id: str
    name: str
    weight: float
    score: float | None
    level: int | None
    level_name: str
    coverage: float
    counts: dict[str, int]
    next_level: NextLevel | None
    categories: tuple[CategoryResult, ...]
    metrics: tuple[MetricResult, ...]
    metrics_on_target: int = 0
    metrics_with_data: int = 0


class ScopeResult(_Result):
    """The scorecard of one organizational unit, or of the whole organization."""

    scope: str  # "organization" or a unit slug
    name: str
    score: float | None
    level: int | None
    level_name: str
    coverage: float
    next_level: NextLevel | None = None
    pillars: tuple[PillarResult, ...]
    metrics_on_target: int = 0
    metrics_with_data: int = 0
    open_goals: int = 0


class Gap(_Result):
    rank: int
    code: str
    pillar: str
    pillar_name: str
    level: int
    statement: str
    how: str
    outcome: Outcome
    units_missing: tuple[str, ...]
    blocks_level: int | None


class Scorecard(_Result):
    as_of: datetime
    framework_name: str
    framework_version: str
    organization: ScopeResult
    units: tuple[ScopeResult, ...]
    gaps: tuple[Gap, ...]


class PillarChange(_Result):
    pillar: str
    name: str
    score_before: float | None
    score_after: float | None
    level_before: int | None
    level_after: int | None


class GoalChange(_Result):
    code: str
    pillar: str
    statement: str
    before: Outcome
    after: Outcome
    direction: str  # improved | regressed | changed


class ScorecardDiff(_Result):
    before: str
    after: str
    score_before: float | None
    score_after: float | None
    pillars: tuple[PillarChange, ...]
    improved: tuple[GoalChange, ...]
    regressed: tuple[GoalChange, ...]


class SubjectResult(_Result):
    """One scanned subject (a repository, workload or Terraform resource) across checks."""

    subject: str
    collector: str
    unit: str | None
    passed: int
    failed: int
    waived: int
    undecided: int
    results: dict[str, str]  # check id -> pass | fail | waived | unknown
    refs: dict[str, str] = {}  # check id -> file:line of a failing finding


class ScanResult(_Result):
    """What the latest scan shows: every subject, and which goals it gave evidence for."""

    scanned_at: datetime
    subjects: tuple[SubjectResult, ...]
    goals_with_evidence: tuple[str, ...]
    goals_with_checks: tuple[str, ...]

    @property
    def coverage(self) -> float:
        """Share (0-100) of the goals that have checks which got evidence from this scan."""
        if not self.goals_with_checks:
            return 0.0
        evidenced = set(self.goals_with_evidence) & set(self.goals_with_checks)
        return round(100.0 * len(evidenced) / len(self.goals_with_checks), 1)
