"""downtime visibility: probe results, signals, incidents, their updates and notifications;
incident fields of postmortems (impact, detection, timeline, money figure)

Revision ID: 0006_downtime
Revises: 0005_security_backlog
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_downtime"
down_revision = "0005_security_backlog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postmortems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("users_affected", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("impact_minutes", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("detection", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lost_revenue", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("responder_hours", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("response_cost", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("timeline", sa.Text(), nullable=True))
    op.create_table(
        "probe_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("probe", sa.String(length=100), nullable=False),
        sa.Column("component", sa.String(length=100), nullable=False),
        sa.Column("flow", sa.String(length=100), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probe_results")),
    )
    op.create_index(op.f("ix_probe_results_at"), "probe_results", ["at"])
    op.create_index("ix_probe_results_component_at", "probe_results", ["component", "at"])
    op.create_table(
        "downtime_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("component", sa.String(length=100), nullable=False),
        sa.Column("flow", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downtime_signals")),
    )
    op.create_index("ix_downtime_signals_component_at", "downtime_signals", ["component", "at"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("component", sa.String(length=100), nullable=False),
        sa.Column("flows", sa.String(length=1000), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("mitigated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.DateTime(timezone=True), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_component"), "incidents", ["component"])
    op.create_index(op.f("ix_incidents_started"), "incidents", ["started"])
    op.create_table(
        "incident_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_updates_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_updates")),
    )
    op.create_index(op.f("ix_incident_updates_incident_id"), "incident_updates", ["incident_id"])
    op.create_table(
        "incident_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_notifications_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_notifications")),
    )
    op.create_index(
        op.f("ix_incident_notifications_incident_id"), "incident_notifications", ["incident_id"]
    )


def downgrade() -> None:
    op.drop_table("incident_notifications")
    op.drop_table("incident_updates")
    op.drop_table("incidents")
    op.drop_table("downtime_signals")
    op.drop_table("probe_results")
    with op.batch_alter_table("postmortems", schema=None) as batch_op:
        for column in (
            "timeline",
            "response_cost",
            "responder_hours",
            "lost_revenue",
            "detection",
            "impact_minutes",
            "users_affected",
        ):
            batch_op.drop_column(column)
