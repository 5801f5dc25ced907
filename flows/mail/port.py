"""The Mailbox port: what the flows need from any mail transport.

Adapters (`maildir`, `ews`, `graph`) implement it; only the adapter module imports its client
library. The contract tests in tests/contract/ run against every adapter.

Guarantees every adapter gives:
- `send` is idempotent on `OutboundMessage.message_id`: sending a message whose id was already
  delivered (e.g. a retry after a timeout whose request did reach the server) does not deliver it
  again. Adapters that send through a server-side draft (EWS, Graph) also offer `send_recorded`
  (`RecordedSending`): the caller's `SendJournal` keeps the draft's id, so a retry in a later run
  asks the server about that draft instead of guessing from timing.
- Retries are the adapter's, within a budget. A server that asks for a longer wait than the
  budget (throttling) gets `MailDeferred`: the work waits for a later run.
- `fetch_new(state)` returns every message that arrived since `state` was issued, at least once;
  the caller persists `FetchResult.state` only after it has stored the messages (raw), so a crash
  between the two repeats messages rather than losing them. Callers de-duplicate by
  `InboundMessage.id`/content hash.
- `mark_processed` makes a message not come back from later fetches.
"""

from __future__ import annotations

import datetime as dt
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


class MailDeferred(MailError):
    """The server asked us to wait longer than the retry budget allows (throttling): leave the
    work for a later run. Nothing was lost; nothing was done twice."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, transient=True)
        self.retry_after = retry_after


class SendPending(MailError):
    """A send request may have been accepted (its answer was lost) and the server has not yet
    shown the outcome: sending again now could deliver twice. A later run looks again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=True)


class SendJournal(Protocol):
    """Where an adapter notes, per Message-ID, the draft it made and when it asked to send it.
    The ledger keeps it (flows.outbox.LedgerJournal); it survives crashes and runs."""

    def draft_of(self, message_id: str) -> str | None: ...

    def record_draft(self, message_id: str, draft_id: str | None) -> None: ...

    def send_requested_at(self, message_id: str) -> dt.datetime | None: ...

    def record_send_requested(self, message_id: str, at: dt.datetime | None) -> None:
        """`at` None: the request was refused (e.g. throttled), nothing is on its way."""


class MemoryJournal:
    """A SendJournal for one process (what `send` uses when no journal is given)."""

    def __init__(self) -> None:
        self._drafts: dict[str, str | None] = {}
        self._requested: dict[str, dt.datetime] = {}

    def draft_of(self, message_id: str) -> str | None:
        return self._drafts.get(message_id)

    def record_draft(self, message_id: str, draft_id: str | None) -> None:
        self._drafts[message_id] = draft_id
        if draft_id is None:
            self._requested.pop(message_id, None)

    def send_requested_at(self, message_id: str) -> dt.datetime | None:
        return self._requested.get(message_id)

    def record_send_requested(self, message_id: str, at: dt.datetime | None) -> None:
        if at is None:
            self._requested.pop(message_id, None)
        else:
            self._requested[message_id] = at


@runtime_checkable
class RecordedSending(Protocol):
    """An adapter whose sends go through a server-side draft the journal keeps track of."""

    def send_recorded(self, message: OutboundMessage, journal: SendJournal) -> None: ...


@runtime_checkable
class Mailbox(Protocol):
    """One mailbox: the address boards write to and the system sends from."""

    address: str

    def send(self, message: OutboundMessage) -> None:
        """Deliver the message once, even if called again with the same message_id."""

    def was_sent(self, message_id: str) -> bool:
        """True if a message with this Message-ID was handed to transport (it is in the Outbox
        or Sent Items; Exchange files the Sent Items copy only after transport sent it)."""

    def fetch_new(self, state: str | None) -> FetchResult:
        """Messages in the inbox that arrived since `state` (None: everything unprocessed)."""

    def mark_processed(self, message_id: str, outcome: str) -> None:
        """Tag the inbound message (by InboundMessage.id) and move it out of the inbox."""
