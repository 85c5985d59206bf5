"""Tables of imported events. Each row is keyed by (source, source id) so re-imports update.

Typed columns only (no JSON blobs of the source's rows): the KPI engine reads these back as
the records of :mod:`platform_maturity.domain.events`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from platform_maturity.store.models import Base, UTCDateTime


class ImportRunRow(Base):
    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    file: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    rows_read: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)


class WorkItemRow(Base):
    __tablename__ = "work_items"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_work_items_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    project: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(100))
    status_category: Mapped[str] = mapped_column(String(20))
    resolution: Mapped[str | None] = mapped_column(String(20))
    severity: Mapped[str | None] = mapped_column(String(20))
    found_in: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened: Mapped[int] = mapped_column(Integer)
    is_bot: Mapped[bool] = mapped_column(Boolean)
    labels: Mapped[str] = mapped_column(Text)  # newline-separated
    # the status history, one transition a line, tab-separated: Unix time (s), from, to, category
    history: Mapped[str] = mapped_column(Text)


class PullRequestRow(Base):
    __tablename__ = "pull_requests"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_pull_requests_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(32))
    repo: Mapped[str] = mapped_column(String(300))
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str | None] = mapped_column(String(200))
    is_bot: Mapped[bool] = mapped_column(Boolean)
    draft: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unit: Mapped[str | None] = mapped_column(String(100))


class PipelineRunRow(Base):
    __tablename__ = "pipeline_runs"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_pipeline_runs_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    repo: Mapped[str | None] = mapped_column(String(300))
    event: Mapped[str | None] = mapped_column(String(50))
    conclusion: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unit: Mapped[str | None] = mapped_column(String(100))


class DeploymentRow(Base):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_deployments_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(300))
    environment: Mapped[str] = mapped_column(String(100))
    production: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sha: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(100))
    failed_change: Mapped[bool] = mapped_column(Boolean)


class ImportedIncidentRow(Base):
    """An incident read from an incident tool's export (PagerDuty, Opsgenie, CSV); the
    incidents this tool opens itself from downtime live in ``store/downtime.py``."""

    __tablename__ = "imported_incidents"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_imported_incidents_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(20))
    service: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicate: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str | None] = mapped_column(String(100))
    deployment_id: Mapped[str | None] = mapped_column(String(200))
    merged_into: Mapped[str | None] = mapped_column(String(200))


class IncidentMergeRow(Base):
    """An incident merged into another, as a log of the incident tool reports it; applied to
    the imported incident when events are read, whichever of the two was imported first."""

    __tablename__ = "incident_merges"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_incident_merges_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    merged_into: Mapped[str] = mapped_column(String(200))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IssueRefRow(Base):
    """Another id of an imported work item (GitLab's global issue id), by which resource
    events name their issue."""

    __tablename__ = "issue_refs"
    __table_args__ = (UniqueConstraint("source", "ref", name="uq_issue_refs_source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    ref: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))


class IssueEventRow(Base):
    """A state or label event of an issue (GitLab resource events), kept so the events and
    their issue may be imported in either order; the work item's history is built from them
    whenever either is imported."""

    __tablename__ = "issue_events"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_issue_events_source"),
        Index("ix_issue_events_issue", "source", "issue_ref"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[str] = mapped_column(String(200))
    issue_ref: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(300))
    action: Mapped[str | None] = mapped_column(String(20))


class CostLineRow(Base):
    __tablename__ = "cost_lines"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_cost_lines_source"),
        Index("ix_cost_lines_period_start", "period_start"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    billed_cost: Mapped[float] = mapped_column(Float)
    effective_cost: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(10))
    charge_category: Mapped[str] = mapped_column(String(30))
    provider: Mapped[str | None] = mapped_column(String(200))
    service_category: Mapped[str | None] = mapped_column(String(100))
    service_name: Mapped[str | None] = mapped_column(String(200))
    sub_account: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[str] = mapped_column(Text)  # key=value lines


class HeadcountRow(Base):
    __tablename__ = "headcounts"
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    developers: Mapped[float | None] = mapped_column(Float)
    users: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnitHeadcountRow(Base):
    """A unit's developers and active users in one month (the divisors of its cost KPIs)."""

    __tablename__ = "unit_headcounts"
    unit: Mapped[str] = mapped_column(String(100), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    developers: Mapped[float | None] = mapped_column(Float)
    users: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecoveryDrillRow(Base):
    __tablename__ = "recovery_drills"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    scenario: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(100))  # None: the whole organization


class SliWindowRow(Base):
    __tablename__ = "sli_windows"
    __table_args__ = (
        UniqueConstraint("subsystem", "kind", "start", name="uq_sli_windows_subsystem"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subsystem: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    bad: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
    threshold_s: Mapped[float | None] = mapped_column(Float)
    query: Mapped[str | None] = mapped_column(Text)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MttdSampleRow(Base):
    __tablename__ = "mttd_samples"
    __table_args__ = (
        UniqueConstraint("quarter", "source", "source_id", name="uq_mttd_samples_item"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter: Mapped[str] = mapped_column(String(10), index=True)
    source: Mapped[str] = mapped_column(String(50))
    source_id: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
