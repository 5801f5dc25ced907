"""outbound: the provider's draft id and when its send was requested

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

The EWS and Graph adapters send through a draft on the server; the ledger keeps its id and the
time a send was requested, so that a later run asks the server about that draft instead of
sending again (flows/mail/port.py: SendJournal).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
# "0001" during development; chained after 0003 (lease) once main had it. Adds columns only.
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbound", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_draft_id", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("send_requested_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound", schema=None) as batch_op:
        batch_op.drop_column("send_requested_at")
        batch_op.drop_column("provider_draft_id")
