"""Attribution, sender policy, validation and the whole decision for one inbound message."""

from __future__ import annotations

import io
import zipfile

import pytest

from flows.config import load_config
from flows.intake.attachments import ClassifiedAttachment, classify, footer_text
from flows.intake.attribution import DocumentEvidence, attribute, boards_of_sender
from flows.intake.automatic import is_automatic
from flows.intake.decision import InboundFacts, WordFile, assess, no_attachment_key
from flows.intake.policy import may_submit, own_addresses
from flows.intake.validation import combined_problems, submission_problems
from flows.mail.port import Attachment
from flows.model import ActivityRow, Config, ParsedTemplate, Problem
from flows.references import reference_code
from tests.conftest import CONFIG_DIR


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def _docx(footer: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr(
            "word/footer1.xml", f"<w:ftr><w:p><w:r><w:t>{footer}</w:t></w:r></w:p></w:ftr>"
        )
    return buffer.getvalue()


def _parsed(board: str | None, cycle: str | None = "hbtqia-2026", **kw: object) -> ParsedTemplate:
    activities = kw.pop(
        "activities", [ActivityRow(area=1, nr="1.1", activity="Utbildning", status="Genomförd")]
    )
    return ParsedTemplate(file="svar.docx", board=board, cycle=cycle, activities=activities, **kw)


def _facts(
    sender: str | None, subject: str = "Svar", body: str = "", **headers: str
) -> InboundFacts:
    return InboundFacts(sender=sender, subject=subject, body=body, headers=headers, attachments=())


def _word(parsed: ParsedTemplate, filename: str = "svar.docx", part: str = "1") -> WordFile:
    return WordFile(part=part, filename=filename, parsed=parsed)


OWN = {"uppfoljning@ekeby.example"}


# --------------------------------------------------------------------------- attachments


def test_classify_by_content_and_name() -> None:
    assert classify(Attachment("a.docx", "application/octet-stream", _docx())) == "docx"
    assert classify(Attachment("svar", "application/octet-stream", _docx())) == "docx"
    assert classify(Attachment("a.pdf", "application/pdf", b"%PDF-1.7")) == "pdf"
    assert classify(Attachment("x.bin", "application/octet-stream", b"%PDF-1.4")) == "pdf"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    assert classify(Attachment("gammal.doc", "application/msword", ole)) == "doc"
    assert classify(Attachment("krypterad.docx", "application/octet-stream", ole)) == "docx"
    assert classify(Attachment("bild.png", "image/png", b"\x89PNG")) == "other"


def test_footer_text_finds_reference() -> None:
    assert "HBT26-KFN-PI" in footer_text(_docx("Referens: HBT26-KFN-PI"))
    assert footer_text(b"not a zip") == ""


# --------------------------------------------------------------------------- attribution


def test_attribution_order(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    kfn = config.board("kultur-och-fritidsnamnden")
    sn = config.board("socialnamnden")
    ref_kfn = reference_code(current, kfn)
    # document properties win over subject reference and sender
    found = attribute(
        config,
        current=current,
        documents=[DocumentEvidence(sn.id, current.id)],
        subject=f"Re: [{ref_kfn}]",
        body="",
        sender=kfn.primary.email,
    )
    assert found is not None and (found.board, found.method) == (sn, "properties")
    # then a reference code in the footer, subject or body
    found = attribute(
        config,
        current=current,
        documents=[DocumentEvidence(None, None, footer="")],
        subject="Svar",
        body=f"Hälsningar\n{ref_kfn.lower()}",
        sender="someone@else.example",
    )
    assert found is not None and (found.board, found.method) == (kfn, "reference")
    # then the sender
    found = attribute(
        config, current=current, documents=[], subject="Svar", body="", sender=sn.secretary.email
    )
    assert found is not None and (found.board, found.method) == (sn, "sender")
    # a mistyped reference and an unknown sender: nothing
    assert (
        attribute(
            config,
            current=current,
            documents=[],
            subject="[HBT26-KFN-ZZ]",
            body="",
            sender="x@y.example",
        )
        is None
    )


def test_coordinator_is_not_attributed_by_address(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    coordinator = config.municipality.coordinator.email
    assert boards_of_sender(config, coordinator) == []
    assert (
        attribute(config, current=current, documents=[], subject="", body="", sender=coordinator)
        is None
    )


def test_may_submit(config: Config) -> None:
    board = config.board("socialnamnden")
    assert may_submit(config, board, board.escalation.email.upper())
    assert not may_submit(config, board, config.municipality.coordinator.email)
    assert may_submit(config, board, config.municipality.coordinator.email, names_board=True)
    assert not may_submit(config, board, "elin.forsberg@ekeby.example")
    assert not may_submit(config, board, None)


# --------------------------------------------------------------------------- automatic mail


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"auto-submitted": "auto-replied"}, "a@b.se"),
        ({"precedence": "bulk"}, "a@b.se"),
        ({"precedence": "auto_reply"}, "a@b.se"),
        ({"x-auto-response-suppress": "All"}, "a@b.se"),
        ({"content-type": "multipart/report; report-type=delivery-status"}, "a@b.se"),
        ({}, "MAILER-DAEMON@ekeby.example"),
        ({}, "postmaster@ekeby.example"),
    ],
)
def test_automatic_messages(headers: dict[str, str], sender: str) -> None:
    assert is_automatic(headers, sender)


