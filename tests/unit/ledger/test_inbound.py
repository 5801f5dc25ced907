"""Inbound messages: recorded once per raw content, then given an outcome."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.ledger import Ledger, LedgerError

from .helpers import T0, sha


def test_record_inbound_once_per_content(ledger: Ledger) -> None:
    digest = sha("mail")
    record, created = ledger.record_inbound(
        digest,
        mailbox_item_id="item-1",
        message_id="<m1@kommun.se>",
        sender="Anna.Berg@Ekeby.se",
        subject="Svar",
        received_at=T0,
        now=T0 + dt.timedelta(seconds=5),
    )
    assert created
    assert record.outcome == "pending"
    assert record.sender == "anna.berg@ekeby.se"
    assert record.received_at == T0
    again, created_again = ledger.record_inbound(digest, mailbox_item_id="item-2")
    assert not created_again
    assert again == record
    assert ledger.get_inbound(digest) == record


def test_outcomes_and_pending(ledger: Ledger) -> None:
    first, second = sha("one"), sha("two")
    ledger.record_inbound(first, now=T0)
    ledger.record_inbound(second, now=T0 + dt.timedelta(seconds=1))
    assert [r.sha256 for r in ledger.inbound_pending()] == [first, second]

    done = ledger.set_inbound_outcome(
        first, "submitted", board="kfn", cycle="hbtqia-2026", detail="version 1", now=T0
    )
    assert (done.outcome, done.board, done.cycle, done.detail) == (
        "submitted",
        "kfn",
        "hbtqia-2026",
        "version 1",
    )
    assert done.processed_at == T0
    assert [r.sha256 for r in ledger.inbound_pending()] == [second]

    kept = ledger.set_inbound_outcome(first, "duplicate")
    assert (kept.board, kept.cycle, kept.detail) == ("kfn", "hbtqia-2026", "version 1")
    assert [r.sha256 for r in ledger.inbound("hbtqia-2026")] == [first]
    assert len(ledger.inbound()) == 2


def test_unknown_outcome_and_unknown_message(ledger: Ledger) -> None:
    ledger.record_inbound(sha("x"))
    with pytest.raises(ValueError, match="unknown inbound outcome"):
        ledger.set_inbound_outcome(sha("x"), "lost")  # type: ignore[arg-type]
    with pytest.raises(LedgerError):
        ledger.set_inbound_outcome(sha("never"), "ignored")


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "A" * 64, "g" * 64, "a" * 63])
def test_only_sha256_digests_are_accepted(ledger: Ledger, bad: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        ledger.record_inbound(bad)
