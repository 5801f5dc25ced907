"""Building outgoing messages and reading incoming ones (flows/mail/mime.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.mail.mime import (
    MAX_FILENAME_LENGTH,
    build_message,
    extract_attachments,
    message_bytes,
    parse,
    parse_envelope,
    safe_filename,
)
from flows.mail.port import Attachment, OutboundMessage
from tests.support.mail_samples import DOCX_TYPE, fake_docx, forwarded, reply, tnef, winmail

SENDER = "uppfoljning@ekeby.example"


def message(**extra: object) -> OutboundMessage:
    fields: dict[str, object] = {
        "message_id": "<remind.hbtqia-2026.kfn.1@followup.ekeby.example>",
        "to": ("sekreterare@kfn.ekeby.example", "kansli@kfn.ekeby.example"),
        "subject": "Påminnelse: återrapportering senast 15 mars 2027 (HBT26-KFN-Q7)",
        "text": "Hej!\nSista dag är 15 mars 2027.",
    }
    fields.update(extra)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


def test_built_message_has_our_ids_text_and_html_alternatives_and_attachments() -> None:
    template = fake_docx("mall")
    built = build_message(
        message(
            html="<p>Hej!</p>",
            cc=("ordforande@kfn.ekeby.example",),
            in_reply_to="<svar-1@kfn.ekeby.example>",
            reply_to="uppfoljning@ekeby.example",
            attachments=(Attachment("Uppföljning KFN.docx", DOCX_TYPE, template),),
            headers=(("X-Followup-Ref", "HBT26-KFN-Q7"),),
        ),
        sender=SENDER,
        date=datetime(2027, 3, 1, 8, 0, tzinfo=UTC),
    )
    reread = parse(built.as_bytes(policy=SMTP))

    assert reread["Message-ID"] == "<remind.hbtqia-2026.kfn.1@followup.ekeby.example>"
    assert reread["In-Reply-To"] == "<svar-1@kfn.ekeby.example>"
    assert reread["References"] == "<svar-1@kfn.ekeby.example>"
    assert reread["Subject"] == "Påminnelse: återrapportering senast 15 mars 2027 (HBT26-KFN-Q7)"
    assert reread["Cc"] == "ordforande@kfn.ekeby.example"
    assert reread["X-Followup-Ref"] == "HBT26-KFN-Q7"
    assert reread.get_content_type() == "multipart/mixed"
    alternative = reread.get_body(preferencelist=("related", "html", "plain"))
    assert alternative is not None
    plain = reread.get_body(preferencelist=("plain",))
    html = reread.get_body(preferencelist=("html",))
    assert plain is not None and "15 mars 2027" in plain.get_content()
    assert html is not None and html.get_content().strip() == "<p>Hej!</p>"
    assert [(a.filename, a.content_type, a.data) for a in extract_attachments(bytes(reread))] == [
        ("Uppföljning KFN.docx", DOCX_TYPE, template)
    ]


def test_text_only_message_is_a_single_part() -> None:
    built = build_message(message(), sender=SENDER)
    assert built.get_content_type() == "text/plain"
    assert built.get_content_charset() == "utf-8"


def test_envelope_reads_sender_subject_ids_date_and_text() -> None:
    raw = reply(
        sender='"Åsa Öberg" <Asa.Oberg@KFN.ekeby.example>',
        subject="Re: Uppföljning HBT26-KFN-Q7",
        message_id="<svar-7@kfn.ekeby.example>",
        text="Hej, här är vårt svar.",
    )
    envelope = parse_envelope(raw)
    assert envelope.sender == "asa.oberg@kfn.ekeby.example"
    assert envelope.sender_name == "Åsa Öberg"
    assert envelope.subject == "Re: Uppföljning HBT26-KFN-Q7"
    assert envelope.message_id == "<svar-7@kfn.ekeby.example>"
    assert envelope.date == datetime(2027, 3, 15, 9, 30, tzinfo=UTC)
    assert envelope.text == "Hej, här är vårt svar."
    assert envelope.to == ("uppfoljning@ekeby.example",)


def test_envelope_of_html_only_mail_gives_readable_text() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example"
    msg.set_content(
        "<html><style>p{}</style><body><p>Rad ett</p><p>R&auml;d tv&aring;</p></body></html>",
        subtype="html",
    )
    envelope = parse_envelope(msg.as_bytes())
    assert envelope.text == "Rad ett\nRäd två"
    assert envelope.message_id is None
    assert envelope.date is None


def test_attachments_inside_nested_forwards_are_found() -> None:
    answer = fake_docx("svar")
    inner = reply(attachments=(("Svar KFN.docx", DOCX_TYPE, answer),))
    twice = forwarded(forwarded(inner, message_id="<f1@x>"), message_id="<f2@x>")
    assert [(a.filename, a.data) for a in extract_attachments(twice)] == [("Svar KFN.docx", answer)]


def test_winmail_dat_is_unpacked_with_long_swedish_names() -> None:
    files = [("Uppföljning KFN 2026.docx", fake_docx("a")), ("Bilaga åäö.pdf", b"%PDF-1.4 x")]
    found = extract_attachments(winmail(files, message_id="<w@x>"))
    assert [(a.filename, a.data) for a in found] == files
    assert [a.content_type for a in found] == [DOCX_TYPE, "application/pdf"]


def test_unreadable_winmail_dat_is_kept_as_it_is() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example"
    msg.set_content("x")
    msg.add_attachment(
        b"not tnef", maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    found = extract_attachments(msg.as_bytes())
    assert [(a.filename, a.data) for a in found] == [("winmail.dat", b"not tnef")]


def test_winmail_dat_inside_a_forward_is_unpacked() -> None:
    inner = winmail([("Svar.docx", fake_docx("t"))], message_id="<w@x>")
    found = extract_attachments(forwarded(inner, message_id="<f@x>"))
    assert [a.filename for a in found] == ["Svar.docx"]


def test_tnef_builder_output_is_what_tnefparse_reads() -> None:
    from tnefparse import TNEF

    parsed = TNEF(tnef([("a.docx", b"abc")]), do_checksum=True)
    assert [(a.long_filename(), a.data) for a in parsed.attachments] == [("a.docx", b"abc")]


def test_octet_stream_attachment_gets_type_from_its_name() -> None:
    raw = reply(attachments=(("Svar.docx", "application/octet-stream", b"PK.."),))
    assert extract_attachments(raw)[0].content_type == DOCX_TYPE


def test_attachment_names_with_rfc2231_encoding_are_decoded() -> None:
    raw = message_bytes(
        message(attachments=(Attachment("Årsrapport – nämnd.docx", DOCX_TYPE, b"PK"),)),
        sender=SENDER,
    )
    assert b"filename*=" in raw or b"=?utf-8?" in raw
    assert extract_attachments(raw)[0].filename == "Årsrapport – nämnd.docx"


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Desktop\\svar.docx", "svar.docx"),
        ("/abs/path/svar.docx", "svar.docx"),
        ("..", "bilaga"),
        ("", "bilaga"),
        (None, "bilaga"),
        ("CON.docx", "_CON.docx"),
        ("svar\x00.docx", "svar_.docx"),
        ("a:b*c?.docx", "a_b_c_.docx"),
        ("  .hidden.docx ", "hidden.docx"),
    ],
)
def test_attachment_names_never_become_paths(given_name: str | None, expected: str) -> None:
    assert safe_filename(given_name) == expected


def test_long_names_are_shortened_keeping_the_extension() -> None:
    name = safe_filename("å" * 400 + ".docx")
    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith(".docx")


@given(st.text())
def test_any_name_is_a_single_safe_path_component(name: str) -> None:
    cleaned = safe_filename(name)
    assert cleaned
    assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
    assert cleaned not in {".", ".."}
    assert len(cleaned) <= MAX_FILENAME_LENGTH
