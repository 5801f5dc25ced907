"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.String(length=100), nullable=False),
        sa.Column("approved_by", sa.String(length=320), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("test_mode_address", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval")),
    )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "inbound",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mailbox_item_id", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("board", sa.String(length=100), nullable=True),
        sa.Column("cycle", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('pending','submitted','rejected','quarantined','no_attachment',"
            "'ignored','duplicate')",
            name=op.f("ck_inbound_outcome"),
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_inbound")),
    )
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_outcome"), ["outcome"], unique=False)

    op.create_table(
        "outbound",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("cycle", sa.String(length=100), nullable=True),
        sa.Column("board", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("plan_key", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("inbound_sha", sa.String(length=64), nullable=True),
        sa.Column("to_addrs", sa.JSON(), nullable=False),
        sa.Column("cc_addrs", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("reserved_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound")),
        sa.UniqueConstraint("key", name=op.f("uq_outbound_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbound_message_id")),
    )
    with op.batch_alter_table("outbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_cycle"), ["cycle"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "quarantine",
        sa.Column("inbound_sha", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inbound_sha"], ["inbound.sha256"], name=op.f("fk_quarantine_inbound_sha_inbound")
        ),
        sa.PrimaryKeyConstraint("inbound_sha", name=op.f("pk_quarantine")),
    )
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle", sa.String(length=100), nullable=False),
        sa.Column("board", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("inbound_sha", sa.String(length=64), nullable=False),
        sa.Column("part", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("parsed_json", sa.Text(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_sha"], ["inbound.sha256"], name=op.f("fk_submission_inbound_sha_inbound")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("cycle", "board", "version", name="uq_submission_version"),
        sa.UniqueConstraint("inbound_sha", "part", name="uq_submission_part"),
    )


def downgrade() -> None:
    op.drop_table("submission")
    op.drop_table("quarantine")
    op.drop_table("sync_state")
    with op.batch_alter_table("outbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_cycle"))

    op.drop_table("outbound")
    with op.batch_alter_table("inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_outcome"))

    op.drop_table("inbound")
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_cycle_id"))

    op.drop_table("approval")
