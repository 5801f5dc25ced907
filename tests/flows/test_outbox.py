"""Send-once on a real ledger (SQLite) and the local Maildir: reserve before, mark after."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.ledger import Ledger
from flows.mail.maildir import MaildirMailbox
from flows.mail.port import MailDeferred, MailError, OutboundMessage
from flows.outbox import (
    Planned,
    in_test_mode,
    message_id_for,
    reserve,
    send_reserved,
    send_task,
)
from tests.support.graph_server import GraphServer
from tests.support.graph_server.fixtures import graph_settings


@pytest.fixture()
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as opened:
        yield opened


def _planned(message_id: str = "<invitation.1@ekeby.example>") -> Planned:
    return Planned(
        message=OutboundMessage(
            message_id=message_id,
            to=("elin.forsberg@ekeby.example",),
            cc=("mats.dahl@ekeby.example",),
            subject="Inbjudan [HBT26-KFN-PI]",
            text="Hej",
        ),
        kind="invitation",
        plan_key="invitation",
        cycle="hbtqia-2026",
        board="kultur-och-fritidsnamnden",
        due_date=dt.date(2027, 2, 3),
    )


class BrokenMailbox:
    """A mailbox whose server is down: every send fails (transiently)."""

    address = "uppfoljning@ekeby.example"

    def __init__(self) -> None:
        self.attempts = 0

    def send(self, message: OutboundMessage) -> None:
        self.attempts += 1
        raise MailError("Servern svarar inte.", transient=True)


def test_reserve_then_send_once(ledger: Ledger, tmp_path: Path) -> None:
    mailbox = MaildirMailbox(tmp_path / "mail")
    record, message = reserve(ledger, _planned())
    assert not record.sent
    assert send_reserved(ledger, mailbox, message) is True
    assert send_reserved(ledger, mailbox, message) is False  # the ledger says it went
    again, same = reserve(ledger, _planned())
    assert again.sent and same.message_id == message.message_id
    assert len(mailbox.sent_messages()) == 1


def test_a_second_reservation_keeps_the_first_message_id(ledger: Ledger) -> None:
    first, _ = reserve(ledger, _planned("<first@ekeby.example>"))
    second, message = reserve(ledger, _planned("<second@ekeby.example>"))
    assert second.id == first.id
    assert message.message_id == "<first@ekeby.example>"


def test_crash_between_send_and_mark_does_not_send_twice(ledger: Ledger, tmp_path: Path) -> None:
    mailbox = MaildirMailbox(tmp_path / "mail")
    _, message = reserve(ledger, _planned())
    mailbox.send(message)  # delivered, then the process died before mark_sent
    assert ledger.unsent() != []
    assert send_reserved(ledger, mailbox, message) is True  # the re-run sends "again"
    assert len(mailbox.sent_messages()) == 1  # but the adapter delivers a Message-ID once
    assert ledger.unsent() == []


def test_failed_send_is_recorded_and_stays_unsent(ledger: Ledger) -> None:
    _, message = reserve(ledger, _planned())
    mailbox = BrokenMailbox()
    with pytest.raises(MailError):
        send_reserved(ledger, mailbox, message)  # type: ignore[arg-type]
    (record,) = ledger.unsent()
    assert record.last_error == "Servern svarar inte." and record.attempts == 1


def test_test_mode_is_a_separate_message(ledger: Ledger) -> None:
    real = _planned()
    test = in_test_mode(real, "Test@Ekeby.example")
    assert test.plan_key == "test:test@ekeby.example:invitation"
    assert test.message.to == ("test@ekeby.example",) and test.message.cc == ()
    assert test.message.subject.startswith("[TEST] ")
    assert in_test_mode(real, None) is real
    test_with_id = dataclasses.replace(
        test, message=dataclasses.replace(test.message, message_id="<t@ekeby.example>")
    )
    reserve(ledger, test_with_id)
    record, _ = reserve(ledger, real)
    assert record.message_id == real.message.message_id  # not the test one


def test_message_ids() -> None:
    assert message_id_for("k", "receipt", "ekeby.example") == message_id_for(
        "k", "receipt", "ekeby.example"
    )
    assert message_id_for("k", "receipt", "ekeby.example") != message_id_for(
        "k2", "receipt", "ekeby.example"
    )
    assert message_id_for("k", "receipt", "ekeby.example").endswith("@ekeby.example>")


def test_one_layer_retries_a_failing_send_and_long_throttling_defers_it(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.mail.graph import GraphMailbox

    assert send_task().retries == 0  # the Prefect task does not retry: the adapter does
    with GraphServer() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        planned = _planned()
        _, message = reserve(ledger, planned)
        mailbox = GraphMailbox(graph_settings(max_attempts=4))
        mailbox.was_sent("<warm-up@ekeby.example>")  # sign-in
        server.set_faults(rate=1.0, kinds=("http503",), retry_after=0.01)
        server.reset_stats()
        with pytest.raises(MailError):
            send_reserved(ledger, mailbox, message)
        # The adapter's client tried its 4 times; no second layer multiplied them (it was 36).
        assert server.stats()["total"] == 4

        server.set_faults(rate=0.0, queued=[("http429", None)], retry_after=600)
        server.reset_stats()
        with pytest.raises(MailDeferred):
            send_reserved(ledger, mailbox, message)
        assert server.stats()["total"] == 1
        record = ledger.outbound_by_message_id(message.message_id)
        assert record is not None and not record.sent  # reserved, for the next run

        server.set_faults(queued=[])
        again = GraphMailbox(graph_settings())  # the next run
        assert send_reserved(ledger, again, message)
        assert len(server.sent()) == 1
        record = ledger.outbound_by_message_id(message.message_id)
        assert record is not None and record.sent and record.provider_draft_id
        mailbox.close()
        again.close()
