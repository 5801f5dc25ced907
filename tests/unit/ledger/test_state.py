"""Mailbox sync state, quarantine and approvals."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.ledger import Ledger, LedgerError

from .helpers import T0, sha


def test_sync_state_per_mailbox(ledger: Ledger) -> None:
    assert ledger.get_sync_state("maildir:inbox") is None
    ledger.set_sync_state("maildir:inbox", "1")
    ledger.set_sync_state("maildir:inbox", "2")
    ledger.set_sync_state("graph:other", None)
    assert ledger.get_sync_state("maildir:inbox") == "2"
    assert ledger.get_sync_state("graph:other") is None


def test_quarantine_once_and_resolve(ledger: Ledger) -> None:
    first, second = sha("q1"), sha("q2")
    ledger.record_inbound(first)
    ledger.record_inbound(second)
    record, created = ledger.quarantine(first, "okänd avsändare", now=T0)
    assert created and not record.resolved
    again, created_again = ledger.quarantine(first, "annat skäl")
    assert not created_again and again.reason == "okänd avsändare"
    ledger.quarantine(second, "ingen nämnd", now=T0 + dt.timedelta(seconds=1))
    assert [q.inbound_sha for q in ledger.quarantined()] == [first, second]

    done = ledger.resolve_quarantine(first, "inlämnad för kfn", now=T0)
    assert done.resolved and done.resolution == "inlämnad för kfn" and done.resolved_at == T0
    assert [q.inbound_sha for q in ledger.quarantined()] == [second]
    assert len(ledger.quarantined(open_only=False)) == 2


def test_quarantine_needs_an_inbound_message(ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        ledger.quarantine(sha("nothing"), "x")
    with pytest.raises(LedgerError):
        ledger.resolve_quarantine(sha("nothing"), "x")


def test_approvals_are_appended(ledger: Ledger) -> None:
    assert ledger.latest_approval("hbtqia-2026") is None
    test = ledger.approve("hbtqia-2026", "sam@ekeby.se", test_mode_address="t@ekeby.se", now=T0)
    real = ledger.approve("hbtqia-2026", "sam@ekeby.se", now=T0 + dt.timedelta(days=1))
    ledger.approve("hbtqia-2025", "kim@ekeby.se", now=T0)
    assert ledger.approvals("hbtqia-2026") == [test, real]
    assert ledger.latest_approval("hbtqia-2026") == real
    assert test.test_mode_address == "t@ekeby.se" and real.test_mode_address is None
    assert len(ledger.approvals()) == 3
