"""the security backlog: items, findings, scans, SLA policies, reviews, intake; postmortems;
restricted audit entries

Revision ID: 0005_security_backlog
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_security_backlog"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "postmortems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("proximate_cause", sa.Text(), nullable=False),
        sa.Column("cost_amount", sa.Float(), nullable=True),
        sa.Column("cost_currency", sa.String(length=3), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postmortems")),
    )
    op.create_index("ix_postmortems_subject", "postmortems", ["subject_kind", "subject_id"])
    op.create_table(
        "postmortem_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("postmortem_id", sa.Integer(), nullable=False),
        sa.Column("goal_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["postmortem_id"],
            ["postmortems.id"],
            name=op.f("fk_postmortem_gaps_postmortem_id_postmortems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postmortem_gaps")),
    )
    op.create_index(op.f("ix_postmortem_gaps_goal_code"), "postmortem_gaps", ["goal_code"])
    op.create_index(op.f("ix_postmortem_gaps_postmortem_id"), "postmortem_gaps", ["postmortem_id"])
    op.create_table(
        "postmortem_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("postmortem_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["postmortem_id"],
            ["postmortems.id"],
            name=op.f("fk_postmortem_actions_postmortem_id_postmortems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postmortem_actions")),
    )
    op.create_index(
        op.f("ix_postmortem_actions_postmortem_id"), "postmortem_actions", ["postmortem_id"]
    )


def downgrade() -> None:
    op.drop_table("postmortem_actions")
    op.drop_table("postmortem_gaps")
    op.drop_index("ix_postmortems_subject", table_name="postmortems")
    op.drop_table("postmortems")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("restricted")
