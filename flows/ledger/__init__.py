"""The ledger: durable record of messages sent and received, submissions, quarantine."""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from flows.ledger.store import Ledger, LedgerError, head_revision, outbound_key

_STORE = frozenset({"Ledger", "LedgerError", "head_revision", "outbound_key"})


def __getattr__(name: str) -> Any:
    # The records are plain data that pure modules (the schedule, the status words) use; the
    # store brings SQLAlchemy, which costs a read-only command a fifth of a second to import.
    if name in _STORE:
        from flows.ledger import store

        return getattr(store, name)
    raise AttributeError(f"module 'flows.ledger' has no attribute {name!r}")


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
