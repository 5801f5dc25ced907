"""What the ledger returns: frozen records, never ORM objects, so callers cannot mutate state
behind the ledger's back and the records cross process and thread boundaries safely."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

OutboundKind = Literal[
    "invitation",
    "reminder_before",
    "deadline",
    "overdue",
    "escalation",
    "resubmit_request",
    "receipt",
    "rejection",
    "no_attachment_reply",
    "quarantine_notice",
    "version_notice",
    "unauthenticated_reply",
    "report_delivery",
]
OUTBOUND_KINDS: Final[tuple[OutboundKind, ...]] = (
    "invitation",
    "reminder_before",
    "deadline",
    "overdue",
    "escalation",
    "resubmit_request",
    "receipt",
    "rejection",
    "no_attachment_reply",
    "quarantine_notice",
    "version_notice",
    "unauthenticated_reply",
    "report_delivery",
)
# Kinds that chase a board before or after the deadline ("last reminder" in the status).
REMINDER_KINDS: Final[frozenset[str]] = frozenset(
    {"reminder_before", "deadline", "overdue", "escalation", "resubmit_request"}
)

InboundOutcome = Literal[
    "pending", "submitted", "rejected", "quarantined", "no_attachment", "ignored", "duplicate"
]
INBOUND_OUTCOMES: Final[tuple[InboundOutcome, ...]] = (
    "pending",
    "submitted",
    "rejected",
    "quarantined",
    "no_attachment",
    "ignored",
    "duplicate",
)


@dataclass(frozen=True)
class OutboundRecord:
    """One message we send (or will send): reserved first, marked sent after delivery."""

    id: int
    key: str  # the idempotency key; unique
    cycle: str | None
    board: str | None
    kind: str
    plan_key: str
    due_date: dt.date | None
    inbound_sha: str | None  # the message this one answers (receipts, rejections, ...)
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    message_id: str
    reserved_at: dt.datetime
    sent_at: dt.datetime | None
    attempts: int
    last_error: str | None
    provider_draft_id: str | None = None  # the adapter's draft on the server, if it made one
    send_requested_at: dt.datetime | None = None

    @property
    def sent(self) -> bool:
        return self.sent_at is not None


@dataclass(frozen=True)
class InboundRecord:
    """One raw inbound message, archived under `sha256`, and what became of it."""

    sha256: str
    mailbox_item_id: str | None
    message_id: str | None  # the Message-ID header
    sender: str | None
    subject: str | None
    received_at: dt.datetime | None
    stored_at: dt.datetime
    outcome: str
    board: str | None
    cycle: str | None
    detail: str
    processed_at: dt.datetime | None


@dataclass(frozen=True)
class SubmissionRecord:
    """One version of a board's answer for a cycle (1, 2, ... in arrival order)."""

    id: int
    cycle: str
    board: str
    version: int
    inbound_sha: str
    part: str  # which attachment of the inbound message (unique with inbound_sha)
    filename: str
    sender: str | None
    received_at: dt.datetime | None
    recorded_at: dt.datetime
    valid: bool
    parsed_json: str  # ParsedTemplate.to_json()
    errors: int
    warnings: int

    @property
    def problems(self) -> int:
        return self.errors + self.warnings


@dataclass(frozen=True)
class QuarantineRecord:
    inbound_sha: str
    reason: str
    created_at: dt.datetime
    resolved: bool
    resolution: str | None
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class ApprovalRecord:
    """A coordinator's go-ahead for a cycle's first wave (optionally only to a test address)."""

    id: int
    cycle: str
    approved_by: str
    approved_at: dt.datetime
    test_mode_address: str | None
