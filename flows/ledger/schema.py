"""The ledger's tables (SQLAlchemy 2, typed). Changing them needs a new Alembic revision under
`migrations/versions/`; tests check that the migrations produce exactly these tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset: store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; use an aware (UTC) datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Outbound(Base):
    __tablename__ = "outbound"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    cycle: Mapped[str | None] = mapped_column(String(100), index=True)
    board: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    plan_key: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    inbound_sha: Mapped[str | None] = mapped_column(String(64))
    to_addrs: Mapped[list[str]] = mapped_column(JSON)
    cc_addrs: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    reserved_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The adapter's draft of this message on the server (EWS ItemId, Graph id), and when its
    # send was requested (migration 0004).
    provider_draft_id: Mapped[str | None] = mapped_column(String(512))
    send_requested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Inbound(Base):
    __tablename__ = "inbound"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('pending','submitted','rejected','quarantined','no_attachment',"
            "'ignored','duplicate')",
            name="outcome",
        ),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mailbox_item_id: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    stored_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    board: Mapped[str | None] = mapped_column(String(100))
    cycle: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Submission(Base):
    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("cycle", "board", "version", name="uq_submission_version"),
        UniqueConstraint("inbound_sha", "part", name="uq_submission_part"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle: Mapped[str] = mapped_column(String(100))
    board: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    inbound_sha: Mapped[str] = mapped_column(ForeignKey("inbound.sha256"))
    part: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))
    received_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    valid: Mapped[bool] = mapped_column(Boolean)
    parsed_json: Mapped[str] = mapped_column(Text)
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)


class SyncState(Base):
    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Quarantine(Base):
    __tablename__ = "quarantine"

    inbound_sha: Mapped[str] = mapped_column(ForeignKey("inbound.sha256"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Approval(Base):
    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[str] = mapped_column(String(100), index=True)
    approved_by: Mapped[str] = mapped_column(String(320))
    approved_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    test_mode_address: Mapped[str | None] = mapped_column(String(320))


class Lease(Base):
    """Who works a mailbox right now (see `flows.ledger.leases`): one row per lease name."""

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(400), primary_key=True)
    owner: Mapped[str] = mapped_column(String(300))
    acquired_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    renewed: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # the last renewal
