"""The Graph adapter against the test Graph endpoint: Graph-specific behaviour.

(The behaviour every adapter shares is in tests/contract/.)
"""

from __future__ import annotations

import os
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.mail.factory import open_mailbox
from flows.mail.graph import GraphMailbox
from flows.mail.mime import extract_attachments, parse
from flows.mail.port import Attachment, MailError, OutboundMessage, SendPending
from flows.settings import Settings
from flows.settings_errors import settings_error
from tests.support.graph_server import GraphServer, fixtures
from tests.support.graph_server.fixtures import graph_settings, inbound

graph_server_module = fixtures.graph_server_module
graph_server = fixtures.graph_server
mailbox = fixtures.mailbox

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def outbound(number: int = 1, **changes: object) -> OutboundMessage:
    values: dict[str, object] = {
        "message_id": f"<remind.hbtqia-2026.kfn.{number}@followup>",
        "to": ("kfn@ekeby.example",),
        "subject": "Påminnelse: uppföljning av hbtqia-strategin",
        "text": "Hej! Lämna er uppföljning senast 15 mars 2027.",
    }
    values.update(changes)
    return OutboundMessage(**values)  # type: ignore[arg-type]


# fetching -----------------------------------------------------------------------------------


def test_fetch_pages_through_the_inbox_and_then_returns_only_new_mail(
    graph_server: GraphServer,
) -> None:
    for number in range(5):
        graph_server.deliver(inbound(number=number))
    with GraphMailbox(graph_settings(page_size=2)) as box:
        state, got = None, []
        while True:
            result = box.fetch_new(state)
            got += result.messages
            state = result.state
            if not result.more:
                break
        assert sorted(m.raw for m in got) == sorted(inbound(number=n) for n in range(5))
        assert box.fetch_new(state).messages == []
        graph_server.deliver(inbound(number=9))
        assert [m.raw for m in box.fetch_new(state).messages] == [inbound(number=9)]


