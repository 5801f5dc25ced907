"""The compiled documents delivered to the coordinator by email, once per output.

`plan_delivery` is pure: the files' bytes in, one planned message out, keyed by the content of
the files, so a re-run of compile with the same result sends nothing new, and a new result is
delivered once. `deliver` records the message in the ledger before sending it (`flows.outbox`),
like every other outgoing message; in test mode it goes to the test address instead.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from flows.ledger import Ledger, outbound_key
from flows.mail.port import Attachment, Mailbox
from flows.messages.compose import compose_report_delivery
from flows.model import Config, Cycle
from flows.outbox import Planned, domain_of, in_test_mode, message_id_for, reserve, send_reserved

KIND: Final = "report_delivery"
_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Delivery:
    """What happened to the documents: sent now, or already sent earlier, and to whom."""

    to: str
    files: tuple[str, ...]
    sent_now: bool


def content_key(files: Sequence[tuple[str, bytes]]) -> str:
    """`report-<digest>`: the same documents give the same key."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(data).digest())
    return f"report-{digest.hexdigest()[:24]}"


def plan_delivery(
    config: Config,
    cycle: Cycle,
    files: Sequence[tuple[str, bytes]],
    *,
    reported: int,
    boards: int,
    missing: Sequence[str],
    test_address: str | None = None,
) -> Planned:
    """The message that carries the compiled documents to the coordinator."""
    plan_key = content_key(files)
    key = outbound_key(cycle=cycle.id, board=None, kind=KIND, plan_key=plan_key, inbound_sha=None)
    attachments = tuple(
        Attachment(
            name,
            _TYPES.get(Path(name).suffix.lower())
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream",
            data,
        )
        for name, data in files
    )
    message = compose_report_delivery(
        config,
        cycle,
        message_id=message_id_for(key, KIND, domain_of(config.municipality.mailbox)),
        attachments=attachments,
        reported=reported,
        boards=boards,
        missing=missing,
    )
    planned = Planned(message=message, kind=KIND, plan_key=plan_key, cycle=cycle.id)
    return in_test_mode(planned, test_address)


def deliver(ledger: Ledger, mailbox: Mailbox, planned: Planned) -> Delivery:
    """Record, then send (unless the ledger says this output was already delivered)."""
    record, message = reserve(ledger, planned)
    sent_now = False if record.sent else send_reserved(ledger, mailbox, message)
    return Delivery(
        to=", ".join(message.to),
        files=tuple(a.filename for a in message.attachments),
        sent_now=sent_now,
    )


def read_files(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    """The output files that exist, by name, in the order given."""
    return [(p.name, p.read_bytes()) for p in paths if p.is_file()]
