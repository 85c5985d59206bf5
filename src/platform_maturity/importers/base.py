"""What an importer is: one export format in, source-independent events out.

An importer reads one file and returns an :class:`ImportBatch`. It never touches the store;
the import service writes a batch in one transaction. Bad input raises a
:class:`~platform_maturity.domain.errors.UserError` naming the file, the row (or JSON path)
and the column; nothing is written then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from platform_maturity.domain.events import (
    CostLine,
    Deployment,
    Headcount,
    Incident,
    IncidentMerge,
    IssueEvent,
    IssueRef,
    PipelineRun,
    PullRequest,
    WorkItem,
)
from platform_maturity.domain.kpi_mapping import KpiMapping

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True, slots=True)
class IncidentTimes:
    """Acknowledge and resolve times learned later (e.g. from a PagerDuty log) for an incident."""

    source: str
    source_id: str
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass
class ImportBatch:
    work_items: list[WorkItem] = field(default_factory=list)
    pull_requests: list[PullRequest] = field(default_factory=list)
    runs: list[PipelineRun] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    incident_times: list[IncidentTimes] = field(default_factory=list)
    incident_merges: list[IncidentMerge] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)
    headcounts: list[Headcount] = field(default_factory=list)
    issue_refs: list[IssueRef] = field(default_factory=list)
    issue_events: list[IssueEvent] = field(default_factory=list)
    # the work items as one polars frame (the columns of WorkItem), from importers with a
    # bulk path; only when the context allows frames
    work_frame: pl.DataFrame | None = None
    rows_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1


@dataclass(frozen=True)
class ImportContext:
    mapping: KpiMapping
    timezone: ZoneInfo  # for timestamps without a zone
    currency: str = "USD"
    units: frozenset[str] = frozenset()  # the workspace's unit slugs; empty: not checked
    # the store takes work items as a polars frame (ImportBatch.work_frame): an importer
    # with a bulk path may use it where it gives exactly what its records would
    frames: bool = False


class Importer(Protocol):
    kind: str
    title: str  # one line for --help and the docs

    def read(self, path: Path, context: ImportContext) -> ImportBatch: ...
