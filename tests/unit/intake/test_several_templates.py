"""Several templates in one message give one submission: the best one, with a note (issue 11)."""

from __future__ import annotations

import pytest

from flows.config import load_config
from flows.intake.attachments import ClassifiedAttachment
from flows.intake.conversion import documents_to_read
from flows.intake.decision import DocumentVerdict, InboundFacts, WordFile, assess, choose
from flows.mail.port import Attachment
from flows.model import ActivityRow, Config, ParsedTemplate, Problem
from flows.untrusted.limits import Limits
from tests.conftest import CONFIG_DIR

ERROR = Problem(level="error", code="template.x", message="fel")


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def _word(part: str, modified: str, board: str = "kommunstyrelsen") -> WordFile:
    parsed = ParsedTemplate(
        file=f"svar{part}.docx",
        board=board,
        cycle="hbtqia-2026",
        activities=[ActivityRow(area=1, nr="1.1", activity="Utbildning", status="Genomförd")],
    )
    return WordFile(part=part, filename=f"svar{part}.docx", parsed=parsed, modified=modified)


def test_valid_beats_invalid_then_the_last_saved_then_the_last_attached() -> None:
    old, new, newest = (
        _word("1", "2027-03-01T08:00:00Z"),
        _word("2", "2027-03-02T08:00:00Z"),
        _word("3", "2027-03-03T08:00:00Z"),
    )
    verdicts = [
        DocumentVerdict(old, ()),
        DocumentVerdict(new, ()),
        DocumentVerdict(newest, (ERROR,)),
    ]
    assert choose(verdicts).word is new
    unknown = [DocumentVerdict(_word("1", ""), ()), DocumentVerdict(_word("2", "nonsense"), ())]
    assert choose(unknown).word.part == "2"


def test_a_hundred_copies_are_one_version_with_a_note(config: Config) -> None:
    board = config.board("kommunstyrelsen")
    words = [_word(str(i), "2027-03-01T08:00:00Z") for i in range(1, 8)]
    facts = InboundFacts(
        sender=board.primary.email, subject="Svar", body="", headers={}, attachments=()
    )
    decision = assess(config, config.cycle("hbtqia-2026"), facts, words, own_addresses=set())
    assert decision.outcome == "submitted" and len(decision.documents) == 1
    (note,) = [p for p in decision.documents[0].problems if p.code == "message.several_templates"]
    assert note.level == "warning" and "7 ifyllda mallar" in note.message


def test_conversions_are_few_and_only_for_known_senders(config: Config) -> None:
    old_word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    docs = [
        (i, ClassifiedAttachment(Attachment(f"svar{i}.doc", "application/msword", old_word), "doc"))
        for i in range(1, 6)
    ]
    limits = Limits(conversions_per_message=2)
    contact = config.board("kommunstyrelsen").primary.email
    chosen = documents_to_read(config, contact, docs, len(docs), limits)
    assert [convert for _, _, convert in chosen] == [True, True, False, False, False]
    stranger = documents_to_read(config, "okand@example.org", docs, len(docs), limits)
    assert not any(convert for _, _, convert in stranger)
    assert documents_to_read(config, contact, docs, 21, Limits(attachments=20)) == []
