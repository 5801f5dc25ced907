"""Several open cycles on one mailbox: each answer is decided for its own cycle."""

from __future__ import annotations

import pytest

from flows.config import load_config
from flows.intake.attribution import attribute
from flows.intake.decision import InboundFacts, WordFile, assess
from flows.model import ActivityRow, Config, ParsedTemplate, Problem
from flows.references import reference_code
from tests.conftest import CONFIG_DIR

OWN = {"uppfoljning@ekeby.example"}
BOTH = "kultur-och-fritidsnamnden"  # in hbtqia-2026 and jamstalldhet-2026
ONLY_HBTQIA = "miljonamnden"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def _word(board: str | None, cycle: str | None) -> WordFile:
    parsed = ParsedTemplate(
        file="svar.docx",
        board=board,
        cycle=cycle,
        activities=[ActivityRow(area=1, nr="1.1", activity="Utbildning", status="Genomförd")],
    )
    return WordFile(part="1", filename="svar.docx", parsed=parsed)


def _facts(sender: str, subject: str = "Svar") -> InboundFacts:
    return InboundFacts(sender=sender, subject=subject, body="", headers={}, attachments=())


def test_answer_for_the_other_open_cycle_is_its_own_not_quarantined(config: Config) -> None:
    hbtqia, jam = config.cycle("hbtqia-2026"), config.cycle("jamstalldhet-2026")
    sender = config.board(BOTH).primary.email
    decision = assess(
        config,
        hbtqia,
        _facts(sender),
        [_word(BOTH, jam.id)],
        own_addresses=OWN,
        open_cycles=[hbtqia, jam],
    )
    assert decision.outcome == "submitted"
    assert decision.cycle == jam


def test_answer_for_a_cycle_that_is_not_open_gets_a_clear_reply(config: Config) -> None:
    hbtqia, jam = config.cycle("hbtqia-2026"), config.cycle("jamstalldhet-2026")
    sender = config.board(BOTH).primary.email
    decision = assess(
        config, jam, _facts(sender), [_word(BOTH, hbtqia.id)], own_addresses=OWN, open_cycles=[jam]
    )
    assert decision.outcome == "rejected" and decision.reply == "rejection"
    assert decision.documents == ()  # nothing is filed under the closed cycle
    assert decision.notify_coordinator
    (problem,) = decision.problems
    assert problem.code == "intake.cycle_not_open"
    assert problem.message.startswith(
        "Svaret gäller uppföljningen av Hbtqia+-strategin för 2026, som inte tar emot svar just nu."
    )


def test_reference_code_picks_the_cycle(config: Config) -> None:
    hbtqia, jam = config.cycle("hbtqia-2026"), config.cycle("jamstalldhet-2026")
    board = config.board(BOTH)
    found = attribute(
        config,
        current=hbtqia,
        documents=[],
        subject=f"SV: Uppföljning [{reference_code(jam, board)}]",
        body="",
        sender=board.primary.email,
        open_cycles=[hbtqia, jam],
    )
    assert found is not None and found.cycle == jam and found.method == "reference"


def test_sender_alone_decides_only_when_one_open_cycle_has_the_board(config: Config) -> None:
    hbtqia, jam = config.cycle("hbtqia-2026"), config.cycle("jamstalldhet-2026")

    def by_sender(board: str) -> object:
        return attribute(
            config,
            current=hbtqia,
            documents=[],
            subject="Svar",
            body="",
            sender=config.board(board).primary.email,
            open_cycles=[hbtqia, jam],
        )

    assert by_sender(BOTH) is None  # in both cycles: the message must say which
    found = by_sender(ONLY_HBTQIA)
    assert found is not None and getattr(found, "cycle", None) == hbtqia


def test_unreadable_file_from_a_board_in_both_cycles_gets_a_rejection(config: Config) -> None:
    hbtqia, jam = config.cycle("hbtqia-2026"), config.cycle("jamstalldhet-2026")
    unreadable = Problem(level="error", code="file.truncated", message="Filen är skadad.")
    word = WordFile(
        part="1", filename="svar.odt", parsed=ParsedTemplate(file="svar.odt", problems=[unreadable])
    )
    sender = config.board(BOTH).primary.email
    decision = assess(
        config, jam, _facts(sender), [word], own_addresses=OWN, open_cycles=[jam, hbtqia]
    )
    assert decision.outcome == "rejected" and decision.reply == "rejection"
    assert decision.problems == (unreadable,) and decision.documents == ()
    assert decision.board == config.board(BOTH) and decision.cycle == jam
    # A file that was read but names no board is still for the coordinator to place.
    decision = assess(
        config,
        jam,
        _facts(sender),
        [_word(None, None)],
        own_addresses=OWN,
        open_cycles=[jam, hbtqia],
    )
    assert decision.outcome == "quarantined"
