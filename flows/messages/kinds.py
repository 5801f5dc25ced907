"""The kinds of message the system sends (the same names as the ledger's `OutboundKind`)."""

from __future__ import annotations

from typing import Literal

# Sent by the remind flow, to a board. "escalation" is an overdue reminder with the escalation
# contact in copy.
RequestKind = Literal[
    "invitation", "reminder_before", "deadline", "overdue", "escalation", "resubmit_request"
]
REQUEST_KINDS: tuple[RequestKind, ...] = (
    "invitation",
    "reminder_before",
    "deadline",
    "overdue",
    "escalation",
    "resubmit_request",
)

# Sent by the collect flow, in answer to an inbound message (or to the coordinator about one).
# "version_notice" goes to all of a board's contacts when a new version of its answer arrives.
ReplyKind = Literal[
    "receipt",
    "rejection",
    "no_attachment_reply",
    "quarantine_notice",
    "version_notice",
    "unauthenticated_reply",
]
REPLY_KINDS: tuple[ReplyKind, ...] = (
    "receipt",
    "rejection",
    "no_attachment_reply",
    "quarantine_notice",
    "version_notice",
    "unauthenticated_reply",
)
