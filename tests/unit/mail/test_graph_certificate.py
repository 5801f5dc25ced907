"""App-only sign-in with a certificate instead of a client secret."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from flows.mail.graph import GraphMailbox
from flows.mail.port import MailError
from tests.support.graph_server import DEFAULT_CREDENTIALS, GraphServer
from tests.support.graph_server.fixtures import graph_settings, inbound


def _key_and_certificate() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "followup")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def registered() -> tuple[bytes, bytes]:
    return _key_and_certificate()


@pytest.fixture()
def server(
    registered: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> Iterator[GraphServer]:
    credentials = dataclasses.replace(DEFAULT_CREDENTIALS, client_certificate_pem=registered[1])
    with GraphServer(credentials=credentials) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("FOLLOWUP_GRAPH_CLIENT_SECRET")
        yield server


def test_certificate_sign_in_reads_the_mailbox(
    server: GraphServer, registered: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    key_pem, certificate_pem = registered
    monkeypatch.setenv("FOLLOWUP_GRAPH_CERTIFICATE_KEY", (key_pem + certificate_pem).decode())
    server.deliver(inbound())
    with GraphMailbox(graph_settings()) as box:
        assert len(box.fetch_new(None).messages) == 1


def test_unregistered_certificate_is_refused_without_retries(
    server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_key, other_certificate = _key_and_certificate()
    monkeypatch.setenv("FOLLOWUP_GRAPH_CERTIFICATE_KEY", (other_key + other_certificate).decode())
    with GraphMailbox(graph_settings()) as box, pytest.raises(MailError) as error:
        box.fetch_new(None)
    assert not error.value.transient
    assert "invalid_client" in str(error.value)
    assert server.stats()["requests"]["token"] == 1


def test_no_credential_at_all_is_a_clear_error(server: GraphServer) -> None:
    with GraphMailbox(graph_settings()) as box, pytest.raises(MailError) as error:
        box.fetch_new(None)
    assert "FOLLOWUP_GRAPH_CLIENT_SECRET" in str(error.value)
    assert not error.value.transient
