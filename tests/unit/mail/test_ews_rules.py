"""Pure decisions of the EWS adapter: which errors to retry, how long to wait, settings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from exchangelib.errors import (
    ErrorAccessDenied,
    ErrorImpersonateUserDenied,
    ErrorInternalServerTransientError,
    ErrorItemNotFound,
    ErrorServerBusy,
    ErrorTimeoutExpired,
    TransportError,
    UnauthorizedError,
)

from flows.mail.ews import (
    EwsMailbox,
    RedactSecrets,
    _decode_state,
    _encode_state,
    auth_message,
    backoff_seconds,
    classify,
)
from flows.mail.ews_settings import EwsSettings
from flows.mail.factory import open_mailbox
from flows.mail.port import MailError
from flows.settings import Settings


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ErrorServerBusy("busy", back_off=2.0), "transient"),
        (ErrorInternalServerTransientError("HTTP 503"), "transient"),
        (ErrorTimeoutExpired("dropped"), "transient"),
        (UnauthorizedError("Invalid credentials"), "auth"),
        (ErrorAccessDenied("no"), "auth"),
        (ErrorImpersonateUserDenied("no"), "auth"),
        (ErrorItemNotFound("gone"), "permanent"),
        (TransportError("TLS certificate verify failed"), "permanent"),
        (ValueError("bug"), "permanent"),
    ],
)
def test_classify(error: Exception, kind: str) -> None:
    assert classify(error) == kind


def test_a_transport_error_caused_by_a_dropped_connection_is_transient() -> None:
    try:
        try:
            raise ErrorTimeoutExpired("Reraised from ConnectionError")
        except ErrorTimeoutExpired as inner:
            raise TransportError("No valid version headers found in response") from inner
    except TransportError as outer:
        assert classify(outer) == "transient"


def test_auth_messages_are_swedish_and_point_to_the_settings() -> None:
    message = auth_message(ErrorImpersonateUserDenied("x"))
    assert "ApplicationImpersonation" in message
    assert "FOLLOWUP_EWS_" in message
    assert "misslyckades" in auth_message(UnauthorizedError("x"))


def test_backoff_follows_the_server_and_is_bounded() -> None:
    assert backoff_seconds(1, base=1, cap=60, server_hint=2.5, jitter=0) == 2.5
    assert backoff_seconds(1, base=1, cap=60, server_hint=300, jitter=0) == 60
    assert [
        backoff_seconds(n, base=1, cap=10, server_hint=None, jitter=0) for n in (1, 2, 3, 4, 5)
    ] == [
        1,
        2,
        4,
        8,
        10,
    ]
    assert backoff_seconds(2, base=1, cap=60, server_hint=None, jitter=0.25) == 2.5


def test_sync_state_round_trips_and_rejects_foreign_states() -> None:
    assert _decode_state(_encode_state("H4sIAAAA")) == "H4sIAAAA"
    assert _encode_state(None) is None
    for foreign in (None, "", "garbage", '{"v": "maildir-v1", "seen": []}', "[]"):
        assert _decode_state(foreign) is None


def test_settings_without_the_exchange_part_are_refused_in_swedish(tmp_path: Path) -> None:
    # Settings() reads FOLLOWUP_EWS_* (tests/unit/test_settings.py); a copy can lack them.
    settings = Settings(data=tmp_path, transport="maildir").model_copy(update={"transport": "ews"})
    with pytest.raises(MailError) as caught:
        open_mailbox(settings)
    assert not caught.value.transient
    assert "FOLLOWUP_EWS_*" in str(caught.value)


def test_the_factory_passes_the_exchange_settings_down(tmp_path: Path) -> None:
    ews = EwsSettings(address="uppfoljning@ekeby.example", max_connections=3)
    mailbox = open_mailbox(Settings(data=tmp_path, transport="ews", ews=ews))
    assert isinstance(mailbox, EwsMailbox)
    assert mailbox.settings is ews
    assert mailbox.address == "uppfoljning@ekeby.example" and mailbox.concurrency == 3


def test_log_filter_hides_authorization_headers_tokens_and_secrets() -> None:
    redactor = RedactSecrets()
    redactor.secrets.add("hemligt-lösen")
    record = logging.LogRecord(
        "exchangelib.util",
        logging.DEBUG,
        __file__,
        1,
        "Request headers: %s body %s",
        ({"Authorization": "Basic ZWtlYnk6aGVtbGlndA==", "X": "y"}, "pw=hemligt-lösen"),
        None,
    )
    redactor.filter(record)
    text = record.getMessage()
    assert "ZWtlYnk6aGVtbGlndA" not in text
    assert "hemligt-lösen" not in text
    assert "'X': 'y'" in text
    token = logging.LogRecord(
        "r", logging.DEBUG, __file__, 1, "{'access_token': 'eyJ0eXAi'}", (), None
    )
    redactor.filter(token)
    assert "eyJ0eXAi" not in token.getMessage()
