"""Tables of postmortems: generic records attached to a subject (a backlog item, an incident).

Gaps and action items have their own rows so that "what did postmortems naming this goal
cost?" is plain SQL. A postmortem about a restricted subject (a security backlog item) is
itself restricted: exports and reports leave it out unless asked.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from platform_maturity.store.models import Base, UTCDateTime


class PostmortemRow(Base):
    __tablename__ = "postmortems"
    __table_args__ = (Index("ix_postmortems_subject", "subject_kind", "subject_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    proximate_cause: Mapped[str] = mapped_column(Text)
    cost_amount: Mapped[float | None] = mapped_column(Float)
    cost_currency: Mapped[str | None] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    restricted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # incidents: impact, detection, timeline (JSON) and the parts of the money figure
    users_affected: Mapped[int | None] = mapped_column(Integer)
    impact_minutes: Mapped[float | None] = mapped_column(Float)
    detection: Mapped[str | None] = mapped_column(Text)
    lost_revenue: Mapped[float | None] = mapped_column(Float)
    responder_hours: Mapped[float | None] = mapped_column(Float)
    response_cost: Mapped[float | None] = mapped_column(Float)
    timeline: Mapped[str | None] = mapped_column(Text)


class PostmortemGapRow(Base):
    __tablename__ = "postmortem_gaps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    goal_code: Mapped[str] = mapped_column(String(20), index=True)


class PostmortemActionRow(Base):
    __tablename__ = "postmortem_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(20))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