def test_person_is_not_automatic() -> None:
    assert not is_automatic({"auto-submitted": "no", "precedence": ""}, "elin@ekeby.example")


# --------------------------------------------------------------------------- validation


def test_validation_wrong_board_cycle_and_missing_status(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    codes = {p.code for p in submission_problems(config, current, sn, _parsed(sn.id))}
    assert codes == set()
    wrong = submission_problems(config, current, sn, _parsed("miljonamnden"))
    assert [p.code for p in wrong] == ["intake.wrong_board"]
    assert "Miljönämndens mall" in wrong[0].message
    old = submission_problems(config, current, sn, _parsed(sn.id, cycle="hbtqia-2025"))
    assert [p.code for p in old] == ["intake.wrong_cycle"]
    assert "förra årets mall" in old[0].message and "2025" in old[0].message
    rows = [ActivityRow(area=2, nr="2.1", activity="Föreläsningar")]
    missing = submission_problems(config, current, sn, _parsed(sn.id, activities=rows))
    assert [p.code for p in missing] == ["intake.status_missing"]
    assert "2.1" in missing[0].message and missing[0].level == "error"
    empty = submission_problems(config, current, sn, _parsed(sn.id, activities=[]))
    assert [p.code for p in empty] == ["intake.no_activities"]


def test_combined_problems_say_things_once(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    rows = [ActivityRow(area=2, nr="2.1", activity="Föreläsningar")]
    reader = [
        Problem(level="warning", code="status.missing", message="Saknar status"),
        Problem(level="error", code="template.unidentified", message="Okänd mall"),
    ]
    parsed = _parsed(None, cycle=None, activities=rows, problems=reader)
    by_doc = {p.code for p in combined_problems(config, current, sn, parsed)}
    assert by_doc == {"template.unidentified", "intake.status_missing"}
    by_mail = {p.code for p in combined_problems(config, current, sn, parsed, by_email=True)}
    assert by_mail == {"intake.status_missing"}


# --------------------------------------------------------------------------- decisions


def test_valid_answer_from_contact_is_submitted(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    decision = assess(
        config, current, _facts(sn.primary.email), [_word(_parsed(sn.id))], own_addresses=OWN
    )
    assert decision.outcome == "submitted"
    assert decision.board == sn and decision.reply == "receipt"
    assert decision.receipt_document is not None
    assert not decision.notify_coordinator


def test_unknown_sender_is_quarantined(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    decision = assess(
        config,
        current,
        _facts("stranger@example.org"),
        [_word(_parsed("socialnamnden"))],
        own_addresses=OWN,
    )
    assert decision.outcome == "quarantined"
    assert decision.reply is None and decision.notify_coordinator
    assert "stranger@example.org" in decision.reason


def test_contact_of_another_board_sending_wrong_template_is_rejected(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    kfn = config.board("kultur-och-fritidsnamnden")
    decision = assess(
        config,
        current,
        _facts(kfn.secretary.email),
        [_word(_parsed("socialnamnden"))],
        own_addresses=OWN,
    )
    assert decision.outcome == "rejected" and decision.board == kfn
    assert [p.code for p in decision.problems] == ["intake.wrong_board"]


def test_last_years_template_is_rejected(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    decision = assess(
        config,
        current,
        _facts(sn.primary.email),
        [_word(_parsed(sn.id, cycle="hbtqia-2025"))],
        own_addresses=OWN,
    )
    assert decision.outcome == "rejected" and decision.reply == "rejection"
    assert decision.cycle == current
    assert [p.code for p in decision.problems] == ["intake.wrong_cycle"]


def test_pdf_is_rejected_with_the_readers_message(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    pdf = ParsedTemplate(
        file="svar.pdf",
        problems=[Problem(level="error", code="file.pdf", message="Filen svar.pdf är en PDF.")],
    )
    decision = assess(
        config,
        current,
        _facts(sn.primary.email, subject=f"Re: [{reference_code(current, sn)}]"),
        [_word(pdf, filename="svar.pdf")],
        own_addresses=OWN,
    )
    assert decision.outcome == "rejected" and decision.board == sn
    assert decision.filename == "svar.pdf"
    assert [p.code for p in decision.problems] == ["file.pdf"]


def test_valid_docx_beside_a_pdf_is_submitted(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    pdf = ParsedTemplate(
        file="svar.pdf", problems=[Problem(level="error", code="file.pdf", message="PDF")]
    )
    decision = assess(
        config,
        current,
        _facts(sn.primary.email),
        [_word(pdf, "svar.pdf", "1"), _word(_parsed(sn.id), "svar.docx", "2")],
        own_addresses=OWN,
    )
    assert decision.outcome == "submitted"
    assert [d.word.part for d in decision.documents] == ["2"]


def test_no_attachment_from_contact_gets_a_reply_unknown_goes_to_quarantine(
    config: Config,
) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    decision = assess(config, current, _facts(sn.primary.email), [], own_addresses=OWN)
    assert decision.outcome == "no_attachment" and decision.reply == "no_attachment_reply"
    stranger = assess(config, current, _facts("x@example.org"), [], own_addresses=OWN)
    assert stranger.outcome == "quarantined" and stranger.reply is None
    assert no_attachment_key(current, "A@B.se") == "no_attachment_reply/hbtqia-2026/a@b.se"


def test_auto_replies_and_own_mail_get_no_answer(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    sn = config.board("socialnamnden")
    auto = assess(
        config,
        current,
        _facts(sn.primary.email, **{"auto-submitted": "auto-replied"}),
        [],
        own_addresses=OWN,
    )
    assert auto.outcome == "ignored" and auto.reply is None and not auto.notify_coordinator
    auto_with_file = assess(
        config,
        current,
        _facts(sn.primary.email, precedence="bulk"),
        [_word(_parsed(sn.id))],
        own_addresses=OWN,
    )
    assert auto_with_file.outcome == "quarantined" and auto_with_file.reply is None
    own = assess(config, current, _facts("uppfoljning@ekeby.example"), [], own_addresses=OWN)
    assert own.outcome == "ignored"
    assert own_addresses(config, "box@localhost") == {"uppfoljning@ekeby.example", "box@localhost"}


def test_unattributable_document_is_quarantined(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    decision = assess(
        config,
        current,
        _facts(config.municipality.coordinator.email),
        [_word(_parsed(None, cycle=None))],
        own_addresses=OWN,
    )
    assert decision.outcome == "quarantined" and decision.notify_coordinator


def test_coordinator_may_submit_for_a_board_only_naming_its_reference(config: Config) -> None:
    current = config.cycle("hbtqia-2026")
    board = config.board("ekeby-hamn")
    subject = f"Svar från Ekeby Hamn AB [{reference_code(current, board)}]"
    decision = assess(
        config,
        current,
        _facts(config.municipality.coordinator.email, subject=subject),
        [_word(_parsed("ekeby-hamn"))],
        own_addresses=OWN,
    )
    assert decision.outcome == "submitted" and decision.board is not None
    assert decision.board.id == "ekeby-hamn"
    without = assess(
        config,
        current,
        _facts(config.municipality.coordinator.email),
        [_word(_parsed("ekeby-hamn"))],
        own_addresses=OWN,
    )
    assert without.outcome == "quarantined" and "referenskod" in without.reason


def test_classified_attachment_filename() -> None:
    item = ClassifiedAttachment(Attachment("a.pdf", "application/pdf", b"%PDF"), "pdf")
    assert item.filename == "a.pdf"
