"""Messages built from what Exchange still gives when it cannot give MIME."""

from __future__ import annotations

import datetime as dt

from flows.mail.mime import extract_attachments, parse, parse_envelope
from flows.mail.port import Attachment
from flows.mail.reconstruct import (
    RECONSTRUCTED_HEADER,
    UNREADABLE_HEADER,
    UNREADABLE_SENDER,
    ItemProperties,
    attachments_in,
    reconstructed_message,
    unreadable_message,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_rebuilt_message_keeps_sender_ids_body_and_attachments() -> None:
    properties = ItemProperties(
        subject="Re: Uppföljning HBT26-KFN-Q7",
        sender="sekreterare@kfn.ekeby.example",
        sender_name='Åsa "KFN" Öberg',
        to=("uppfoljning@ekeby.example",),
        message_id="<svar-1@kfn.ekeby.example>",
        sent=dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC),
        body="<p>Här är vårt svar.</p>",
        body_is_html=True,
        attachments=attachments_in([("../../Svar KFN.docx", DOCX, b"PK\x03\x04svar")]),
    )
    raw = reconstructed_message(properties, reason="ews:ErrorMimeContentConversionFailed")
    envelope = parse_envelope(raw)
    assert envelope.sender == "sekreterare@kfn.ekeby.example"
    assert envelope.message_id == "<svar-1@kfn.ekeby.example>"
    assert envelope.subject == properties.subject
    assert parse(raw)[RECONSTRUCTED_HEADER] == "ews:ErrorMimeContentConversionFailed"
    [attachment] = extract_attachments(raw)
    assert (attachment.filename, attachment.data) == ("Svar KFN.docx", b"PK\x03\x04svar")


def test_an_unreadable_entry_is_the_same_every_time_and_from_no_board() -> None:
    first = unreadable_message(
        mailbox="uppfoljning@ekeby.example",
        item_id="AAMk=",
        reason="ErrorItemCorrupt",
        received=None,
    )
    again = unreadable_message(
        mailbox="uppfoljning@ekeby.example",
        item_id="AAMk=",
        reason="ErrorItemCorrupt",
        received=None,
    )
    other = unreadable_message(
        mailbox="uppfoljning@ekeby.example",
        item_id="BBMk=",
        reason="ErrorItemCorrupt",
        received=None,
    )
    assert first == again != other
    message = parse(first)
    assert message[UNREADABLE_HEADER] == "ErrorItemCorrupt"
    assert parse_envelope(first).sender == UNREADABLE_SENDER
    assert "Öppna meddelandet i Outlook" in parse_envelope(first).text
    assert extract_attachments(first) == []
    assert attachments_in([("", "", b"x")]) == (
        Attachment("bilaga", "application/octet-stream", b"x"),
    )


def test_collect_quarantines_an_unreadable_entry_and_tells_the_coordinator() -> None:
    from flows.collect import read_documents
    from flows.config import load_config
    from flows.intake.decision import assess
    from tests.conftest import CONFIG_DIR

    config = load_config(CONFIG_DIR)
    current = config.cycle("hbtqia-2026")
    raw = unreadable_message(
        mailbox=config.municipality.mailbox,
        item_id="AAMk=",
        reason="ErrorItemCorrupt",
        received=None,
    )
    facts, words = read_documents(config, current, raw)
    decision = assess(config, current, facts, words, own_addresses={config.municipality.mailbox})
    assert decision.outcome == "quarantined"
    assert decision.notify_coordinator and decision.reply is None
