"""KPIs per unit: the unit of a recovery drill, and head counts per unit

Revision ID: 0008_kpi_units
Revises: 0007_incident_merges
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_kpi_units"
down_revision = "0007_incident_merges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recovery_drills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", sa.String(length=100), nullable=True))
    op.create_table(
        "unit_headcounts",
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("developers", sa.Float(), nullable=True),
        sa.Column("users", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit", "month", name=op.f("pk_unit_headcounts")),
    )


def downgrade() -> None:
    op.drop_table("unit_headcounts")
    with op.batch_alter_table("recovery_drills", schema=None) as batch_op:
        batch_op.drop_column("unit")
