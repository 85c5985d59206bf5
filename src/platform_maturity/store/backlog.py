"""Tables of the security backlog.

Every table here is *restricted* (``info={"restricted": True}``): exports and reports leave
it out unless asked with ``--include-security``, and its audit entries are marked
restricted. Scores, severities and dates are typed columns, so attainment is plain SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from platform_maturity.store.models import Base, UTCDateTime

RESTRICTED = {"info": {"restricted": True}}


class BacklogPolicyRow(Base):
    """A version of the SLA bands; items keep the version they were triaged under."""

    __tablename__ = "backlog_policies"
    __table_args__ = RESTRICTED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    bands: Mapped[str] = mapped_column(Text)  # JSON list of bands
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BacklogItemRow(Base):
    __tablename__ = "backlog_items"
    __table_args__ = RESTRICTED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    component: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    reporter: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(ForeignKey("org_units.slug"))
    risk: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    severity: Mapped[int | None] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    policy_version: Mapped[int | None] = mapped_column(ForeignKey("backlog_policies.version"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sla_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("backlog_items.id"))
    suggested_risk: Mapped[int | None] = mapped_column(Integer)
    suggested_impact: Mapped[int | None] = mapped_column(Integer)
    suggestion_basis: Mapped[str | None] = mapped_column(Text)
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    acceptance_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acceptance_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BacklogScanRow(Base):
    """One imported scanner output."""

    __tablename__ = "backlog_scans"
    __table_args__ = RESTRICTED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(30))
    tool: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(500))
    target_key: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    digest: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    findings: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    fixed: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)


class BacklogFindingRow(Base):
    """What a scanner reported for an item; the fingerprint de-duplicates across imports."""

    __tablename__ = "backlog_findings"
    __table_args__ = RESTRICTED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("backlog_items.id", ondelete="CASCADE"), unique=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(30))
    tool: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(500))
    target_key: Mapped[str] = mapped_column(String(64), index=True)
    rule: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(1000))
    package: Mapped[str | None] = mapped_column(String(300))
    installed_version: Mapped[str | None] = mapped_column(String(100))
    fixed_version: Mapped[str | None] = mapped_column(String(200))
    vuln_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated
    cwes: Mapped[str] = mapped_column(String(300), default="")
    severity: Mapped[str | None] = mapped_column(String(20))
    cvss_score: Mapped[float | None] = mapped_column(Float)
    epss: Mapped[float | None] = mapped_column(Float)
    known_exploited: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20))
    status_note: Mapped[str | None] = mapped_column(Text)
    first_scan_id: Mapped[int | None] = mapped_column(ForeignKey("backlog_scans.id"))
    last_scan_id: Mapped[int | None] = mapped_column(ForeignKey("backlog_scans.id"))
    fixed_by_scan_id: Mapped[int | None] = mapped_column(ForeignKey("backlog_scans.id"))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BacklogReviewRow(Base):
    """A leadership review of the backlog that took place."""

    __tablename__ = "backlog_reviews"
    __table_args__ = RESTRICTED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))


class IntakeLogRow(Base):
    """Every public report received, accepted or not: the basis of rate limits.

    Addresses and emails are kept only as keyed hashes.
    """

    __tablename__ = "backlog_intake_log"
    __table_args__ = RESTRICTED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(40), index=True)  # shown to the reporter
    item_id: Mapped[int | None] = mapped_column(ForeignKey("backlog_items.id", ondelete="SET NULL"))
