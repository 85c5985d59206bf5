"""Tables of downtime visibility: probe results, signals, incidents with their timeline, and
the notifications sent about them. Postmortems of incidents live in the postmortem tables
(subject kind ``incident``), with the columns incidents need added there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from platform_maturity.store.models import Base, UTCDateTime


class ProbeResultRow(Base):
    __tablename__ = "probe_results"
    __table_args__ = (Index("ix_probe_results_component_at", "component", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    probe: Mapped[str] = mapped_column(String(100))
    component: Mapped[str] = mapped_column(String(100))
    flow: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")  # one shown condition per line


class SignalRow(Base):
    __tablename__ = "downtime_signals"
    __table_args__ = (Index("ix_downtime_signals_component_at", "component", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    component: Mapped[str] = mapped_column(String(100))
    flow: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class IncidentRow(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    component: Mapped[str] = mapped_column(String(100), index=True)
    flows: Mapped[str] = mapped_column(String(1000), default="")  # comma-separated flow ids
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    automatic: Mapped[bool] = mapped_column(Boolean)
    started: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    detected: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    mitigated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved: Mapped[datetime | None] = mapped_column(UTCDateTime)
    method: Mapped[str | None] = mapped_column(String(20))


class IncidentUpdateRow(Base):
    __tablename__ = "incident_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean)
    author: Mapped[str] = mapped_column(String(200))


class NotificationRow(Base):
    __tablename__ = "incident_notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
