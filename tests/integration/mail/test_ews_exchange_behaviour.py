"""The EWS adapter against documented Exchange behaviour and real authentication paths: corrupt
items, a stopped batch, NTLM, OAuth2 client credentials against the local token endpoint, and
SOAP autodiscover (tests/support/EXCHANGE_BEHAVIOUR.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.mail.ews import EwsMailbox
from flows.mail.ews_settings import EwsSettings
from flows.mail.mime import extract_attachments, parse, parse_envelope
from flows.mail.port import MailError, OutboundMessage
from flows.mail.reconstruct import RECONSTRUCTED_HEADER, UNREADABLE_HEADER
from tests.support.ews_server import DEFAULT_PASSWORD, DEFAULT_USER, EwsServer
from tests.support.exchange_samples import smime_signed
from tests.support.exchange_stamp import as_delivered_by_exchange
from tests.support.graph_server import DEFAULT_CREDENTIALS, GraphServer
from tests.support.graph_server.app import EWS_SCOPE
from tests.support.mail_samples import reply


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_EWS_PASSWORD", DEFAULT_PASSWORD)


def settings(server: EwsServer, **changes: object) -> EwsSettings:
    fields: dict[str, object] = {
        "address": server.address,
        "endpoint": server.endpoint,
        "auth": "basic",
        "username": DEFAULT_USER,
        "retry_base_seconds": 0.01,
        "max_attempts": 4,
        "version": "15.1.2507.6",
    }
    fields.update(changes)
    return EwsSettings(**fields)  # type: ignore[arg-type]


def message(n: int) -> OutboundMessage:
    return OutboundMessage(
        message_id=f"<auth-{n}@followup.ekeby.example>",
        to=("sekreterare@kfn.ekeby.example",),
        subject="Uppföljning",
        text="Hej!",
    )


def test_a_corrupt_item_becomes_an_unreadable_entry_and_the_rest_still_arrive() -> None:
    with EwsServer() as server:
        server.set_behaviour(smime_mime_fails=True, batch_stops_after_error=True)
        server.deliver(reply(message_id="<first@kfn>"))
        broken = server.deliver(reply(message_id="<broken@kfn>"), corrupt=True)
        signed = smime_signed(attachment=("Svar.docx", b"PK\x03\x04svar"), message_id="<s@kfn>")
        server.deliver(as_delivered_by_exchange(signed))
        server.deliver(reply(message_id="<last@kfn>"))

        result = EwsMailbox(settings(server)).fetch_new(None)

        by_id = {m.id: m for m in result.messages}
        assert len(result.messages) == 4 and not result.more
        unreadable = parse(by_id[broken].raw)
        assert unreadable[UNREADABLE_HEADER] == "ErrorItemCorrupt"
        assert "kunde inte läsas" in str(unreadable["Subject"])
        rebuilt = next(m for m in result.messages if b"<s@kfn>" in m.raw)
        assert parse(rebuilt.raw)[RECONSTRUCTED_HEADER] == "ews:ErrorMimeContentConversionFailed"
        assert "Svar.docx" in [a.filename for a in extract_attachments(rebuilt.raw)]
        # Exchange's stamps survive, for the sender policy to read.
        assert parse(rebuilt.raw)["X-MS-Exchange-Organization-AuthSource"] == "EX01.ekeby.example"
        ids = {parse_envelope(m.raw).message_id for m in result.messages}
        assert {"<first@kfn>", "<last@kfn>", "<s@kfn>"} <= ids
        # The same stand-in every time: a repeated fetch records it once.
        again = EwsMailbox(settings(server)).fetch_new(None)
        assert {m.id: m.raw for m in again.messages}[broken] == by_id[broken].raw


def test_ntlm_signs_in_through_a_real_acceptor() -> None:
    with EwsServer(auth="ntlm") as server:
        mailbox = EwsMailbox(settings(server, auth="ntlm"))
        mailbox.send(message(1))
        assert [s["message_id"] for s in server.sent()] == [message(1).message_id]
        assert server.stats.unauthorized >= 2  # the 401 and the NTLM challenge


def test_ntlm_with_a_wrong_password_fails_at_once_in_swedish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FOLLOWUP_EWS_PASSWORD", "fel-lösenord")
    with EwsServer(auth="ntlm") as server:
        with pytest.raises(MailError) as caught:
            EwsMailbox(settings(server, auth="ntlm")).fetch_new(None)
        assert not caught.value.transient
        assert "Inloggningen till Exchange misslyckades" in str(caught.value)


@pytest.fixture()
def ca_bundle(tmp_path: Path) -> Iterator[tuple[GraphServer, EwsServer, Path]]:
    with GraphServer() as graph:
        tokens = graph.app

        def valid(token: str) -> bool:
            return tokens.token_valid(token, EWS_SCOPE)

        with EwsServer(auth="bearer", tls=True, token_valid=valid) as ews:
            assert ews.ca_file is not None
            bundle = tmp_path / "ca.pem"
            bundle.write_bytes(graph.ca_file.read_bytes() + ews.ca_file.read_bytes())
            yield graph, ews, bundle


def test_oauth2_client_credentials_against_the_local_token_endpoint(
    ca_bundle: tuple[GraphServer, EwsServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph, ews, bundle = ca_bundle
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("FOLLOWUP_EWS_CLIENT_SECRET", DEFAULT_CREDENTIALS.client_secret)
    oauth = settings(
        ews,
        auth="oauth2",
        username=None,
        tenant_id=DEFAULT_CREDENTIALS.tenant_id,
        client_id=DEFAULT_CREDENTIALS.client_id,
        authority=f"{graph.url}/{DEFAULT_CREDENTIALS.tenant_id}",
    )
    EwsMailbox(oauth).send(message(2))
    assert [s["message_id"] for s in ews.sent()] == [message(2).message_id]
    assert graph.stats()["requests"]["token"] == 1
    assert ews.stats.impersonated == {ews.address}  # app-only access acts as the mailbox


def test_oauth2_with_a_wrong_secret_is_refused_in_swedish(
    ca_bundle: tuple[GraphServer, EwsServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph, ews, bundle = ca_bundle
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("FOLLOWUP_EWS_CLIENT_SECRET", "fel-hemlighet")
    oauth = settings(
        ews,
        auth="oauth2",
        tenant_id=DEFAULT_CREDENTIALS.tenant_id,
        client_id=DEFAULT_CREDENTIALS.client_id,
        authority=f"{graph.url}/{DEFAULT_CREDENTIALS.tenant_id}",
    )
    with pytest.raises(MailError) as caught:
        EwsMailbox(oauth).fetch_new(None)
    assert not caught.value.transient
    assert "fel-hemlighet" not in str(caught.value)
    assert ews.sent() == []


def test_autodiscover_finds_the_endpoint_and_keeps_the_connection_setting() -> None:
    with EwsServer() as server:
        found = settings(server, endpoint=None, autodiscover_url=server.autodiscover_url)
        mailbox = EwsMailbox(found, concurrency=3)
        mailbox.was_sent("<warm-up@x>")
        server.set_faults(latency=0.05)
        failures = mailbox.send_many([message(n) for n in range(12)])
        assert failures == {}
        assert len(server.sent()) == 12
        assert server.stats.requests["GetUserSettings"] == 1
        assert mailbox.account.protocol.max_connections == 3
        assert server.stats.max_in_flight == 3  # before, the autodiscover path used a pool of 1
