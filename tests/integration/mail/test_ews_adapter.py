"""The EWS adapter against the EWS endpoint on localhost: what the contract suite does not cover
(authentication, throttling advice, bounded retries, impersonation, poll cost, concurrency)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from flows.mail.ews import EwsMailbox
from flows.mail.ews_settings import EwsSettings
from flows.mail.port import MailError, OutboundMessage
from tests.support.ews_server import DEFAULT_PASSWORD, DEFAULT_USER, EwsServer
from tests.support.mail_samples import reply


@pytest.fixture()
def server() -> Iterator[EwsServer]:
    with EwsServer() as running:
        yield running


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_EWS_PASSWORD", DEFAULT_PASSWORD)


def adapter(server: EwsServer, **changes: object) -> EwsMailbox:
    fields: dict[str, object] = {
        "address": server.address,
        "endpoint": server.endpoint,
        "auth": "basic",
        "username": DEFAULT_USER,
        "retry_base_seconds": 0.01,
        "max_attempts": 5,
        "version": "15.1.2507.6",
    }
    fields.update(changes)
    return EwsMailbox(EwsSettings(**fields))  # type: ignore[arg-type]


def message(n: int) -> OutboundMessage:
    return OutboundMessage(
        message_id=f"<m{n}@followup.ekeby.example>",
        to=("sekreterare@kfn.ekeby.example",),
        subject="Uppföljning",
        text="Hej!",
    )


def test_wrong_password_fails_at_once_with_a_clear_swedish_message(
    server: EwsServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("FOLLOWUP_EWS_PASSWORD", "fel-lösenord")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailError) as caught:
        adapter(server).fetch_new(None)
    assert not caught.value.transient
    assert "Inloggningen till Exchange misslyckades" in str(caught.value)
    assert server.stats.unauthorized == 1  # not retried
    assert "fel-lösenord" not in caplog.text


def test_missing_password_is_reported_without_contacting_the_server(
    server: EwsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FOLLOWUP_EWS_PASSWORD")
    monkeypatch.delenv("FOLLOWUP_EWS_PASSWORD_BLOCK", raising=False)
    with pytest.raises(MailError) as caught:
        adapter(server).was_sent("<x@y>")
    assert not caught.value.transient
    assert "FOLLOWUP_EWS_PASSWORD" in str(caught.value)
    assert server.stats.total() == 0 and server.stats.unauthorized == 0


def test_password_and_authorization_header_never_reach_the_logs(
    server: EwsServer, caplog: pytest.LogCaptureFixture
) -> None:
    import base64

    caplog.set_level(logging.DEBUG)
    mailbox = adapter(server)
    mailbox.send(message(1))
    mailbox.fetch_new(None)
    basic = base64.b64encode(f"{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode()).decode()
    assert DEFAULT_PASSWORD not in caplog.text
    assert basic not in caplog.text


def test_server_busy_waits_as_long_as_the_server_asks(server: EwsServer) -> None:
    server.deliver(reply(message_id="<busy@kfn>"))
    mailbox = adapter(server)
    mailbox.was_sent("<warm-up@x>")  # connect first; only the sync is throttled
    server.set_faults(back_off_ms=400, queued=[("busy", "SyncFolderItems")])
    started = time.monotonic()
    result = mailbox.fetch_new(None)
    assert time.monotonic() - started >= 0.4
    assert len(result.messages) == 1
    assert server.stats.requests["SyncFolderItems"] == 2


def test_retries_are_bounded_and_end_in_a_transient_error(server: EwsServer) -> None:
    mailbox = adapter(server, max_attempts=3)
    mailbox.fetch_new(None)  # connected, inbox opened
    server.stats.reset()
    server.set_faults(rate=1.0, kinds=("http500",))
    with pytest.raises(MailError) as caught:
        mailbox.fetch_new(None)
    assert caught.value.transient
    assert "3 försök" in str(caught.value)
    assert server.stats.requests["SyncFolderItems"] == 3


def test_a_send_whose_answer_was_lost_is_not_sent_again(server: EwsServer) -> None:
    mailbox = adapter(server)
    mailbox.was_sent("<warm-up@x>")
    server.set_faults(queued=[("drop_after", "CreateItem")])
    mailbox.send(message(7))
    assert [s["message_id"] for s in server.sent()] == ["<m7@followup.ekeby.example>"]
    assert server.stats.requests["CreateItem"] == 1


def test_a_send_refused_by_a_busy_server_is_sent_after_the_wait(server: EwsServer) -> None:
    mailbox = adapter(server)
    mailbox.was_sent("<warm-up@x>")
    server.set_faults(queued=[("busy", "CreateItem"), ("http503", "CreateItem")])
    mailbox.send(message(8))
    assert len(server.sent()) == 1
    assert server.stats.requests["CreateItem"] == 3


def test_impersonation_names_the_mailbox_in_every_request(server: EwsServer) -> None:
    adapter(server, impersonation=True).fetch_new(None)
    assert server.stats.impersonated == {server.address}


def test_delegate_access_does_not_impersonate(server: EwsServer) -> None:
    adapter(server).fetch_new(None)
    assert server.stats.impersonated == set()


def test_a_poll_costs_the_same_however_many_messages_were_processed(server: EwsServer) -> None:
    def poll_requests(processed: int) -> int:
        server.reset()
        inbox = server.store.folders_by_name("inbox").id
        done = server.store.create_folder(inbox, "Behandlade").id
        for n in range(processed):
            item = server.deliver(reply(message_id=f"<old{n}@k>"))
            server.store.move(item, done)
        first = adapter(server).fetch_new(None)  # the previous run, which left a state
        assert first.messages == []
        for n in range(3):
            server.deliver(reply(message_id=f"<new{n}@k>"))
        server.stats.reset()
        result = adapter(server).fetch_new(first.state)
        assert len(result.messages) == 3 and not result.more
        return server.stats.total()

    assert poll_requests(0) == poll_requests(300) <= 4


def test_sending_many_keeps_within_the_configured_concurrency(server: EwsServer) -> None:
    mailbox = adapter(server, max_connections=3)
    mailbox.was_sent("<warm-up@x>")
    server.set_faults(latency=0.05)
    server.stats.reset()
    failures = mailbox.send_many([message(n) for n in range(24)])
    assert failures == {}
    assert len(server.sent()) == 24
    # Overlapping, and never more than allowed (speed itself: benchmarks/mailbox.py).
    assert server.stats.max_in_flight == 3


def test_a_large_inbox_is_fetched_in_batches(server: EwsServer) -> None:
    for n in range(7):
        server.deliver(reply(message_id=f"<b{n}@k>"))
    mailbox = adapter(server, sync_batch=3)
    sizes = []
    state = None
    while True:
        result = mailbox.fetch_new(state)
        sizes.append(len(result.messages))
        state = result.state
        if not result.more:
            break
    assert sizes == [3, 3, 1]
    assert mailbox.fetch_new(state).messages == []


def test_a_sync_state_the_server_no_longer_knows_starts_over(server: EwsServer) -> None:
    server.deliver(reply(message_id="<kept@k>"))
    mailbox = adapter(server)
    state = mailbox.fetch_new(None).state
    assert state is not None
    moved = EwsServer()  # the mailbox now lives on another server: our state means nothing there
    try:
        moved.start()
        moved.deliver(reply(message_id="<kept@k>"))
        again = adapter(moved).fetch_new(state)
        assert len(again.messages) == 1
    finally:
        moved.stop()


def test_processed_message_is_categorised_and_moved(server: EwsServer) -> None:
    server.deliver(reply(message_id="<cat@k>"))
    mailbox = adapter(server, processed_folder="Behandlade 2027", category_prefix="Uppföljning")
    [message] = mailbox.fetch_new(None).messages
    mailbox.mark_processed(message.id, "accepted")
    inbox = server.store.folders_by_name("inbox")
    [folder] = [f for f in server.store.children(inbox.id) if f.name == "Behandlade 2027"]
    [item] = server.store.find_in_folder(folder.id)
    assert item.message_id == "<cat@k>"
    assert item.categories == ["Uppföljning: accepted"]
    assert server.store.find_in_folder(inbox.id) == []


def test_oauth2_needs_its_app_registration(
    server: EwsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MailError) as caught:
        adapter(server, auth="oauth2").was_sent("<x@y>")
    assert "FOLLOWUP_EWS_CLIENT_ID" in str(caught.value)
    monkeypatch.delenv("FOLLOWUP_EWS_CLIENT_SECRET", raising=False)
    monkeypatch.delenv("FOLLOWUP_EWS_CLIENT_SECRET_BLOCK", raising=False)
    with pytest.raises(MailError) as missing:
        adapter(server, auth="oauth2", client_id="app", tenant_id="tenant").was_sent("<x@y>")
    assert "FOLLOWUP_EWS_CLIENT_SECRET" in str(missing.value)
    assert not missing.value.transient
    assert server.stats.total() == 0


@pytest.mark.timeout(60, method="thread")
def test_concurrent_sends_survive_throttling_of_all_connections(server: EwsServer) -> None:
    # exchangelib shrinks its session pool on ErrorServerBusy while holding the pool lock; with
    # every connection busy that used to deadlock. Each message must still go out exactly once.
    mailbox = adapter(server, max_connections=4, max_attempts=20)
    mailbox.was_sent("<warm-up@x>")
    server.set_faults(rate=0.4, kinds=("busy", "http503"), latency=0.02, back_off_ms=5, seed=3)
    failures = mailbox.send_many([message(n) for n in range(60)])
    server.set_faults(rate=0.0)
    assert failures == {}
    assert sorted(s["message_id"] for s in server.sent()) == sorted(
        message(n).message_id for n in range(60)
    )
