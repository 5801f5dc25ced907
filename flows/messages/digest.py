"""The coordinator's quarantine digest: one message per collect run listing every message that
went to quarantine since the last digest (instead of one notice per message)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flows.mail.port import OutboundMessage
from flows.messages.compose import _base_context, _message
from flows.model import Config, Cycle
from flows.untrusted.text import strip_bidi

MAX_LISTED = 200


@dataclass(frozen=True)
class DigestEntry:
    sender: str | None
    subject: str
    received: str  # "2027-03-01 08:00 UTC"
    reason: str
    archive_sha: str


def compose_quarantine_digest(
    config: Config, cycle: Cycle, entries: Sequence[DigestEntry], *, message_id: str
) -> OutboundMessage:
    """One message to the coordinator about `entries` (at most MAX_LISTED listed by name)."""
    context = _base_context(config, cycle, None)
    listed = [
        DigestEntry(
            sender=strip_bidi(e.sender or "(okänd avsändare)")[:200],
            subject=strip_bidi(e.subject or "(utan ämnesrad)")[:200],
            received=e.received,
            reason=strip_bidi(e.reason)[:500],
            archive_sha=e.archive_sha,
        )
        for e in entries[:MAX_LISTED]
    ]
    context.update(entries=listed, count=len(entries), more=max(0, len(entries) - MAX_LISTED))
    return _message(
        "quarantine_digest",
        context,
        message_id=message_id,
        to=(config.municipality.coordinator.email,),
    )