def test_expired_delta_token_neither_loses_nor_repeats_messages(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    first_id = graph_server.deliver(inbound(number=1))
    first = mailbox.fetch_new(None)
    assert [m.id for m in first.messages] == [first_id]
    processed_id = graph_server.deliver(inbound(number=2))
    second = mailbox.fetch_new(first.state)
    mailbox.mark_processed(processed_id, "accepted")
    graph_server.expire_delta_tokens()
    new_id = graph_server.deliver(inbound(number=3))

    after = mailbox.fetch_new(second.state)

    # message 1 is still unprocessed in the inbox but the caller has it already
    assert [m.id for m in after.messages] == [new_id]
    assert graph_server.stats()["requests"]["delta"] == 4  # incl. the 410 and the full sync
    assert mailbox.fetch_new(after.state).messages == []


def test_raw_mime_keeps_forwarded_messages_and_their_attachments(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    inner = EmailMessage()
    inner["From"] = "sekreterare@ekeby.example"
    inner["Subject"] = "Uppföljning KFN"
    inner.set_content("Se bilaga.")
    inner.add_attachment(
        b"PK\x03\x04mall",
        maintype="application",
        subtype="octet-stream",
        filename="Uppföljning KFN.docx",
    )
    outer = EmailMessage()
    outer["From"] = "kfn@ekeby.example"
    outer["To"] = "uppfoljning@ekeby.example"
    outer["Subject"] = "VB: Uppföljning KFN"
    outer["Message-ID"] = "<fwd-1@ekeby.example>"
    outer.set_content("Vidarebefordrar.")
    outer.add_attachment(inner)
    graph_server.deliver(outer.as_bytes())

    [message] = mailbox.fetch_new(None).messages

    [attachment] = extract_attachments(message.raw)
    assert attachment.filename == "Uppföljning KFN.docx"
    assert attachment.data == b"PK\x03\x04mall"


def test_mark_processed_categorises_and_moves_to_a_folder_it_creates_once(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    ids = [graph_server.deliver(inbound(number=n)) for n in range(2)]
    mailbox.mark_processed(ids[0], "accepted")
    mailbox.mark_processed(ids[1], "quarantine")
    mailbox.mark_processed(ids[1], "quarantine")  # again: harmless

    moved = graph_server.folder_messages("Uppföljning – behandlade")
    assert {m["id"]: m["categories"] for m in moved} == {
        ids[0]: ["Uppföljning", "Uppföljning: accepted"],
        ids[1]: ["Uppföljning", "Uppföljning: quarantine"],
    }
    assert graph_server.folder_messages("inbox") == []
    assert graph_server.stats()["requests"]["create_folder"] == 1


# sending ------------------------------------------------------------------------------------


def test_large_attachment_goes_through_an_upload_session_in_fragments(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    big = Attachment("Uppföljningsmall KFN.docx", DOCX, os.urandom(5 * 1024 * 1024))
    small = Attachment("instruktion.pdf", "application/pdf", b"%PDF-1.7 kort")

    mailbox.send(outbound(attachments=(small, big)))

    [sent] = graph_server.sent()
    got = {a.filename: a.data for a in extract_attachments(sent["mime"])}
    assert got == {"Uppföljningsmall KFN.docx": big.data, "instruktion.pdf": small.data}
    requests = graph_server.stats()["requests"]
    assert requests["create_upload_session"] == 1
    assert requests["upload_put"] == 2  # 5 MiB in fragments under 4 MB, without a token


def test_sending_again_with_the_same_message_id_sends_nothing(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    mailbox.send(outbound())
    mailbox.send(outbound())
    assert [s["message_id"] for s in graph_server.sent()] == ["<remind.hbtqia-2026.kfn.1@followup>"]
    assert mailbox.was_sent("<remind.hbtqia-2026.kfn.1@followup>")
    assert not mailbox.was_sent("<remind.hbtqia-2026.kfn.2@followup>")


def test_lost_answer_to_send_does_not_send_twice(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    graph_server.set_faults(queued=[("drop_after", "send")])
    mailbox.send(outbound())
    assert len(graph_server.sent()) == 1
    assert graph_server.folder_messages("drafts") == []


def test_a_send_with_an_unknown_outcome_waits_and_then_reuses_its_draft(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    graph_server.set_faults(queued=[("http500", "send")])  # not carried out, but who knows
    with pytest.raises(SendPending):
        mailbox.send(outbound())
    assert graph_server.sent() == []
    time.sleep(0.25)  # longer than the adapter's send window (0.2 s here)
    mailbox.send(outbound())  # the next run
    assert len(graph_server.sent()) == 1
    assert graph_server.folder_messages("drafts") == []
    assert graph_server.stats()["requests"]["create_message"] == 1


def test_reply_threads_under_the_boards_message(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    graph_server.deliver(inbound(number=7))
    mailbox.send(outbound(in_reply_to="<in-7@ekeby.example>", subject="Kvitto: vi har tagit emot"))
    [sent] = graph_server.sent()
    headers = parse(sent["mime"])
    assert headers["In-Reply-To"] == "<in-7@ekeby.example>"
    assert headers["Subject"] == "Kvitto: vi har tagit emot"
    assert headers["Message-ID"] == "<remind.hbtqia-2026.kfn.1@followup>"


# throttling and errors ----------------------------------------------------------------------


def test_retry_after_is_honoured(graph_server: GraphServer, mailbox: GraphMailbox) -> None:
    graph_server.deliver(inbound())
    graph_server.set_faults(retry_after=0.5, queued=[("http429", "delta"), ("http503", "mime")])
    started = time.monotonic()
    result = mailbox.fetch_new(None)
    elapsed = time.monotonic() - started
    assert len(result.messages) == 1
    assert elapsed >= 1.0  # two answers asked us to wait half a second each
    assert graph_server.stats()["faults"] == {"http429": 1, "http503": 1}


def test_throttling_that_does_not_end_fails_as_transient(graph_server: GraphServer) -> None:
    graph_server.set_faults(retry_after=0.01, queued=[("http429", "delta")] * 10)
    with GraphMailbox(graph_settings(max_attempts=3)) as box, pytest.raises(MailError) as error:
        box.fetch_new(None)
    assert error.value.transient
    assert graph_server.stats()["requests"]["delta"] == 3


def test_wrong_client_secret_fails_at_once_with_a_clear_message(
    graph_server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_GRAPH_CLIENT_SECRET", "fel-hemlighet")
    with GraphMailbox(graph_settings()) as box, pytest.raises(MailError) as error:
        box.fetch_new(None)
    assert not error.value.transient
    assert "invalid_client" in str(error.value)
    assert "fel-hemlighet" not in str(error.value)
    assert graph_server.stats()["requests"] == {"openid_configuration": 1, "token": 1}


def test_mailbox_outside_the_apps_rbac_scope_is_not_retried(
    graph_server: GraphServer,
) -> None:
    settings = graph_settings(mailbox="kansliet@ekeby.example")
    with GraphMailbox(settings) as box, pytest.raises(MailError) as error:
        box.fetch_new(None)
    assert not error.value.transient
    assert "RBAC" in str(error.value)
    assert graph_server.stats()["requests"]["delta"] == 1


def test_token_is_fetched_once_for_many_calls(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    for number in range(3):
        mailbox.send(outbound(number))
    assert graph_server.stats()["requests"]["token"] == 1


def test_dropped_connections_on_reads_are_retried(
    graph_server: GraphServer, mailbox: GraphMailbox
) -> None:
    graph_server.deliver(inbound())
    graph_server.set_faults(queued=[("drop_before", "delta"), ("drop_after", "mime")])
    assert len(mailbox.fetch_new(None).messages) == 1


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TENANT_ID", "CLIENT_ID", "MAILBOX"):
        monkeypatch.delenv(f"FOLLOWUP_GRAPH_{name}", raising=False)
    monkeypatch.setenv("FOLLOWUP_GRAPH_CLIENT_ID", "11111111-2222-4333-8444-555555555555")
    with pytest.raises(ValidationError) as error:
        Settings(data=tmp_path, transport="graph")
    line = settings_error(error.value)
    assert "FOLLOWUP_GRAPH_TENANT_ID saknas men krävs när FOLLOWUP_TRANSPORT=graph" in line
    assert "FOLLOWUP_GRAPH_MAILBOX" in line
    assert "FOLLOWUP_GRAPH_CLIENT_ID" not in line
    assert "docs/exchange-online.md" in line


def test_settings_without_the_graph_part_are_refused(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, transport="maildir").model_copy(
        update={"transport": "graph"}
    )
    with pytest.raises(MailError) as error:
        open_mailbox(settings)
    assert "FOLLOWUP_GRAPH_*" in str(error.value)
    assert not error.value.transient


def test_factory_opens_the_graph_adapter(graph_server: GraphServer, tmp_path: Path) -> None:
    settings = graph_server.settings()
    mailbox = open_mailbox(Settings(data=tmp_path, transport="graph", graph=settings))
    assert isinstance(mailbox, GraphMailbox)
    assert mailbox.settings is settings
    assert mailbox.address == graph_server.address


def test_unreachable_token_endpoint_is_transient(graph_server: GraphServer) -> None:
    graph_server.deliver(inbound())
    graph_server.set_faults(queued=[("drop_before", "token")])
    with GraphMailbox(graph_settings()) as box:
        with pytest.raises(MailError) as error:
            box.fetch_new(None)
        assert error.value.transient
        assert len(box.fetch_new(None).messages) == 1  # the task's retry gets through


def test_send_many_keeps_four_in_flight(graph_server: GraphServer, mailbox: GraphMailbox) -> None:
    messages = [outbound(n) for n in range(12)]
    mailbox.send(messages[0])
    graph_server.reset_stats()
    graph_server.set_faults(latency=0.02)

    failures = mailbox.send_many(messages)

    assert failures == {}
    sent = [s["message_id"] for s in graph_server.sent()]
    assert sorted(sent) == sorted(m.message_id for m in messages)
    stats = graph_server.stats()
    # One search per message (sent, or a draft?); the one sent before is asked about by id.
    assert stats["requests"]["list_all"] == 11
    assert stats["requests"]["get_message"] == 1
    assert stats["requests"]["send"] == 11
    assert 1 < stats["max_in_flight"] <= 4
