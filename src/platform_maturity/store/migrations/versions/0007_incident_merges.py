"""incidents merged into another: the surviving incident of an imported incident, and the
merges PagerDuty log entries report (kept apart so log entries may come before incidents)

Revision ID: 0007_incident_merges
Revises: 0006_downtime
Create Date: 2027-01-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_incident_merges"
down_revision = "0006_downtime"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imported_incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.String(length=200), nullable=True))
    op.create_table(
        "incident_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("merged_into", sa.String(length=200), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_merges")),
        sa.UniqueConstraint("source", "source_id", name="uq_incident_merges_source"),
    )


def downgrade() -> None:
    op.drop_table("incident_merges")
    with op.batch_alter_table("imported_incidents", schema=None) as batch_op:
        batch_op.drop_column("merged_into")
