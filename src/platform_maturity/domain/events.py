"""Source-independent events the KPI engine reads: work items, changes, runs, incidents, costs.

Importers (one per export format) and other features (probes, the downtime tracker) turn
what they read into these records; nothing here knows where a record came from beyond its
``source`` and ``source_id``. They are plain slotted dataclasses rather than Pydantic
models because imports and KPI runs handle millions of them.

Every timestamp is an aware UTC datetime.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # NumPy is imported by the KPI paths only, not by every command
    from platform_maturity.domain.work_table import WorkTable

WorkKind = Literal["feature", "bug", "task", "other"]
FoundIn = Literal["qa", "production", "unknown"]
StatusCategory = Literal["todo", "in_progress", "done"]
Resolution = Literal["done", "duplicate", "not_planned"]
RunKind = Literal["ci", "cd", "e2e", "other"]
CostBucket = Literal["developer", "user", "shared", "excluded"]

WORK_KINDS: tuple[str, ...] = ("feature", "bug", "task", "other")


@dataclass(slots=True)
class Transition:
    """A work item moving from one status to another.

    Not frozen, like :class:`WorkItem` and for the same reason: imports build millions.
    Treat it as immutable all the same.
    """

    at: datetime
    from_status: str | None
    to_status: str
    to_category: StatusCategory


@dataclass(slots=True)
class WorkItem:
    """A ticket, card or issue, classified by the workspace's mapping.

    Not frozen, unlike the other records, only for speed: a frozen dataclass sets each
    field through ``object.__setattr__``, which doubles the cost of building the million
    items a KPI run reads. Treat it as immutable all the same (use ``dataclasses.replace``).

    ``started_at`` is the first move into an in-progress status; ``completed_at`` is the
    final completion (None while the item is open, also when it was closed and reopened);
    ``first_completed_at`` the first one. ``reopened`` counts moves out of done.
    """

    source: str
    source_id: str
    key: str
    kind: WorkKind
    created_at: datetime
    title: str = ""
    project: str | None = None
    unit: str | None = None
    status: str | None = None
    status_category: StatusCategory = "todo"
    resolution: Resolution | None = None
    severity: str | None = None
    found_in: FoundIn = "unknown"
    started_at: datetime | None = None
    completed_at: datetime | None = None
    first_completed_at: datetime | None = None
    reopened: int = 0
    is_bot: bool = False
    labels: tuple[str, ...] = ()
    transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True, slots=True)
class PullRequest:
    source: str
    source_id: str
    repo: str
    number: int
    created_at: datetime
    author: str | None = None
    is_bot: bool = False
    draft: bool = False
    ready_at: datetime | None = None  # out of draft; None when it never was a draft
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """One attempt of a CI/CD pipeline or an end-to-end test suite."""

    source: str
    source_id: str
    name: str
    kind: RunKind
    created_at: datetime
    repo: str | None = None
    event: str | None = None
    conclusion: str | None = None  # success, failure, cancelled, ...
    started_at: datetime | None = None
    finished_at: datetime | None = None
    unit: str | None = None

    @property
    def duration_s(self) -> float | None:
        start = self.started_at or self.created_at
        if self.finished_at is None:
            return None
        return (self.finished_at - start).total_seconds()


@dataclass(frozen=True, slots=True)
class Deployment:
    source: str
    source_id: str
    service: str
    environment: str
    production: bool
    status: str  # success, failure, in_progress, ...
    created_at: datetime
    finished_at: datetime | None = None
    sha: str | None = None
    unit: str | None = None
    failed_change: bool = False  # rolled back, hot-fixed or linked to an incident by the source


@dataclass(frozen=True, slots=True)
class Incident:
    source: str
    source_id: str
    title: str
    created_at: datetime  # detected: the incident was opened or triggered
    severity: str | None = None
    service: str | None = None
    status: str | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    duplicate: bool = False  # merged into another incident
    unit: str | None = None
    deployment_id: str | None = None  # the deployment that caused it, where the source says
    merged_into: str | None = None  # the source id of the incident it was merged into


@dataclass(frozen=True, slots=True)
class IncidentMerge:
    """An incident merged into another (a duplicate), as an incident tool's log reports it."""

    source: str
    source_id: str
    merged_into: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssueRef:
    """Another id of a work item in its tracker: GitLab's global issue ``id`` beside
    ``project#iid``. Resource events name their issue by it."""

    source: str
    ref: str
    source_id: str


@dataclass(frozen=True, slots=True)
class IssueEvent:
    """One change of an issue as its tracker's resource events report it, kept apart so the
    events and the issue may be imported in either order.

    ``kind`` is ``state`` (``value`` opened, closed or reopened) or ``label`` (``value`` the
    label's name, ``action`` add or remove). ``issue_ref`` is the issue's other id (see
    :class:`IssueRef`); ``event_id`` is unique per source.
    """

    source: str
    event_id: str
    issue_ref: str
    at: datetime
    kind: Literal["state", "label"]
    value: str
    action: str | None = None


@dataclass(frozen=True, slots=True)
class CostLine:
    """A FOCUS-shaped billing line (AWS CUR lines are mapped onto the same fields)."""

    source: str
    source_id: str
    period_start: datetime
    period_end: datetime
    billed_cost: float
    effective_cost: float
    currency: str
    charge_category: str = "Usage"
    provider: str | None = None
    service_category: str | None = None
    service_name: str | None = None
    sub_account: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Headcount:
    """Developers and active users in one month (its first day)."""

    month: date
    developers: float | None = None
    users: float | None = None
    note: str | None = None
    unit: str | None = None  # None: the whole organization


@dataclass(frozen=True, slots=True)
class RecoveryDrill:
    source_id: str
    started_at: datetime
    restored_at: datetime | None
    success: bool
    scenario: str = ""
    notes: str | None = None
    unit: str | None = None  # None: the whole organization (or not recorded)


@dataclass(frozen=True, slots=True)
class SliWindow:
    """Counts of good and bad actions of one subsystem over one window (error or latency)."""

    subsystem: str
    kind: Literal["error", "latency"]
    start: datetime
    end: datetime
    bad: float
    total: float
    threshold_s: float | None = None
    query: str | None = None


@dataclass(frozen=True, slots=True)
class MttdSample:
    """A production bug drawn for the quarter's detection-time analysis."""

    quarter: str
    source: str
    source_id: str
    key: str
    title: str
    deployed_at: datetime | None = None
    detected_at: datetime | None = None
    note: str | None = None
    unit: str | None = None  # the unit of the work item drawn, as the store knows it


@dataclass(frozen=True)
class EventSet:
    """Everything the KPI engine reads, as loaded from the store."""

    work_items: list[WorkItem] = field(default_factory=list)
    pull_requests: list[PullRequest] = field(default_factory=list)
    runs: list[PipelineRun] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)
    headcounts: list[Headcount] = field(default_factory=list)
    drills: list[RecoveryDrill] = field(default_factory=list)
    sli: list[SliWindow] = field(default_factory=list)
    mttd: list[MttdSample] = field(default_factory=list)
    # the work items as columns, when the store loaded them so (the KPI engine's fast way);
    # otherwise the engine builds it from ``work_items``
    work_table: WorkTable | None = None


@dataclass
class ImportResult:
    file: str
    kind: str
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)  # what else happened -> count

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())
