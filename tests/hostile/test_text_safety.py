"""Text from outside never carries bidi controls into what we show, and error texts never carry
credentials into the ledger, logs or Prefect states."""

from __future__ import annotations

import pytest

from flows.mail.mime import safe_filename
from flows.untrusted.redact import MASK, redact
from flows.untrusted.text import BIDI_CONTROLS, has_bidi, strip_bidi


def test_every_bidi_control_is_stripped() -> None:
    text = "Genom" + BIDI_CONTROLS + "förd"
    assert strip_bidi(text) == "Genomförd"
    assert not has_bidi(safe_filename("rapport\u202excod.docx"))
    assert safe_filename("rapport\u202excod.docx") == "rapportxcod.docx"


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
ERRORS = [
    ("AADSTS7000215: Invalid client secret. client_secret=Xy7~abc&scope=x", "Xy7~abc"),
    ('POST body {"client_secret": "Xy7~abc", "grant_type": "client_credentials"}', "Xy7~abc"),
    (f"401 for headers {{'Authorization': 'Bearer {JWT}'}}", JWT[:20]),
    ("Authorization: Basic dXBwZm9sam5pbmc6aGVtbGlndA==", "dXBwZm9sam5pbmc6aGVtbGlndA"),
    ("https://uppfoljning:Hemligt123@ews.ekeby.example/EWS/Exchange.asmx", "Hemligt123"),
    ("login failed: password=Hemligt123", "Hemligt123"),
    ("token echoed: access_token=abc.def.ghi&expires_in=3599", "abc.def.ghi"),
]


@pytest.mark.parametrize(("text", "secret"), ERRORS)
def test_credentials_are_redacted_from_error_text(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert MASK in cleaned


def test_known_secret_values_are_redacted_anywhere_and_the_rest_is_kept() -> None:
    cleaned = redact("server said: invalid_client (Hemligt-värde-42)", ("Hemligt-värde-42",))
    assert cleaned == f"server said: invalid_client ({MASK})"
    assert redact("Meddelandet finns inte i inkorgen.") == "Meddelandet finns inte i inkorgen."
