"""Collect: fetch new answers, archive them raw, read, check, record and reply. `collect(runtime)`
is a plain function; the Prefect flow `collect_flow` (in `flows.prefect_flows`) wraps it.

Order of durable steps, so a crash at any point loses nothing and repeats nothing visible:
1. archive the raw message and record it in the ledger as pending (then persist the sync state);
2. process every pending message (also those left by a crashed earlier run): store submission
   versions and quarantine entries (idempotent per message), reserve and send the replies (each
   once, see `flows.outbox`), mark it processed in the mailbox, and only then record its outcome.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.archive import Archive
from flows.artifacts import collect_row, outcome_label
from flows.cycles import open_cycles
from flows.intake import boundary
from flows.intake.attachments import classify_all, footer_text, modified_time
from flows.intake.authenticity import verdict
from flows.intake.conversion import documents_to_read
from flows.intake.decision import (
    Assessment,
    InboundFacts,
    WordFile,
    assess,
    no_attachment_key,
    version_notice_key,
)
from flows.intake.header_fields import header_fields
from flows.intake.policy import own_addresses
from flows.intake.sender_address import read_sender
from flows.lease import MailboxBusy, lease_for
from flows.ledger import InboundRecord, Ledger
from flows.mail.mime import (
    extract_attachments,
    parse_envelope,
    parse_envelope_headers,
    valid_message_id,
)
from flows.mail.port import Mailbox
from flows.messages.compose import (
    compose_no_attachment,
    compose_receipt,
    compose_rejection,
    compose_unauthenticated_reply,
    compose_version_notice,
)
from flows.model import Config, Cycle
from flows.outbox import Planned, domain_of, in_test_mode, message_id_for, reserve, send_all
from flows.runtime import Runtime, run_logger
from flows.settings import Settings
from flows.swedish import count
from flows.untrusted.limits import LIMITS, Limits
from flows.untrusted.redact import redact

SYNC_KEY = "inbox"
RELAXED_POLICY_LINE = (
    "Avsändarkontrollen är avslagen för brevlådan (%s): svar från nämndernas kontaktpersoner "
    "räknas utan att kommunens e-postserver har verifierat avsändaren (demoläge)."
)
_READ_KINDS = ("docx", "doc", "pdf", "odt")


@dataclass
class CollectSummary:
    fetched: int = 0
    processed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    replies_sent: int = 0
    digested: int = 0  # quarantined messages the coordinator's digest told about
    failed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # replies that wait for the next run
    rows: list[dict[str, str]] = field(default_factory=list)
    busy: str | None = None  # another run worked the mailbox: this one did nothing

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "fetched": self.fetched,
            "processed": self.processed,
            "outcomes": dict(self.outcomes),
            "replies_sent": self.replies_sent,
            "digested": self.digested,
            "failed": list(self.failed),
            "deferred": list(self.deferred),
        }
        if self.busy:
            result["busy"] = self.busy
        return result


def fetch_and_archive(
    mailbox: Mailbox, ledger: Ledger, archive: Archive, *, sync_key: str = SYNC_KEY
) -> int:
    """Fetch everything new; archive and record each message BEFORE the sync state moves on."""
    return boundary.fetch_and_archive(
        mailbox, ledger, archive, sync_key=sync_key, logger=run_logger()
    )


def read_documents(
    config: Config,
    cycle: Cycle,
    raw: bytes,
    *,
    transport: str = "maildir",
    limits: Limits = LIMITS,
) -> tuple[InboundFacts, list[WordFile]]:
    """The facts of a raw message and its document attachments as read; `transport` says whose
    authentication headers can be trusted (Exchange's on ews and graph). Raises LimitExceeded
    for a message over the `limits` (the intake boundary quarantines it)."""
    from flows.documents.reader import read_template

    envelope = parse_envelope(raw, limits)
    headers = parse_envelope_headers(raw, limits)
    fields = header_fields(raw)
    identity = read_sender(fields)
    sender = identity.address if identity.problem is None else envelope.sender
    attachments = classify_all(extract_attachments(raw, limits))
    documents = [(i, a) for i, a in enumerate(attachments, start=1) if a.kind in _READ_KINDS]
    # LibreOffice runs only for an accepted sender (see flows.intake.conversion).
    accepted = sender if identity.problem is None else None
    words = [
        WordFile(
            part=str(index),
            filename=item.filename,
            parsed=read_template(item.attachment.data, item.filename, config, convert=convert),
            footer=footer_text(item.attachment.data) if item.kind == "docx" else "",
            modified=modified_time(item.attachment.data) if item.kind == "docx" else "",
        )
        for index, item, convert in documents_to_read(
            config, accepted, documents, len(attachments), limits
        )
    ]
    facts = InboundFacts(
        sender=sender,
        date=envelope.date,
        subject=envelope.subject,
        body=envelope.text,
        headers=headers,
        attachments=attachments,
        sender_problem=identity.problem,
        on_behalf_of=identity.sender_field,
        authentication=verdict(
            fields,
            identity.address,
            trusted_authserv_ids=config.sender_policy.authserv_ids,
            exchange=transport in ("ews", "graph"),
        ),
    )
    return facts, words


def plan_replies(
    config: Config,
    cycle: Cycle,
    record: InboundRecord,
    facts: InboundFacts,
    decision: Assessment,
    *,
    versions: dict[str, int],
    domain: str,
    in_reply_to: str | None,
) -> list[Planned]:
    """The messages this decision sends: a reply to the sender and/or a notice to the
    coordinator. Pure; keys make each one unique per inbound message (or per sender, for the
    no-attachment reply)."""
    sha = record.sha256
    received = (record.received_at or record.stored_at).date()
    planned: list[Planned] = []
    board_id = decision.board.id if decision.board else None
    sender = facts.sender

    def reply_id(kind: str, key: str) -> str:
        return message_id_for(key, kind, domain)

    if decision.reply == "receipt" and sender and decision.board:
        doc = decision.receipt_document
        assert doc is not None
        parsed = doc.word.parsed.model_copy(update={"problems": list(doc.problems)})
        mid = reply_id("receipt", f"receipt/{sha}")
        planned.append(
            Planned(
                compose_receipt(
                    config,
                    cycle,
                    decision.board,
                    parsed,
                    to=sender,
                    message_id=mid,
                    in_reply_to=in_reply_to,
                    version=versions.get(doc.word.part, 1),
                    filename=doc.word.filename,
                    received=received,
                ),
                kind="receipt",
                plan_key="receipt",
                cycle=cycle.id,
                board=board_id,
                inbound_sha=sha,
            )
        )
    elif decision.reply == "rejection" and sender:
        mid = reply_id("rejection", f"rejection/{sha}")
        planned.append(
            Planned(
                compose_rejection(
                    config,
                    cycle,
                    decision.board,
                    decision.problems,
                    to=sender,
                    message_id=mid,
                    in_reply_to=in_reply_to,
                    filename=decision.filename,
                ),
                kind="rejection",
                plan_key="rejection",
                cycle=cycle.id,
                board=board_id,
                inbound_sha=sha,
            )
        )
    elif decision.reply == "unauthenticated_reply" and sender and decision.board:
        mid = reply_id("unauthenticated_reply", f"unauthenticated_reply/{sha}")
        planned.append(
            Planned(
                compose_unauthenticated_reply(
                    config,
                    cycle,
                    decision.board,
                    to=sender,
                    message_id=mid,
                    in_reply_to=in_reply_to,
                ),
                kind="unauthenticated_reply",
                plan_key="unauthenticated_reply",
                cycle=cycle.id,
                board=board_id,
                inbound_sha=sha,
            )
        )
    elif decision.reply == "no_attachment_reply" and sender:
        key = no_attachment_key(cycle, sender)
        planned.append(
            Planned(
                compose_no_attachment(
                    config,
                    cycle,
                    decision.board,
                    to=sender,
                    message_id=reply_id("no_attachment_reply", key),
                    in_reply_to=in_reply_to,
                ),
                kind="no_attachment_reply",
                plan_key=key,
                cycle=cycle.id,
                board=None,
            )
        )
    if versions and decision.board and sender:
        # Every contact of the board hears of each new version, whoever sent it.
        newest = max(versions.values())
        key = version_notice_key(cycle, decision.board, newest)
        filename = next(
            (d.word.filename for d in decision.documents if versions.get(d.word.part) == newest),
            decision.filename or "",
        )
        planned.append(
            Planned(
                compose_version_notice(
                    config,
                    cycle,
                    decision.board,
                    message_id=reply_id("version_notice", key),
                    sender=sender,
                    received=received,
                    version=newest,
                    filename=filename,
                ),
                kind="version_notice",
                plan_key=key,
                cycle=cycle.id,
                board=board_id,
                inbound_sha=sha,
            )
        )
    # Quarantined messages are told to the coordinator in one digest per run
    # (flows.intake.boundary.send_digest), not one notice each.
    return planned


def process_inbound(
    config: Config,
    cycle: Cycle,
    record: InboundRecord,
    raw: bytes,
    *,
    ledger: Ledger,
    archive: Archive,
    mailbox: Mailbox,
    settings: Settings,
    summary: CollectSummary,
    open_cycles: Sequence[Cycle] = (),
) -> None:
    """Decide, record, reply, move; the outcome is recorded last (a crash means: do it again).

    The answer goes to the cycle it belongs to among `open_cycles` (default: `cycle`); `cycle`
    is also where messages that belong to no cycle are recorded."""
    logger = run_logger()
    try:
        facts, words = read_documents(config, cycle, raw, transport=settings.transport)
        decision = assess(
            config,
            cycle,
            facts,
            words,
            own_addresses=own_addresses(config, mailbox.address),
            open_cycles=open_cycles,
            require_authentication=config.sender_policy.requires_authentication(settings.transport),
        )
    except Exception as exc:  # unreadable content: quarantined, the run goes on
        logger.error(
            "Meddelandet %s kunde inte läsas: %s: %s",
            record.sha256[:12],
            type(exc).__name__,
            redact(str(exc))[:500],
        )
        facts = InboundFacts(
            sender=record.sender, subject=record.subject or "", body="", headers={}, attachments=()
        )
        decision = Assessment("quarantined", boundary.reason_for(exc), notify_coordinator=True)
    board_id = decision.board.id if decision.board else None
    cycle = decision.cycle or cycle

    versions: dict[str, int] = {}
    if decision.outcome in ("submitted", "rejected") and decision.board is not None:
        for verdict in decision.documents:
            parsed = verdict.word.parsed.model_copy(update={"problems": list(verdict.problems)})
            stored = ledger.add_submission(
                cycle=cycle.id,
                board=decision.board.id,
                inbound_sha=record.sha256,
                filename=verdict.word.filename,
                parsed=parsed,
                sender=facts.sender,
                received_at=record.received_at,
                part=verdict.word.part,
                valid=verdict.accepted,
            )
            versions[verdict.word.part] = stored.version
    if decision.outcome == "quarantined":
        ledger.quarantine(record.sha256, decision.reason)

    try:
        envelope_id = valid_message_id(parse_envelope_headers(raw).get("message-id"))
    except Exception:  # over the limits: the reply is simply not threaded
        envelope_id = None
    planned = plan_replies(
        config,
        cycle,
        record,
        facts,
        decision,
        versions=versions,
        domain=domain_of(config.municipality.mailbox),
        in_reply_to=envelope_id,
    )
    planned = [in_test_mode(p, settings.test_mode_address) for p in planned]
    reserved = [(p, reserve(ledger, p)) for p in planned]
    to_send = [(p, message) for p, (rec, message) in reserved if not rec.sent]
    results = send_all(
        ledger,
        mailbox,
        to_send,
        concurrency=1,
    )
    failures = [r for r in results if r.error]
    summary.replies_sent += sum(1 for r in results if r.sent_now)
    if failures:
        # Leave it pending: the next run sends the reply under the same Message-ID. A deferred
        # reply (the server asks us to slow down) only waits; any other failure is a fault.
        for failure in failures:
            error = redact(failure.error or "")
            if failure.deferred:
                summary.deferred.append(f"{record.sha256[:12]}: {error}")
                logger.warning(
                    "Svaret på %s väntar till nästa körning: %s", record.sha256[:12], error
                )
            else:
                summary.failed.append(f"{record.sha256[:12]}: {error}")
                logger.error("Svaret på %s kunde inte skickas: %s", record.sha256[:12], error)
        return

    boundary.mark_processed(mailbox, record.mailbox_item_id, decision.outcome, logger)
    ledger.set_inbound_outcome(
        record.sha256,
        decision.outcome,
        board=board_id,
        cycle=cycle.id,
        detail=decision.reason,
    )
    summary.processed += 1
    summary.outcomes[decision.outcome] += 1
    summary.rows.append(
        {
            "Uppföljning": cycle.id,
            **collect_row(
                sender=facts.sender,
                subject=facts.subject,
                board=decision.board.name if decision.board else None,
                outcome=decision.outcome,
                replies=[p.kind for p in planned],
                reason=decision.reason,
            ),
        }
    )
    logger.info(
        "%s från %s: %s (%s)",
        record.sha256[:12],
        facts.sender,
        decision.outcome,
        decision.reason,
    )


def summary_text(summary: CollectSummary) -> str:
    outcomes = (
        ", ".join(f"{outcome_label(k).lower()}: {v}" for k, v in sorted(summary.outcomes.items()))
        or "inga"
    )
    waiting = (
        f" {count(len(summary.deferred), 'svar')} väntar till nästa körning."
        if summary.deferred
        else ""
    )
    return (
        f"Hämtade {summary.fetched} nya meddelanden, behandlade {summary.processed} "
        f"({outcomes}), skickade {count(summary.replies_sent, 'svar')}.{waiting}"
    )


class CollectIncomplete(RuntimeError):
    """Some messages stay pending (a reply could not be sent); the next run continues."""


def collect(
    runtime: Runtime, cycle: str | None = None, today: dt.date | None = None
) -> CollectSummary:
    """Fetch, archive, read, check, record and answer new messages.

    The mailbox is shared, so every answer is attributed to its own cycle among every open one
    (`flows.cycles`) and the one named (`cycle`, FOLLOWUP_CYCLE; else the default), never
    quarantined because another cycle is current. `today` (default: the runtime's clock) decides
    which cycles are open."""
    logger = run_logger()
    config = runtime.config
    current = runtime.cycle(cycle)
    day = today or runtime.today()
    serving = [current, *(c for c in open_cycles(config, day) if c.id != current.id)]
    mailbox = runtime.mailbox
    ledger = runtime.ledger
    summary = CollectSummary()
    settings = runtime.settings
    if not config.sender_policy.requires_authentication(settings.transport):
        logger.warning(RELAXED_POLICY_LINE, settings.transport)
    try:
        with lease_for(ledger, settings, mailbox.address) as held:
            summary.fetched = fetch_and_archive(mailbox, ledger, runtime.archive)
            for record in ledger.inbound_pending():
                held.check()
                settled = boundary.settle(
                    record,
                    lambda record, raw: process_inbound(
                        config,
                        current,
                        record,
                        raw,
                        ledger=ledger,
                        archive=runtime.archive,
                        mailbox=mailbox,
                        settings=settings,
                        summary=summary,
                        open_cycles=serving,
                    ),
                    ledger=ledger,
                    archive=runtime.archive,
                    mailbox=mailbox,
                    logger=logger,
                    cycle=current.id,
                )
                if settled == "parked":
                    summary.processed += 1
                    summary.outcomes["quarantined"] += 1
            summary.digested = boundary.send_digest(
                config,
                current,
                ledger=ledger,
                mailbox=mailbox,
                test_mode_address=runtime.test_mode_address,
            )
    except MailboxBusy as busy:
        logger.warning(str(busy))
        summary.busy = str(busy)
        return summary
    logger.info(summary_text(summary))
    return summary


def raise_if_incomplete(summary: CollectSummary) -> None:
    """A run that left replies unsent is not complete: the next run continues."""
    if summary.failed:
        raise CollectIncomplete(
            f"{count(len(summary.failed), 'svar')} kunde inte skickas; "
            "meddelandena behandlas igen vid nästa körning."
        )
