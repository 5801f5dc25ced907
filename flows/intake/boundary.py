"""The failure boundary around one inbound message: whatever its bytes, it is archived and
recorded, then gets exactly one outcome, and the run goes on with the next message.

1. `archive_and_record`: the raw bytes are archived (SHA-256 always) and recorded as pending with
   whatever of the envelope can be read; a header the parser rejects leaves that field empty.
2. `settle`: the message is loaded from the archive (a copy that fails its digest is fetched
   again from the mailbox, or the message is quarantined), then processed; any exception turns
   into a quarantine entry with a Swedish reason, so a poison message is parked after its first
   failure. A run that dies while processing one (killed, out of memory) is noted in the ledger;
   after `Limits.interrupted_attempts` of those the message is parked too.
3. `send_digest`: one message to the coordinator per run about every message quarantined since
   the last digest, recorded in the ledger like every outgoing message and keyed by the messages
   it lists, so a re-run does not send it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from flows.archive import Archive, ArchiveError, digest
from flows.ledger import InboundRecord, Ledger
from flows.mail import mime
from flows.mail.port import InboundMessage, Mailbox, MailError
from flows.messages.digest import DigestEntry, compose_quarantine_digest
from flows.model import Config, Cycle
from flows.outbox import Planned, domain_of, in_test_mode, message_id_for, reserve, send_all
from flows.untrusted.limits import LIMITS, LimitExceeded, Limits
from flows.untrusted.redact import redact

Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]
Settled = Literal["done", "parked", "pending"]

_SENDER_CHARS = 320
_SUBJECT_CHARS = 2000
_MESSAGE_ID_CHARS = 998


@runtime_checkable
class Refetchable(Protocol):
    """A mailbox that can hand out one message's raw bytes again by its item id."""

    def fetch_raw(self, item_id: str) -> bytes | None: ...


@dataclass(frozen=True)
class HeaderSummary:
    message_id: str | None = None
    sender: str | None = None
    subject: str = ""
    date: dt.datetime | None = None


def header_summary(raw: bytes, limits: Limits = LIMITS) -> HeaderSummary:
    """What the ledger records about a message before it is processed; never raises."""
    try:
        headers = mime.parse_envelope_headers(raw, limits)
    except Exception:  # over the limits or unparseable: record it with what we know (the digest)
        return HeaderSummary()
    _name, sender = mime.first_address(headers.get("from"))
    sender = sender if sender and len(sender) <= _SENDER_CHARS else None
    return HeaderSummary(
        message_id=(headers.get("message-id") or "")[:_MESSAGE_ID_CHARS] or None,
        sender=sender,
        subject=(headers.get("subject") or "")[:_SUBJECT_CHARS],
        date=mime.header_date(headers.get("date")),
    )


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def archive_and_record(
    item: InboundMessage, ledger: Ledger, archive: Archive, limits: Limits = LIMITS
) -> tuple[InboundRecord, bool]:
    """Archive the raw bytes and record the message as pending; returns (record, created)."""
    sha = archive.store(item.raw)
    summary = header_summary(item.raw, limits)
    return ledger.record_inbound(
        sha,
        mailbox_item_id=item.id,
        message_id=summary.message_id,
        sender=summary.sender,
        subject=summary.subject,
        received_at=_parse_time(item.received) or summary.date,
    )


def mark_processed(mailbox: Mailbox, item_id: str | None, outcome: str, logger: Logger) -> None:
    """Move the message out of the inbox; one that is gone already is fine."""
    if not item_id:
        return
    try:
        mailbox.mark_processed(item_id, outcome)
    except MailError as exc:
        if exc.transient:
            raise
        # Already moved by an earlier, interrupted run (or by a person): nothing left to do.
        logger.info("Meddelandet %s fanns inte kvar i inkorgen: %s", item_id, redact(str(exc)))


def fetch_and_archive(
    mailbox: Mailbox,
    ledger: Ledger,
    archive: Archive,
    *,
    sync_key: str,
    logger: Logger,
    limits: Limits = LIMITS,
) -> int:
    """Fetch everything new; archive and record each message BEFORE the sync state moves on."""
    count = 0
    while True:
        result = mailbox.fetch_new(ledger.get_sync_state(sync_key))
        for item in result.messages:
            record, created = archive_and_record(item, ledger, archive, limits)
            count += 1
            if not created and record.mailbox_item_id not in (None, item.id):
                # The same content again under another mailbox item: it is archived and
                # recorded once; this copy only leaves the inbox.
                mark_processed(mailbox, item.id, "duplicate", logger)
            elif not created and record.outcome != "pending":
                # Seen and handled before (e.g. crash before the mailbox move): just move it.
                mark_processed(mailbox, item.id, record.outcome, logger)
        ledger.set_sync_state(sync_key, result.state)
        if not result.more:
            return count


def reason_for(exc: BaseException) -> str:
    """The Swedish quarantine reason for an exception while processing a message."""
    if isinstance(exc, LimitExceeded):
        return (
            f"Meddelandet är för stort eller för komplext för att läsas automatiskt "
            f"({exc.what}); granska det i arkivet."
        )
    if isinstance(exc, ArchiveError):
        return (
            "Arkivkopian av meddelandet är skadad och meddelandet finns inte kvar i brevlådan; "
            "granska det i brevlådan eller be avsändaren skicka det igen."
        )
    if isinstance(exc, RecursionError | MemoryError):
        return "Meddelandet är för djupt nästlat eller för stort för att läsas; granska det."
    return (
        f"Meddelandet kunde inte behandlas automatiskt ({type(exc).__name__}); "
        "granska det i arkivet."
    )


