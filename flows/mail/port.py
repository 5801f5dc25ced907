"""The Mailbox port: what the flows need from any mail transport.

Adapters (`maildir`, `ews`, `graph`) implement it; only the adapter module imports its client
library. The contract tests in tests/contract/ run against every adapter.

Guarantees every adapter gives:
- `send` is idempotent on `OutboundMessage.message_id`: sending a message whose id was already
  delivered (e.g. a retry after a timeout whose request did reach the server) does not deliver it
  again.
- `fetch_new(state)` returns every message that arrived since `state` was issued, at least once;
  the caller persists `FetchResult.state` only after it has stored the messages (raw), so a crash
  between the two repeats messages rather than losing them. Callers de-duplicate by
  `InboundMessage.id`/content hash.
- `mark_processed` makes a message not come back from later fetches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutboundMessage:
    message_id: str  # RFC 5322 Message-ID we choose, e.g. "<remind.hbtqia-2026.kfn.1@followup>"
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InboundMessage:
    id: str  # the adapter's stable id for this message (Maildir key, EWS ItemId, Graph id)
    raw: bytes  # the full RFC 5322 message as received
    received: str | None = None  # ISO 8601 timestamp from the server, if it gives one


@dataclass(frozen=True)
class FetchResult:
    messages: list[InboundMessage]
    state: str | None  # opaque sync state; pass it to the next fetch_new
    more: bool = False  # True if the server has more to give right now (call again)


class MailError(Exception):
    """A mail operation failed. `transient` errors may be retried; others need a person."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@runtime_checkable
class Mailbox(Protocol):
    """One mailbox: the address boards write to and the system sends from."""

    address: str

    def send(self, message: OutboundMessage) -> None:
        """Deliver the message once, even if called again with the same message_id."""

    def was_sent(self, message_id: str) -> bool:
        """True if a message with this Message-ID is in the sent items."""

    def fetch_new(self, state: str | None) -> FetchResult:
        """Messages in the inbox that arrived since `state` (None: everything unprocessed)."""

    def mark_processed(self, message_id: str, outcome: str) -> None:
        """Tag the inbound message (by InboundMessage.id) and move it out of the inbox."""
