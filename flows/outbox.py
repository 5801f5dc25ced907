"""Send each message exactly once: record it in the ledger first, send, then mark it sent.

A crash after the reservation leaves an unsent record; the next run renders the same message
again and sends it under the SAME Message-ID, which every Mailbox adapter delivers at most once.
A retry after a timeout whose request did reach the server is therefore harmless too. Adapters
that send through a server-side draft (EWS, Graph) note its id in the ledger (`LedgerJournal`),
so the next run asks the server about that draft rather than relying on timing.

Retries belong to the adapter alone (within its budget): this module and its Prefect task do not
retry. A message the adapter defers (throttling, a send whose outcome Exchange has not shown yet)
stays reserved and unsent, and the next run sends it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flows.ledger import Ledger, OutboundKind, OutboundRecord
from flows.mail.port import (
    Mailbox,
    MailDeferred,
    MailError,
    OutboundMessage,
    RecordedSending,
    SendPending,
)
from flows.messages.test_mode import redirect

TEST_PLAN_PREFIX = "test:"


@dataclass(frozen=True)
class Planned:
    """A message to send once, and where it belongs in the ledger."""

    message: OutboundMessage
    kind: OutboundKind
    plan_key: str
    cycle: str | None
    board: str | None = None
    due_date: dt.date | None = None
    inbound_sha: str | None = None


def message_id_for(key: str, kind: str, domain: str) -> str:
    """A stable Message-ID for an idempotency key: the same message gets the same id."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{kind}.{digest}@{domain}>"


def domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "followup.invalid"


def plan_key_in_mode(plan_key: str, address: str | None) -> str:
    """The plan key a message is recorded under: test sends apart from real ones."""
    return f"{TEST_PLAN_PREFIX}{address.lower()}:{plan_key}" if address else plan_key


def in_test_mode(planned: Planned, address: str | None) -> Planned:
    """Redirect to the test address; a test send never counts as the real one."""
    if not address:
        return planned
    return dataclasses.replace(
        planned,
        message=redirect(planned.message, address),
        plan_key=plan_key_in_mode(planned.plan_key, address),
    )


def reserve(ledger: Ledger, planned: Planned) -> tuple[OutboundRecord, OutboundMessage]:
    """Record the message before it is sent; returns the record and the message to send (with
    the Message-ID recorded the first time, if it was reserved before)."""
    message = planned.message
    record, _created = ledger.reserve_outbound(
        cycle=planned.cycle,
        board=planned.board,
        kind=planned.kind,
        plan_key=planned.plan_key,
        to=message.to,
        cc=message.cc,
        subject=message.subject,
        message_id=message.message_id,
        due_date=planned.due_date,
        inbound_sha=planned.inbound_sha,
    )
    if record.message_id != message.message_id:
        message = dataclasses.replace(message, message_id=record.message_id)
    return record, message


class LedgerJournal:
    """The SendJournal of the Mailbox port, kept in the ledger's outbound records."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def draft_of(self, message_id: str) -> str | None:
        record = self.ledger.outbound_by_message_id(message_id)
        return record.provider_draft_id if record else None

    def record_draft(self, message_id: str, draft_id: str | None) -> None:
        self.ledger.record_draft(message_id, draft_id)

    def send_requested_at(self, message_id: str) -> dt.datetime | None:
        record = self.ledger.outbound_by_message_id(message_id)
        return record.send_requested_at if record else None

    def record_send_requested(self, message_id: str, at: dt.datetime | None) -> None:
        self.ledger.record_send_requested(message_id, at)


def send_reserved(ledger: Ledger, mailbox: Mailbox, message: OutboundMessage) -> bool:
    """Send a reserved message unless the ledger says it went; True if sent by this call."""
    record = ledger.outbound_by_message_id(message.message_id)
    if record is not None and record.sent:
        return False
    try:
        if record is not None and isinstance(mailbox, RecordedSending):
            mailbox.send_recorded(message, LedgerJournal(ledger))
        else:
            mailbox.send(message)
    except MailError as exc:
        ledger.mark_send_failed(message.message_id, str(exc))
        raise
    ledger.mark_sent(message.message_id)
    return True


@cache
def send_task() -> Any:
    """The Prefect task around `send_reserved`. It does not retry: the adapter already did,
    within its budget, and what is left waits for the next run. Built on first use so that
    reading the ledger never imports Prefect."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    return task(name="send-message", cache_policy=NO_CACHE, retries=0, log_prints=False)(
        send_reserved
    )


@dataclass(frozen=True)
class SendResult:
    planned: Planned
    message: OutboundMessage
    sent_now: bool
    error: str | None = None
    deferred: bool = False  # throttled or outcome not yet known: the next run sends it


def send_all(
    ledger: Ledger,
    mailbox: Mailbox,
    items: Sequence[tuple[Planned, OutboundMessage]],
    *,
    concurrency: int,
) -> list[SendResult]:
    """Send reserved messages with at most `concurrency` in flight; failures are reported, not
    raised, so one board's bad address does not stop the others. The adapter is the one layer
    that retries a transient failure."""
    from prefect.task_runners import ThreadPoolTaskRunner

    configured = send_task()
    results: list[SendResult] = []
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=max(1, concurrency))
    with runner:
        futures = [
            (
                planned,
                message,
                runner.submit(
                    configured, {"ledger": ledger, "mailbox": mailbox, "message": message}
                ),
            )
            for planned, message in items
        ]
        for planned, message, future in futures:
            try:
                results.append(SendResult(planned, message, bool(future.result())))
            except (MailDeferred, SendPending) as exc:
                results.append(SendResult(planned, message, False, str(exc), deferred=True))
            except MailError as exc:
                results.append(SendResult(planned, message, False, str(exc)))
    return results
