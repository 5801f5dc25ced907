"""The sender policy in the decision: ambiguous senders, Sender ≠ From, authentication
required per transport, and the relaxed Maildir demo that says so."""

from __future__ import annotations

import pytest

from flows.config import load_config
from flows.intake.authenticity import Verdict
from flows.intake.decision import InboundFacts, WordFile, assess
from flows.model import ActivityRow, Config, ParsedTemplate
from tests.conftest import CONFIG_DIR

OWN = {"uppfoljning@ekeby.example"}
VERIFIED = Verdict(True, "DKIM godkänd enligt mx.ekeby.example")
UNVERIFIED = Verdict(False, "ingen autentisering från kommunens e-postserver")


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def _word(board: str) -> WordFile:
    parsed = ParsedTemplate(
        file="svar.docx",
        board=board,
        cycle="hbtqia-2026",
        activities=[ActivityRow(area=1, nr="1.1", activity="Utbildning", status="Genomförd")],
    )
    return WordFile(part="1", filename="svar.docx", parsed=parsed)


def _facts(sender: str | None, **kw: object) -> InboundFacts:
    return InboundFacts(
        sender=sender,
        subject="Svar",
        body="",
        headers={},
        attachments=(),
        **kw,  # type: ignore[arg-type]
    )


def test_policy_defaults_per_transport(config: Config) -> None:
    policy = config.sender_policy
    assert policy.requires_authentication("ews") and policy.requires_authentication("graph")
    assert not policy.requires_authentication("maildir")
    assert policy.requires_authentication("something-new")  # fails closed
    assert policy.authserv_ids == ["mx.ekeby.example"]


def test_an_authenticated_contact_submits(config: Config) -> None:
    board = config.board("socialnamnden")
    decision = assess(
        config,
        config.cycle("hbtqia-2026"),
        _facts(board.primary.email, authentication=VERIFIED),
        [_word(board.id)],
        own_addresses=OWN,
        require_authentication=True,
    )
    assert decision.outcome == "submitted" and decision.reply == "receipt"
    assert "ej verifierad" not in decision.reason


def test_an_unauthenticated_contact_is_held_and_told(config: Config) -> None:
    board = config.board("socialnamnden")
    decision = assess(
        config,
        config.cycle("hbtqia-2026"),
        _facts(board.primary.email, authentication=UNVERIFIED),
        [_word(board.id)],
        own_addresses=OWN,
        require_authentication=True,
    )
    assert decision.outcome == "quarantined" and decision.documents == ()
    assert decision.reply == "unauthenticated_reply" and decision.notify_coordinator
    assert decision.board == board
    assert "kunde inte verifieras" in decision.reason


def test_the_relaxed_policy_accepts_and_says_so(config: Config) -> None:
    board = config.board("socialnamnden")
    decision = assess(
        config,
        config.cycle("hbtqia-2026"),
        _facts(board.primary.email, authentication=UNVERIFIED),
        [_word(board.id)],
        own_addresses=OWN,
        require_authentication=False,
    )
    assert decision.outcome == "submitted"
    assert "avsändaren ej verifierad" in decision.reason


def test_an_ambiguous_from_is_quarantined_before_attribution(config: Config) -> None:
    decision = assess(
        config,
        config.cycle("hbtqia-2026"),
        _facts(
            "linnea.strand@ekeby.example",
            sender_problem="Avsändarnamnet innehåller en e-postadress utan citattecken.",
            authentication=VERIFIED,
        ),
        [_word("socialnamnden")],
        own_addresses=OWN,
        require_authentication=True,
    )
    assert decision.outcome == "quarantined" and decision.board is None
    assert decision.reply is None and decision.notify_coordinator
    assert decision.reason.startswith("Avsändaren går inte att avgöra säkert")


def test_sender_on_behalf_of_a_contact(config: Config) -> None:
    board = config.board("socialnamnden")
    secretary_for_chair = assess(
        config,
        config.cycle("hbtqia-2026"),
        _facts(board.primary.email, on_behalf_of=board.secretary.email, authentication=VERIFIED),
        [_word(board.id)],
        own_addresses=OWN,
        require_authentication=True,
    )
    assert secretary_for_chair.outcome == "submitted"
    stranger = assess(
        config,
        config.cycle("hbtqia-2026"),
        _facts(board.primary.email, on_behalf_of="bulk@mailer.example", authentication=VERIFIED),
        [_word(board.id)],
        own_addresses=OWN,
        require_authentication=True,
    )
    assert stranger.outcome == "quarantined" and "bulk@mailer.example" in stranger.reason