def load_raw(record: InboundRecord, archive: Archive, mailbox: Mailbox, logger: Logger) -> bytes:
    """The archived bytes; a copy that fails its digest is replaced by the mailbox's own copy
    when the mailbox still has it, otherwise ArchiveError."""
    try:
        return archive.load(record.sha256)
    except ArchiveError:
        if not (record.mailbox_item_id and isinstance(mailbox, Refetchable)):
            raise
        raw = mailbox.fetch_raw(record.mailbox_item_id)
        if raw is None or digest(raw) != record.sha256:
            raise
        archive.store(raw)  # rewrites the damaged copy
        logger.warning("Arkivkopian av %s var skadad och har hämtats igen.", record.sha256[:12])
        return raw


def park(
    record: InboundRecord,
    reason: str,
    *,
    ledger: Ledger,
    mailbox: Mailbox,
    logger: Logger,
    cycle: str | None = None,
) -> None:
    """Quarantine the message for good (until the coordinator resolves it)."""
    ledger.quarantine(record.sha256, reason)
    try:
        mark_processed(mailbox, record.mailbox_item_id, "quarantined", logger)
    except MailError as exc:
        # The ledger's outcome counts; the next fetch moves it out of the inbox.
        logger.warning("Kunde inte flytta %s: %s", record.sha256[:12], redact(str(exc)))
    ledger.set_inbound_outcome(record.sha256, "quarantined", cycle=cycle, detail=reason)


def settle(
    record: InboundRecord,
    process: Callable[[InboundRecord, bytes], None],
    *,
    ledger: Ledger,
    archive: Archive,
    mailbox: Mailbox,
    logger: Logger,
    limits: Limits = LIMITS,
    cycle: str | None = None,
) -> Settled:
    """Run `process` for one pending message inside the boundary. "done": it recorded an
    outcome (or chose to leave the message pending, e.g. a reply could not be sent); "parked":
    quarantined here; "pending": a transient mailbox error, the next run tries again."""
    interrupted = ledger.begin_attempt(record.sha256)
    if interrupted >= limits.interrupted_attempts:
        reason = (
            f"Behandlingen av meddelandet avbröts {interrupted} gånger (till exempel slut på "
            "minne eller tid); det lämnas till granskning i stället för att prövas igen."
        )
        park(record, reason, ledger=ledger, mailbox=mailbox, logger=logger, cycle=cycle)
        ledger.finish_attempt(record.sha256)
        return "parked"
    result: Settled = "done"
    try:
        raw = load_raw(record, archive, mailbox, logger)
        process(record, raw)
    except MailError as exc:
        if not exc.transient:
            park(record, reason_for(exc), ledger=ledger, mailbox=mailbox, logger=logger)
            result = "parked"
        else:
            logger.warning(
                "Brevlådan svarade inte för %s: %s", record.sha256[:12], redact(str(exc))
            )
            result = "pending"
    except Exception as exc:  # the boundary: one message must never stop the run
        logger.error(
            "Meddelandet %s kunde inte behandlas: %s: %s",
            record.sha256[:12],
            type(exc).__name__,
            redact(str(exc))[:500],
        )
        park(record, reason_for(exc), ledger=ledger, mailbox=mailbox, logger=logger, cycle=cycle)
        result = "parked"
    ledger.finish_attempt(record.sha256)
    return result


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def digest_key(shas: list[str]) -> str:
    """The ledger key of the digest about exactly these messages."""
    return "quarantine_digest/" + hashlib.sha256(",".join(sorted(shas)).encode()).hexdigest()[:40]


def send_digest(
    config: Config,
    cycle: Cycle,
    *,
    ledger: Ledger,
    mailbox: Mailbox,
    test_mode_address: str | None,
) -> int:
    """Tell the coordinator, in one message, about every quarantine entry no digest has listed
    yet; returns how many it listed (0: nothing sent). Marked as told only once sent."""
    pending = ledger.undigested_quarantines()
    if not pending:
        return 0
    entries: list[DigestEntry] = []
    for entry in pending:
        inbound = ledger.get_inbound(entry.inbound_sha)
        moment = (inbound.received_at or inbound.stored_at) if inbound else entry.created_at
        entries.append(
            DigestEntry(
                sender=inbound.sender if inbound else None,
                subject=(inbound.subject or "") if inbound else "",
                received=_when(moment),
                reason=entry.reason,
                archive_sha=entry.inbound_sha,
            )
        )
    shas = [e.archive_sha for e in entries]
    key = digest_key(shas)
    domain = domain_of(config.municipality.mailbox)
    planned = Planned(
        compose_quarantine_digest(
            config, cycle, entries, message_id=message_id_for(key, "quarantine_digest", domain)
        ),
        kind="quarantine_notice",
        plan_key=key,
        cycle=cycle.id,
    )
    planned = in_test_mode(planned, test_mode_address)
    record, message = reserve(ledger, planned)
    if not record.sent:
        results = send_all(
            ledger,
            mailbox,
            [(planned, message)],
            concurrency=1,
        )
        if any(r.error for r in results):
            return 0  # not told yet: the next run tries again (with whatever is new by then)
    ledger.mark_digested(shas, key)
    return len(shas)
