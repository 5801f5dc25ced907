"""The approval decisions that need nobody: pure functions, no Prefect, no mailbox."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from flows.approval import (
    AnswerKind,
    FirstWaveAnswer,
    decide_without_asking,
    describe_wave,
    interpret,
)
from flows.ledger import ApprovalRecord
from flows.mail.port import Attachment, OutboundMessage
from flows.model import Cycle
from flows.outbox import Planned

NOW = dt.datetime(2027, 2, 3, 7, 30, tzinfo=dt.UTC)


def _cycle(require_approval: bool) -> Cycle:
    return Cycle(
        id="hbtqia-2026",
        code="HBT26",
        strategy="hbtqia",
        year=2026,
        deadline=dt.date(2027, 3, 31),
        council_meeting=dt.date(2027, 5, 24),
        require_approval=require_approval,
    )


def _approval(by: str, test_address: str | None = None, id_: int = 1) -> ApprovalRecord:
    return ApprovalRecord(
        id=id_, cycle="hbtqia-2026", approved_by=by, approved_at=NOW, test_mode_address=test_address
    )


def test_no_approval_needed_when_the_cycle_does_not_require_it() -> None:
    decided = decide_without_asking(_cycle(False), [])
    assert decided is not None and decided.send


def test_coordinator_is_asked_when_nothing_is_recorded() -> None:
    assert decide_without_asking(_cycle(True), []) is None


def test_a_test_approval_is_not_the_go_ahead() -> None:
    assert decide_without_asking(_cycle(True), [_approval("Eva", "eva@ekeby.example")]) is None


def test_a_recorded_approval_is_asked_only_once() -> None:
    records = [_approval("Eva", "eva@ekeby.example"), _approval("Eva", id_=2)]
    decided = decide_without_asking(_cycle(True), records)
    assert decided is not None and decided.send
    assert decided.approval == records[1]
    assert "Eva" in decided.reason


def test_the_form_shows_every_message_with_board_text_escaped() -> None:
    message = OutboundMessage(
        message_id="<invitation.1@ekeby.example>",
        to=("elin.forsberg@ekeby.example",),
        cc=("mats.dahl@ekeby.example",),
        subject="Uppföljning | HBT26-KFN-Q7 <b>",
        text="Hej",
        attachments=(Attachment("mall_KFN.docx", "application/octet-stream", b"x"),),
    )
    planned = Planned(message, "invitation", "invitation", "hbtqia-2026", "kultur")
    text = describe_wave(_cycle(True), [planned])
    assert "1 meddelande väntar" in text
    row = next(line for line in text.splitlines() if "elin.forsberg" in line)
    assert "mats.dahl@ekeby.example" in row and "mall\\_KFN.docx" in row
    assert "\\| HBT26-KFN-Q7 \\<b\\>" in row
    assert row.count(" | ") == 4  # five columns: the subject's pipe did not add one


def test_the_form_rejects_a_malformed_test_address() -> None:
    assert FirstWaveAnswer(approve=True, test_mode_address="  ").test_address is None
    assert FirstWaveAnswer(test_mode_address="Eva@Ekeby.Example").test_address == (
        "eva@ekeby.example"
    )
    with pytest.raises(ValidationError):
        FirstWaveAnswer(test_mode_address="eva@")


def test_a_test_address_alone_means_send_me_the_test_first() -> None:
    alone = FirstWaveAnswer(approved_by="Eva", test_mode_address="eva@ekeby.example")
    assert interpret(alone) is AnswerKind.TEST_FIRST
    ticked = FirstWaveAnswer(approve=True, test_mode_address="eva@ekeby.example")
    assert interpret(ticked) is AnswerKind.TEST_FIRST
    assert interpret(FirstWaveAnswer(approve=True, approved_by="Eva")) is AnswerKind.SEND
    assert interpret(FirstWaveAnswer(approved_by="Eva")) is AnswerKind.STOP


def test_the_form_is_swedish_without_optional_markers() -> None:
    """The Prefect UI appends "(Optional)" to every field not listed as required."""
    form = FirstWaveAnswer.with_initial_data(description="## Första utskicket")
    schema = form.model_json_schema()
    properties = schema["properties"]
    assert sorted(schema["required"]) == sorted(properties)
    assert properties["approve"]["title"] == "Godkänn utskicket till nämnderna"
    assert properties["approve"]["default"] is False
    assert properties["approved_by"]["title"] == "Ditt namn"
    assert properties["test_mode_address"]["title"] == "Testadress"
    assert properties["test_mode_address"]["type"] == "string"  # one text box, no type choice
    assert all("description" in p for p in properties.values())
    # the form still starts from its defaults and accepts what the UI sends back
    assert form().approve is False
    answer = form.model_validate({"approve": True, "approved_by": "Eva", "test_mode_address": ""})
    assert interpret(answer) is AnswerKind.SEND


def test_the_form_names_the_boards() -> None:
    message = OutboundMessage(message_id="<i@e>", to=("a@ekeby.example",), subject="S", text="T")
    wave = [Planned(message, "invitation", "invitation", "hbtqia-2026", "kultur")]
    text = describe_wave(_cycle(True), wave, {"kultur": "Kultur- och fritidsnämnden"})
    assert "| Kultur- och fritidsnämnden |" in text
    assert "Testadress" in text
