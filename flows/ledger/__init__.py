"""The ledger: durable record of messages sent and received, submissions, quarantine."""

from flows.ledger.records import (
    INBOUND_OUTCOMES,
    OUTBOUND_KINDS,
    REMINDER_KINDS,
    ApprovalRecord,
    InboundOutcome,
    InboundRecord,
    OutboundKind,
    OutboundRecord,
    QuarantineRecord,
    SubmissionRecord,
)
from flows.ledger.store import Ledger, LedgerError, head_revision, outbound_key

__all__ = [
    "INBOUND_OUTCOMES",
    "OUTBOUND_KINDS",
    "REMINDER_KINDS",
    "ApprovalRecord",
    "InboundOutcome",
    "InboundRecord",
    "Ledger",
    "LedgerError",
    "OutboundKind",
    "OutboundRecord",
    "QuarantineRecord",
    "SubmissionRecord",
    "head_revision",
    "outbound_key",
]
