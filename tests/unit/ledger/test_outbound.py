"""Outbound messages: reserve → send → mark_sent, never two messages for one key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from flows.ledger import Ledger, LedgerError, outbound_key

from .helpers import T0, sha


def reserve(ledger: Ledger, plan_key: str = "before-14", message_id: str = "<a@test>", **kw):
    args: dict[str, Any] = {
        "cycle": "hbtqia-2026",
        "board": "kfn",
        "kind": "reminder_before",
        "plan_key": plan_key,
        "to": ["anna@ekeby.se"],
        "cc": ["sekr@ekeby.se"],
        "subject": "Påminnelse",
        "message_id": message_id,
        "due_date": dt.date(2027, 3, 17),
        "now": T0,
    }
    args.update(kw)
    return ledger.reserve_outbound(**args)


def test_reserve_records_everything_unsent(ledger: Ledger) -> None:
    record, created = reserve(ledger)
    assert created
    assert record.to == ("anna@ekeby.se",)
    assert record.cc == ("sekr@ekeby.se",)
    assert record.due_date == dt.date(2027, 3, 17)
    assert record.reserved_at == T0
    assert record.sent_at is None and not record.sent
    assert record.attempts == 0
    assert ledger.unsent() == [record]


def test_second_reserve_returns_the_first_message_and_its_message_id(ledger: Ledger) -> None:
    first, _ = reserve(ledger, message_id="<first@test>")
    again, created = reserve(ledger, message_id="<second@test>", subject="Annat")
    assert not created
    assert again == first
    assert again.message_id == "<first@test>"
    assert len(ledger.outbound_for("hbtqia-2026")) == 1


def test_the_plan_key_not_the_kind_identifies_a_planned_message(ledger: Ledger) -> None:
    reserve(ledger, plan_key="overdue-2", kind="overdue")
    _, created = reserve(ledger, plan_key="overdue-2", kind="escalation", message_id="<b@test>")
    assert not created


def test_other_boards_and_keys_are_separate_messages(ledger: Ledger) -> None:
    reserve(ledger)
    assert reserve(ledger, plan_key="before-3", message_id="<b@test>")[1]
    assert reserve(ledger, board="bun", message_id="<c@test>")[1]
    assert reserve(ledger, cycle="hbtqia-2025", message_id="<d@test>")[1]
    assert len(ledger.outbound_for("hbtqia-2026")) == 3
    assert [r.plan_key for r in ledger.outbound_for("hbtqia-2026", "kfn")] == [
        "before-14",
        "before-3",
    ]


def test_replies_are_unique_per_inbound_message_and_kind(ledger: Ledger) -> None:
    inbound = sha("mail-1")
    ledger.record_inbound(inbound, now=T0)
    receipt, created = reserve(
        ledger, kind="receipt", plan_key="", inbound_sha=inbound, message_id="<r1@test>"
    )
    assert created and receipt.inbound_sha == inbound
    assert not reserve(
        ledger, kind="receipt", plan_key="", inbound_sha=inbound, message_id="<r2@test>"
    )[1]
    assert reserve(
        ledger, kind="rejection", plan_key="", inbound_sha=inbound, message_id="<r3@test>"
    )[1]
    assert [r.kind for r in ledger.outbound_for_inbound(inbound)] == ["receipt", "rejection"]
    assert receipt.key == outbound_key(
        cycle="x", board="y", kind="receipt", plan_key="", inbound_sha=inbound
    )


def test_a_message_id_cannot_be_reused_for_another_message(ledger: Ledger) -> None:
    reserve(ledger, message_id="<same@test>")
    with pytest.raises(LedgerError, match="already used"):
        reserve(ledger, plan_key="before-3", message_id="<same@test>")


def test_unknown_kind_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="unknown outbound kind"):
        reserve(ledger, kind="spam")


def test_mark_sent_keeps_the_first_delivery_time(ledger: Ledger) -> None:
    record, _ = reserve(ledger)
    sent = ledger.mark_sent(record.message_id, T0 + dt.timedelta(minutes=1))
    assert sent.sent_at == T0 + dt.timedelta(minutes=1)
    again = ledger.mark_sent(record.message_id, T0 + dt.timedelta(minutes=5))
    assert again.sent_at == T0 + dt.timedelta(minutes=1)
    assert again.attempts == 2
    assert ledger.unsent() == []
    assert reserve(ledger)[0].sent


def test_failed_sends_are_counted_and_stay_unsent(ledger: Ledger) -> None:
    record, _ = reserve(ledger)
    ledger.mark_send_failed(record.message_id, "timeout " * 1000)
    failed = ledger.mark_send_failed(record.message_id, "connection refused")
    assert failed.attempts == 2
    assert failed.last_error == "connection refused"
    assert [r.message_id for r in ledger.unsent()] == [record.message_id]
    sent = ledger.mark_sent(record.message_id, T0)
    assert sent.last_error is None and sent.attempts == 3


def test_unsent_filters_by_cycle(ledger: Ledger) -> None:
    reserve(ledger)
    reserve(ledger, cycle="hbtqia-2025", message_id="<old@test>")
    assert [r.cycle for r in ledger.unsent("hbtqia-2025")] == ["hbtqia-2025"]
    assert len(ledger.unsent()) == 2


def test_unknown_message_id_is_an_error(ledger: Ledger) -> None:
    with pytest.raises(LedgerError):
        ledger.mark_sent("<nobody@test>")
    assert ledger.outbound_by_message_id("<nobody@test>") is None


def test_naive_datetimes_are_refused(ledger: Ledger) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        reserve(ledger, now=dt.datetime(2027, 3, 1, 8, 0))
