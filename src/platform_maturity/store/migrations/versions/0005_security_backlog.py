"""the security backlog: items, findings, scans, SLA policies, reviews, intake; postmortems;
restricted audit entries

Revision ID: 0005_security_backlog
Revises: 0004_kpi_events
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_security_backlog"
down_revision = "0004_kpi_events"
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
    upgrade_backlog()


def upgrade_backlog() -> None:
    op.create_table(
        "backlog_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("bands", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_policies")),
        sa.UniqueConstraint("digest", name=op.f("uq_backlog_policies_digest")),
        sa.UniqueConstraint("version", name=op.f("uq_backlog_policies_version")),
    )
    op.create_table(
        "backlog_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_reviews")),
    )
    op.create_index(
        op.f("ix_backlog_reviews_held_at"), "backlog_reviews", ["held_at"], unique=False
    )
    op.create_table(
        "backlog_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=False),
        sa.Column("tool", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("fixed", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_scans")),
    )
    op.create_index(
        op.f("ix_backlog_scans_target_key"), "backlog_scans", ["target_key"], unique=False
    )
    op.create_table(
        "backlog_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("component", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reporter", sa.String(length=200), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("risk", sa.Integer(), nullable=True),
        sa.Column("impact", sa.Integer(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sla_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("suggested_risk", sa.Integer(), nullable=True),
        sa.Column("suggested_impact", sa.Integer(), nullable=True),
        sa.Column("suggestion_basis", sa.Text(), nullable=True),
        sa.Column("accepted_by", sa.String(length=200), nullable=True),
        sa.Column("acceptance_reason", sa.Text(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acceptance_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["backlog_items.id"],
            name=op.f("fk_backlog_items_duplicate_of_backlog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_version"],
            ["backlog_policies.version"],
            name=op.f("fk_backlog_items_policy_version_backlog_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["unit"], ["org_units.slug"], name=op.f("fk_backlog_items_unit_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_items")),
    )
    op.create_index(
        op.f("ix_backlog_items_component"), "backlog_items", ["component"], unique=False
    )
    op.create_index(
        op.f("ix_backlog_items_reported_at"), "backlog_items", ["reported_at"], unique=False
    )
    op.create_index(
        op.f("ix_backlog_items_resolved_at"), "backlog_items", ["resolved_at"], unique=False
    )
    op.create_index(op.f("ix_backlog_items_severity"), "backlog_items", ["severity"], unique=False)
    op.create_index(op.f("ix_backlog_items_state"), "backlog_items", ["state"], unique=False)
    op.create_table(
        "backlog_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=False),
        sa.Column("tool", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=True),
        sa.Column("package", sa.String(length=300), nullable=True),
        sa.Column("installed_version", sa.String(length=100), nullable=True),
        sa.Column("fixed_version", sa.String(length=200), nullable=True),
        sa.Column("vuln_ids", sa.Text(), nullable=False),
        sa.Column("cwes", sa.String(length=300), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("cvss_score", sa.Float(), nullable=True),
        sa.Column("epss", sa.Float(), nullable=True),
        sa.Column("known_exploited", sa.Boolean(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("first_scan_id", sa.Integer(), nullable=True),
        sa.Column("last_scan_id", sa.Integer(), nullable=True),
        sa.Column("fixed_by_scan_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_scan_id"],
            ["backlog_scans.id"],
            name=op.f("fk_backlog_findings_first_scan_id_backlog_scans"),
        ),
        sa.ForeignKeyConstraint(
            ["fixed_by_scan_id"],
            ["backlog_scans.id"],
            name=op.f("fk_backlog_findings_fixed_by_scan_id_backlog_scans"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["backlog_items.id"],
            name=op.f("fk_backlog_findings_item_id_backlog_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_scan_id"],
            ["backlog_scans.id"],
            name=op.f("fk_backlog_findings_last_scan_id_backlog_scans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_findings")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_backlog_findings_fingerprint")),
        sa.UniqueConstraint("item_id", name=op.f("uq_backlog_findings_item_id")),
    )
    op.create_index(
        op.f("ix_backlog_findings_target_key"), "backlog_findings", ["target_key"], unique=False
    )
    op.create_table(
        "backlog_intake_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=True),
        sa.Column("email_hash", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["backlog_items.id"],
            name=op.f("fk_backlog_intake_log_item_id_backlog_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_intake_log")),
    )
    op.create_index(
        op.f("ix_backlog_intake_log_client_hash"),
        "backlog_intake_log",
        ["client_hash"],
        unique=False,
    )
    op.create_index(
        op.f("ix_backlog_intake_log_content_hash"),
        "backlog_intake_log",
        ["content_hash"],
        unique=False,
    )
    op.create_index(
        op.f("ix_backlog_intake_log_email_hash"), "backlog_intake_log", ["email_hash"], unique=False
    )
    op.create_index(
        op.f("ix_backlog_intake_log_reference"), "backlog_intake_log", ["reference"], unique=False
    )
    op.create_index(
        op.f("ix_backlog_intake_log_received_at"),
        "backlog_intake_log",
        ["received_at"],
        unique=False,
    )


def downgrade() -> None:
    for table in (
        "backlog_intake_log",
        "backlog_findings",
        "backlog_items",
        "backlog_scans",
        "backlog_reviews",
        "backlog_policies",
    ):
        op.drop_table(table)
    op.drop_table("postmortem_actions")
    op.drop_table("postmortem_gaps")
    op.drop_index("ix_postmortems_subject", table_name="postmortems")
    op.drop_table("postmortems")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("restricted")
