"""issue resource events (GitLab state and label events) and the other ids of work items
they name their issue by, kept so events and issues may be imported in either order

Revision ID: 0009_issue_events
Revises: 0008_kpi_units
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_issue_events"
down_revision = "0008_kpi_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issue_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_refs")),
        sa.UniqueConstraint("source", "ref", name="uq_issue_refs_source"),
    )
    op.create_table(
        "issue_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("issue_ref", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_events")),
        sa.UniqueConstraint("source", "event_id", name="uq_issue_events_source"),
    )
    op.create_index("ix_issue_events_issue", "issue_events", ["source", "issue_ref"])


def downgrade() -> None:
    op.drop_index("ix_issue_events_issue", table_name="issue_events")
    op.drop_table("issue_events")
    op.drop_table("issue_refs")
