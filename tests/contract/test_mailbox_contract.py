"""What every Mailbox adapter promises (flows/mail/port.py), checked the same way for each."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

import pytest

from flows.mail.mime import extract_attachments, parse, parse_envelope
from flows.mail.port import (
    Attachment,
    InboundMessage,
    Mailbox,
    MailDeferred,
    MailError,
    MemoryJournal,
    OutboundMessage,
    RecordedSending,
    SendPending,
)
from tests.contract.environment import MailboxEnv
from tests.support.exchange_samples import smime_signed
from tests.support.mail_samples import DOCX_TYPE, fake_docx, forwarded, reply, winmail

T = TypeVar("T")
BOARD = "sekreterare@kfn.ekeby.example"


def drain(mailbox: Mailbox, state: str | None) -> tuple[list[InboundMessage], str | None]:
    """Fetch until the adapter has nothing more to give right now."""
    messages: list[InboundMessage] = []
    for _ in range(100):
        result = mailbox.fetch_new(state)
        messages.extend(result.messages)
        state = result.state
        if not result.more:
            return messages, state
    raise AssertionError("fetch_new kept saying there is more")


def retry(operation: Callable[[], T], attempts: int = 30) -> T:
    """What a caller (a Prefect task with retries) does with transient errors. A deferred one
    (MailDeferred, SendPending) is raised at once: trying again now cannot help."""
    for _ in range(attempts - 1):
        try:
            return operation()
        except (MailDeferred, SendPending):
            raise
        except MailError as exc:
            assert exc.transient, str(exc)
    return operation()


def send_in_a_run(env: MailboxEnv, message: OutboundMessage) -> None:
    """One run's send, as the outbox does it: transient errors tried again; a deferred send
    left, reserved, for the next run (which looks again and sends at most once)."""
    with contextlib.suppress(MailDeferred, SendPending):
        retry(lambda: send(env, message))


# What the ledger is to the flows: one journal per mailbox that outlives each adapter.
_JOURNALS: dict[int, MemoryJournal] = {}


def send(env: MailboxEnv, message: OutboundMessage) -> None:
    """Send as the outbox does (a fresh adapter, as a new run opens it, and the journal)."""
    mailbox = env.mailbox()
    if isinstance(mailbox, RecordedSending):
        mailbox.send_recorded(message, _JOURNALS.setdefault(id(env), MemoryJournal()))
    else:
        mailbox.send(message)


def message_ids(messages: list[InboundMessage]) -> set[str | None]:
    return {parse_envelope(m.raw).message_id for m in messages}


def outbound(n: int, **extra: object) -> OutboundMessage:
    return OutboundMessage(
        message_id=f"<remind.hbtqia-2026.kfn.{n}@followup.ekeby.example>",
        to=(BOARD,),
        subject=f"Påminnelse {n}: uppföljning av hbtqia-strategin (HBT26-KFN-Q7)",
        text="Hej!\n\nSista dag för återrapporteringen är 15 mars 2027.",
        **extra,  # type: ignore[arg-type]
    )


def test_send_with_attachments_is_delivered_once_as_built(mailbox_env: MailboxEnv) -> None:
    template = fake_docx("mall-kfn", 60_000)
    guide = b"%PDF-1.7\n" + bytes(range(256)) * 20
    message = outbound(
        1,
        html="<p>Hej!</p><p>Sista dag är <b>15 mars 2027</b>.</p>",
        cc=("ordforande@kfn.ekeby.example",),
        attachments=(
            Attachment("Uppföljning KFN 2026.docx", DOCX_TYPE, template),
            Attachment("Instruktion.pdf", "application/pdf", guide),
        ),
    )
    mailbox = mailbox_env.mailbox()
    assert not mailbox.was_sent(message.message_id)

    send(mailbox_env, message)
    # A repeated send (another run, as the outbox sends) delivers nothing new; on Graph it may
    # say the first /send is still in flight, and the outbox leaves it to the next run.
    with contextlib.suppress(SendPending):
        send(mailbox_env, message)
    mailbox_env.settle()  # Graph carries out a /send after its window; count after it

    delivered = mailbox_env.delivered_to(BOARD)
    assert len(delivered) == 1
    assert len(mailbox_env.delivered_to("ordforande@kfn.ekeby.example")) == 1
    envelope = parse_envelope(delivered[0])
    assert envelope.message_id == message.message_id
    assert envelope.subject == message.subject
    assert "15 mars 2027" in envelope.text
    html = parse(delivered[0]).get_body(preferencelist=("html",))
    assert html is not None and "<b>15 mars 2027</b>" in html.get_content()
    attachments = {a.filename: a for a in extract_attachments(delivered[0])}
    assert attachments["Uppföljning KFN 2026.docx"].data == template
    assert attachments["Uppföljning KFN 2026.docx"].content_type == DOCX_TYPE
    assert attachments["Instruktion.pdf"].data == guide
    assert mailbox_env.mailbox().was_sent(message.message_id)
    assert not mailbox_env.mailbox().was_sent("<never-sent@followup.ekeby.example>")


def test_incremental_fetch_returns_only_new_messages(mailbox_env: MailboxEnv) -> None:
    for n in range(3):
        mailbox_env.deliver(reply(message_id=f"<first-{n}@kfn>"))
    first, state = drain(mailbox_env.mailbox(), None)
    assert message_ids(first) == {f"<first-{n}@kfn>" for n in range(3)}

    for n in range(2):
        mailbox_env.deliver(reply(message_id=f"<second-{n}@kfn>"))
    second, state = drain(mailbox_env.mailbox(), state)  # state persisted between runs
    assert message_ids(second) == {"<second-0@kfn>", "<second-1@kfn>"}

    third, _ = drain(mailbox_env.mailbox(), state)
    assert third == []


def test_attachment_inside_forwarded_message_is_found(mailbox_env: MailboxEnv) -> None:
    answer = fake_docx("kfn-svar")
    original = reply(attachments=(("Uppföljning KFN.docx", DOCX_TYPE, answer),))
    mailbox_env.deliver(forwarded(original, message_id="<fwd-1@kfn>"))

    messages, _ = drain(mailbox_env.mailbox(), None)

    assert len(messages) == 1
    found = extract_attachments(messages[0].raw)
    assert [(a.filename, a.data) for a in found] == [("Uppföljning KFN.docx", answer)]


def test_attachment_inside_winmail_dat_is_found(mailbox_env: MailboxEnv) -> None:
    answer = fake_docx("tnef-svar")
    mailbox_env.deliver(winmail([("Uppföljning KFN 2026.docx", answer)], message_id="<w@kfn>"))

    messages, _ = drain(mailbox_env.mailbox(), None)

    assert len(messages) == 1
    found = extract_attachments(messages[0].raw)
    assert [(a.filename, a.data) for a in found] == [("Uppföljning KFN 2026.docx", answer)]
    assert found[0].content_type == DOCX_TYPE


def test_processed_messages_are_not_returned_again(mailbox_env: MailboxEnv) -> None:
    mailbox_env.deliver(reply(message_id="<done@kfn>"))
    mailbox_env.deliver(reply(message_id="<waiting@kfn>"))
    mailbox = mailbox_env.mailbox()
    messages, state = drain(mailbox, None)
    done = next(m for m in messages if parse_envelope(m.raw).message_id == "<done@kfn>")

    mailbox.mark_processed(done.id, "accepted")
    mailbox_env.mailbox().mark_processed(done.id, "accepted")  # repeating it is harmless

    unprocessed, _ = drain(mailbox_env.mailbox(), None)  # from scratch: all unprocessed
    assert message_ids(unprocessed) == {"<waiting@kfn>"}
    later, _ = drain(mailbox_env.mailbox(), state)
    assert later == []


def test_retried_sends_under_faults_deliver_each_message_once(mailbox_env: MailboxEnv) -> None:
    messages = [
        outbound(n, attachments=(Attachment("m.docx", DOCX_TYPE, fake_docx(str(n))),))
        for n in range(12)
    ]
    mailbox_env.set_faults(0.3, seed=7)
    for message in messages:
        send_in_a_run(mailbox_env, message)
    mailbox_env.clear_faults()
    mailbox_env.settle()
    for message in messages:  # the next run: what was pending goes out now, or was out already
        send(mailbox_env, message)
    mailbox_env.settle()

    delivered = [parse_envelope(raw).message_id for raw in mailbox_env.delivered_to(BOARD)]
    assert sorted(d or "" for d in delivered) == sorted(m.message_id for m in messages)


def test_no_inbound_message_is_skipped_under_faults(mailbox_env: MailboxEnv) -> None:
    expected = {f"<answer-{n}@kfn>" for n in range(12)}
    for n in range(6):
        mailbox_env.deliver(reply(message_id=f"<answer-{n}@kfn>"))
    mailbox_env.set_faults(0.3, seed=11)
    seen: set[str | None] = set()
    state: str | None = None
    for round_ in range(40):
        if round_ == 3:
            for n in range(6, 12):
                mailbox_env.deliver(reply(message_id=f"<answer-{n}@kfn>"))
        mailbox = mailbox_env.mailbox()
        result = retry(lambda mb=mailbox, s=state: mb.fetch_new(s))  # type: ignore[misc]
        for message in result.messages:
            seen.add(parse_envelope(message.raw).message_id)
            retry(lambda mb=mailbox, m=message: mb.mark_processed(m.id, "accepted"))  # type: ignore[misc]
        state = result.state  # persisted only after the messages were handled
        if round_ > 3 and seen >= expected and not result.more:
            break
    mailbox_env.clear_faults()

    assert seen == expected
    leftover, _ = drain(mailbox_env.mailbox(), None)
    assert leftover == []


# --- Exchange as it behaves (tests/support/EXCHANGE_BEHAVIOUR.md); the servers run the
# realistic profile in this suite.


def test_a_signed_answer_is_collected_with_its_attachment(mailbox_env: MailboxEnv) -> None:
    answer = fake_docx("signerat-svar")
    mailbox_env.deliver(reply(message_id="<before@kfn>"))
    mailbox_env.deliver(
        smime_signed(attachment=("Uppföljning KFN.docx", answer), message_id="<signed@kfn>")
    )
    mailbox_env.deliver(reply(message_id="<after@kfn>"))

    messages, _ = drain(mailbox_env.mailbox(), None)

    assert message_ids(messages) == {"<before@kfn>", "<signed@kfn>", "<after@kfn>"}
    signed = next(m for m in messages if parse_envelope(m.raw).message_id == "<signed@kfn>")
    found = {a.filename: a.data for a in extract_attachments(signed.raw)}
    assert found["Uppföljning KFN.docx"] == answer
    assert parse_envelope(signed.raw).sender == "sekreterare@kfn.ekeby.example"


def test_a_send_whose_answer_was_lost_goes_out_once(mailbox_env: MailboxEnv) -> None:
    message = outbound(40, attachments=(Attachment("m.docx", DOCX_TYPE, fake_docx("40")),))
    mailbox_env.lose_next_send_answer()
    send_in_a_run(mailbox_env, message)
    mailbox_env.settle()
    retry(lambda: send(mailbox_env, message))  # the next run

    assert [parse_envelope(r).message_id for r in mailbox_env.delivered_to(BOARD)] == [
        message.message_id
    ]


def test_long_throttling_defers_the_send_without_hammering(mailbox_env: MailboxEnv) -> None:
    if not mailbox_env.supports_faults:
        return  # a local directory is never throttled
    message = outbound(41)
    mailbox = mailbox_env.mailbox()
    mailbox.was_sent("<warm-up@followup.ekeby.example>")  # sign-in and folders
    mailbox_env.throttle_long()
    before = mailbox_env.requests()

    with pytest.raises(MailDeferred):
        mailbox.send(message)
    with pytest.raises(MailDeferred):
        mailbox.send(outbound(42))  # the same run: no request until the wait is over

    assert mailbox_env.requests() - before <= 2
    assert mailbox_env.delivered_to(BOARD) == []
    send(mailbox_env, message)  # the next run
    mailbox_env.settle()
    assert len(mailbox_env.delivered_to(BOARD)) == 1
