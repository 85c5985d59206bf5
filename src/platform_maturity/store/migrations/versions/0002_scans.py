"""scans, and observations tied to the scan that made them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("roots", sa.Text(), nullable=False),
        sa.Column("inputs", sa.Integer(), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scan_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_observations_scan_id"), ["scan_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_observations_scan_id_scans"),
            "scans",
            ["scan_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_observations_scan_id_scans"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_observations_scan_id"))
        batch_op.drop_column("scan_id")
    op.drop_table("scans")
