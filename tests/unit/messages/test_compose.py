"""Composition of every message kind: Swedish subject with the reference code, text and HTML."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from flows.config import load_config
from flows.mail.mime import message_bytes, safe_filename
from flows.messages.compose import (
    compose_no_attachment,
    compose_quarantine_notice,
    compose_receipt,
    compose_rejection,
    compose_request,
    request_addressing,
    summarize_areas,
    template_attachment,
    template_filename,
)
from flows.messages.kinds import REQUEST_KINDS
from flows.messages.test_mode import redirect
from flows.model import ActivityRow, Config, Indicator, ParsedTemplate, Problem
from flows.references import reference_code
from flows.swedish import genitive as swedish_genitive
from flows.swedish import long_date as swedish_date
from tests.conftest import CONFIG_DIR


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def test_swedish_dates_and_genitive() -> None:
    assert swedish_date(dt.date(2027, 3, 31)) == "31 mars 2027"
    assert swedish_date(dt.date(2027, 1, 1)) == "1 januari 2027"
    assert swedish_genitive("Socialnämnden") == "Socialnämndens"
    assert swedish_genitive("Ekebyhem AB") == "Ekebyhem AB:s"
    assert swedish_genitive("Kommunfullmäktiges") == "Kommunfullmäktiges"


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_every_request_kind_has_reference_and_deadline(config: Config, kind: str) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("kultur-och-fritidsnamnden")
    ref = reference_code(cycle, board)
    template = template_attachment(config, cycle, board, b"PK-docx")
    message = compose_request(
        config,
        cycle,
        board,
        kind,  # type: ignore[arg-type]
        today=dt.date(2027, 3, 17),
        message_id="<m1@ekeby.example>",
        template=template,
        escalate=kind == "escalation",
    )
    assert message.subject.startswith("Uppföljning av Hbtqia+-strategin 2026 – ")
    assert message.subject.endswith(f"[{ref}]")
    assert "\n" not in message.subject
    assert "31 mars 2027" in message.text
    assert message.html is not None and "31 mars 2027" in message.html
    assert message.to == ("elin.forsberg@ekeby.example",)
    assert "mats.dahl@ekeby.example" in message.cc
    assert message.attachments == (template,)
    assert ("Auto-Submitted", "auto-generated") in message.headers
    assert message.reply_to == config.municipality.mailbox


def test_reminder_subject_and_days_left(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("kultur-och-fritidsnamnden")
    message = compose_request(
        config, cycle, board, "reminder_before", today=dt.date(2027, 3, 17), message_id="<x@y>"
    )
    assert message.subject == (
        "Uppföljning av Hbtqia+-strategin 2026 – påminnelse, sista dag 31 mars 2027 [HBT26-KFN-PI]"
    )
    assert "om 14 dagar" in message.text


def test_one_day_is_singular(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("kultur-och-fritidsnamnden")
    before = compose_request(
        config, cycle, board, "reminder_before", today=dt.date(2027, 3, 30), message_id="<a@y>"
    )
    assert "om 1 dag." in before.text and "1 dagar" not in before.text
    assert before.html is not None and "om 1 dag." in before.html
    late = compose_request(
        config, cycle, board, "overdue", today=dt.date(2027, 4, 1), message_id="<b@y>"
    )
    assert "för 1 dag sedan" in late.text and "1 dagar" not in late.text


def test_deadline_message_before_a_deadline_that_is_not_a_send_day(config: Config) -> None:
    sunday = dt.date(2027, 3, 14)
    cycle = config.cycle("hbtqia-2026").model_copy(update={"deadline": sunday})
    board = config.board("kultur-och-fritidsnamnden")
    friday = compose_request(
        config, cycle, board, "deadline", today=dt.date(2027, 3, 12), message_id="<c@y>"
    )
    assert "sista dag söndag den 14 mars 2027" in friday.subject
    assert "är söndag den 14 mars 2027, om 2 dagar" in friday.text
    assert "I dag" not in friday.text and "i dag" not in friday.subject
    assert friday.html is not None and "söndag den 14 mars 2027" in friday.html
    on_the_day = compose_request(config, cycle, board, "deadline", today=sunday, message_id="<d@y>")
    assert "sista dag i dag" in on_the_day.subject
    assert on_the_day.text.count("I dag, 14 mars 2027, är sista dag") == 1


def test_late_invitation_does_not_name_a_past_deadline_as_the_one_to_meet(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("kultur-och-fritidsnamnden")
    late = compose_request(
        config, cycle, board, "invitation", today=dt.date(2027, 4, 8), message_id="<e@y>"
    )
    assert "inbjudan att redovisa så snart som möjligt" in late.subject
    assert "har redan passerat" in late.text and "så snart som möjligt" in late.text
    assert "senast den 31 mars 2027" not in late.text
    assert late.html is not None and "har redan passerat" in late.html
    on_time = compose_request(
        config, cycle, board, "invitation", today=dt.date(2027, 2, 3), message_id="<f@y>"
    )
    assert "senast den 31 mars 2027" in on_time.subject and "passerat" not in on_time.text


def test_escalation_copies_the_escalation_contact(config: Config) -> None:
    board = config.board("socialnamnden")
    assert board.escalation.email not in request_addressing(board, escalate=False).cc
    addressing = request_addressing(board, escalate=True)
    assert board.escalation.email in addressing.cc
    message = compose_request(
        config,
        config.cycle("hbtqia-2026"),
        board,
        "escalation",
        today=dt.date(2027, 4, 14),
        message_id="<e@y>",
        escalate=True,
    )
    assert board.escalation.name in message.text
    assert "14 dagar sedan" in message.text


def test_resubmit_lists_what_to_fix(config: Config) -> None:
    message = compose_request(
        config,
        config.cycle("hbtqia-2026"),
        config.board("miljonamnden"),
        "resubmit_request",
        today=dt.date(2027, 3, 20),
        message_id="<r@y>",
        problems=[
            Problem(level="error", code="x", message="Status saknas för 2.1.", where="Område 2"),
            Problem(level="warning", code="w", message="En varning"),
        ],
    )
    assert "Status saknas för 2.1. (Område 2)" in message.text
    assert "En varning" not in message.text


def test_template_filename_is_readable_and_survives_mime(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("kultur-och-fritidsnamnden")
    assert (
        template_filename(config, cycle, board)
        == "Uppföljning Hbtqia+-strategin 2026 – Kultur- och fritidsnämnden.docx"
    )
    message = compose_request(
        config,
        cycle,
        board,
        "invitation",
        today=dt.date(2027, 2, 3),
        message_id="<i@ekeby.example>",
        template=template_attachment(config, cycle, board, b"data"),
    )
    raw = message_bytes(message, sender="uppfoljning@ekeby.example")
    parsed = message_from_bytes(raw, policy=default_policy)
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert names == [template_filename(config, cycle, board)]
    assert "[HBT26-KFN-PI]" in str(parsed["Subject"])
    # A company board: the file name has no colon ("AB:s" would arrive as "AB_s").
    company = config.board("ekebyhem")
    assert (
        template_filename(config, cycle, company)
        == "Uppföljning Hbtqia+-strategin 2026 – Ekebyhem AB, styrelsen.docx"
    )
    assert safe_filename(template_filename(config, cycle, company)) == template_filename(
        config, cycle, company
    )


def _parsed(board: str, activity: str = "Utbildning") -> ParsedTemplate:
    return ParsedTemplate(
        file="svar.docx",
        board=board,
        cycle="hbtqia-2026",
        activities=[
            ActivityRow(area=1, nr="1.1", activity=activity, status="Genomförd"),
            ActivityRow(area=1, nr="1.2", activity="Plan", status="Pågående"),
            ActivityRow(area=2, nr=None, activity="Egen rad", status_text="snart klar"),
        ],
        indicators=[Indicator(name="Antal chefer", value=1234.5), Indicator(name="B")],
        problems=[Problem(level="warning", code="status.unknown", message="Okänd status")],
    )


def test_receipt_shows_what_was_read(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("socialnamnden")
    message = compose_receipt(
        config,
        cycle,
        board,
        _parsed(board.id),
        to="linnea.strand@ekeby.example",
        message_id="<k@y>",
        in_reply_to="<orig@x>",
        version=2,
        filename="svar.docx",
        received=dt.date(2027, 3, 30),
    )
    assert message.subject.startswith("Kvittens: Socialnämndens uppföljning")
    assert message.in_reply_to == "<orig@x>"
    text = message.text
    assert "Strategiområde 1 – Genomförd: 1, Pågående: 1" in text
    assert "1.1 Utbildning – Genomförd" in text
    assert "Antal chefer: 1\u00a0234,5" in text or "Antal chefer: 1 234,5" in text
    assert "version 2" in text
    assert "Okänd status" in text
    assert "30 mars 2027" in text


def test_board_text_is_escaped_in_html(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("socialnamnden")
    evil = '<script>alert("x")</script>'
    message = compose_receipt(
        config,
        cycle,
        board,
        _parsed(board.id, activity=evil),
        to="a@b.se",
        message_id="<k@y>",
        in_reply_to=None,
        version=1,
        filename="<b>fil</b>.docx",
        received=dt.date(2027, 3, 30),
    )
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "<b>fil</b>" not in message.html
    assert evil in message.text  # plain text is not HTML: shown as written


def test_rejection_lists_errors_and_deadline(config: Config) -> None:
    message = compose_rejection(
        config,
        config.cycle("hbtqia-2026"),
        config.board("socialnamnden"),
        [
            Problem(level="error", code="file.pdf", message="Filen svar.pdf är en PDF."),
            Problem(level="warning", code="w", message="Beslutsdatum saknas."),
        ],
        to="a@b.se",
        message_id="<rej@y>",
        in_reply_to=None,
        filename="svar.pdf",
    )
    assert message.subject.startswith("Åtgärd behövs: Socialnämndens")
    assert "[HBT26-SN-" in message.subject
    assert "Filen svar.pdf är en PDF." in message.text
    assert "Beslutsdatum saknas." in message.text
    assert "31 mars 2027" in message.text


def test_no_attachment_and_quarantine_notice(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    reply = compose_no_attachment(
        config, cycle, None, to="x@ekeby.example", message_id="<n@y>", in_reply_to=None
    )
    assert "ingen Word-fil" in reply.text
    assert "[" not in reply.subject  # no board known: no reference code
    notice = compose_quarantine_notice(
        config,
        cycle,
        message_id="<q@y>",
        sender="okand@example.org",
        subject="<b>Svar</b>",
        received="2027-03-30T10:00:00+00:00",
        reason="Avsändaren är inte kontaktperson.",
        archive_sha="a" * 64,
    )
    assert notice.to == (config.municipality.coordinator.email,)
    assert "okand@example.org" in notice.subject
    assert notice.html is not None and "&lt;b&gt;Svar&lt;/b&gt;" in notice.html
    assert "a" * 64 in notice.text


def test_summarize_areas_counts_missing_status(config: Config) -> None:
    areas = summarize_areas(config, config.cycle("hbtqia-2026"), _parsed("socialnamnden"))
    assert [a.number for a in areas] == [1, 2, 3, 4]
    assert areas[1].counts == {"Status saknas": 1}
    assert areas[1].activities[0]["status"] == "snart klar"


def test_test_mode_redirects_and_marks(config: Config) -> None:
    message = compose_request(
        config,
        config.cycle("hbtqia-2026"),
        config.board("socialnamnden"),
        "invitation",
        today=dt.date(2027, 2, 3),
        message_id="<t@y>",
    )
    test = redirect(message, "Test@Ekeby.example")
    assert test.to == ("test@ekeby.example",)
    assert test.cc == ()
    assert test.subject == "[TEST] " + message.subject
    assert "linnea.strand@ekeby.example" in test.text
    assert test.html is not None and "Testläge" in test.html
    assert redirect(test, "test@ekeby.example").subject.count("[TEST]") == 1
