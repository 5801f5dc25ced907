"""intake boundary: interrupted processing attempts, quarantine digests

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "intake_attempt",
        sa.Column("inbound_sha", sa.String(length=64), nullable=False),
        sa.Column("unfinished", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_sha"],
            ["inbound.sha256"],
            name=op.f("fk_intake_attempt_inbound_sha_inbound"),
        ),
        sa.PrimaryKeyConstraint("inbound_sha", name=op.f("pk_intake_attempt")),
    )
    op.create_table(
        "quarantine_digest",
        sa.Column("inbound_sha", sa.String(length=64), nullable=False),
        sa.Column("digest_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_sha"],
            ["quarantine.inbound_sha"],
            name=op.f("fk_quarantine_digest_inbound_sha_quarantine"),
        ),
        sa.PrimaryKeyConstraint("inbound_sha", name=op.f("pk_quarantine_digest")),
    )
    with op.batch_alter_table("quarantine_digest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantine_digest_digest_key"), ["digest_key"], unique=False
        )
    # Quarantines from before this revision were announced one by one already.
    op.execute(
        "INSERT INTO quarantine_digest (inbound_sha, digest_key, created_at) "
        "SELECT inbound_sha, 'notice', created_at FROM quarantine"
    )


def downgrade() -> None:
    with op.batch_alter_table("quarantine_digest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_digest_digest_key"))
    op.drop_table("quarantine_digest")
    op.drop_table("intake_attempt")
