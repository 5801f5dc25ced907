"""Send each message exactly once: record it in the ledger first, send, then mark it sent.

A crash after the reservation leaves an unsent record; the next run renders the same message
again and sends it under the SAME Message-ID, which every Mailbox adapter delivers at most once.
A retry after a timeout whose request did reach the server is therefore harmless too.
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
from flows.mail.port import Mailbox, MailError, OutboundMessage
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


def send_reserved(ledger: Ledger, mailbox: Mailbox, message: OutboundMessage) -> bool:
    """Send a reserved message unless the ledger says it went; True if sent by this call."""
    record = ledger.outbound_by_message_id(message.message_id)
    if record is not None and record.sent:
        return False
    try:
        mailbox.send(message)
    except MailError as exc:
        ledger.mark_send_failed(message.message_id, str(exc))
        raise
    ledger.mark_sent(message.message_id)
    return True


def _transient_mail_error(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except MailError as exc:
        return exc.transient
    except Exception:
        return False
    return False


@cache
def send_task() -> Any:
    """The Prefect task around `send_reserved`: retried with backoff on transient mail errors.
    Built on first use so that reading the ledger never imports Prefect."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    return task(
        name="send-message",
        cache_policy=NO_CACHE,
        retries=3,
        retry_delay_seconds=[2, 8, 30],
        retry_jitter_factor=0.5,
        retry_condition_fn=_transient_mail_error,
        log_prints=False,
    )(send_reserved)


def retry_delays(base_seconds: float, retries: int) -> list[float]:
    """Exponential backoff: base, 4×base, 16×base, ..."""
    return [base_seconds * (4**i) for i in range(retries)]


@dataclass(frozen=True)
class SendResult:
    planned: Planned
    message: OutboundMessage
    sent_now: bool
    error: str | None = None


def send_all(
    ledger: Ledger,
    mailbox: Mailbox,
    items: Sequence[tuple[Planned, OutboundMessage]],
    *,
    concurrency: int,
    retries: int,
    retry_base_seconds: float,
) -> list[SendResult]:
    """Send reserved messages with at most `concurrency` in flight; failures are reported, not
    raised, so one board's bad address does not stop the others."""
    from prefect.task_runners import ThreadPoolTaskRunner

    configured = send_task().with_options(
        retries=retries, retry_delay_seconds=retry_delays(retry_base_seconds, retries)
    )
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
            except MailError as exc:
                results.append(SendResult(planned, message, False, str(exc)))
    return results
