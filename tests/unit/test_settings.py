"""flows.settings: the chosen transport's own settings are read once, with the rest, and can be
given explicitly; reading them imports no mail client."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.mail.ews_settings import EwsSettings
from flows.settings import Settings
from flows.settings_errors import settings_error
from tests.support.imports import modules_after


def test_transport_ews_reads_the_followup_ews_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FOLLOWUP_TRANSPORT", "ews")
    monkeypatch.setenv("FOLLOWUP_EWS_ADDRESS", "uppfoljning@ekeby.example")
    monkeypatch.setenv("FOLLOWUP_EWS_ENDPOINT", "https://mail.ekeby.example/EWS/Exchange.asmx")
    monkeypatch.setenv("FOLLOWUP_EWS_MAX_ATTEMPTS", "3")
    settings = Settings(data=tmp_path)
    assert settings.ews is not None and settings.graph is None
    assert settings.ews.address == "uppfoljning@ekeby.example"
    assert settings.ews.endpoint == "https://mail.ekeby.example/EWS/Exchange.asmx"
    assert settings.ews.max_attempts == 3


def test_explicit_exchange_settings_are_passed_through(tmp_path: Path) -> None:
    ews = EwsSettings(address="uppfoljning@ekeby.example", auth="basic")
    settings = Settings(data=tmp_path, transport="ews", ews=ews)
    assert settings.ews is ews


def test_another_transport_reads_no_exchange_settings(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, transport="maildir")
    assert settings.ews is None and settings.graph is None


def test_a_missing_address_names_its_variable_in_swedish(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FOLLOWUP_EWS_ADDRESS", raising=False)
    monkeypatch.setenv("FOLLOWUP_EWS_MAX_ATTEMPTS", "många")
    with pytest.raises(ValidationError) as caught:
        Settings(data=tmp_path, transport="ews")
    assert [e["loc"] for e in caught.value.errors()] == [
        ("ews", "address"),
        ("ews", "max_attempts"),
    ]
    assert settings_error(caught.value) == (
        "FOLLOWUP_EWS_ADDRESS saknas men krävs när FOLLOWUP_TRANSPORT=ews — sätt variabeln "
        "(se docs/exchange-server.md); FOLLOWUP_EWS_MAX_ATTEMPTS ska vara ett heltal "
        "(fick 'många') — rätta värdet (se docs/exchange-server.md)"
    )


def test_reading_the_settings_imports_no_mail_client() -> None:
    heavy = ("exchangelib", "httpx", "msal", "requests")
    assert modules_after("import flows.settings", heavy) == []
