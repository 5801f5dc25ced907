"""A board's facts as the plan sees them, derived from ledger records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.ledger import Ledger
from flows.model import ParsedTemplate, Problem
from flows.schedule import board_facts, local_date

UTC = dt.UTC
ERROR = Problem(level="error", code="status.missing", message="Status saknas")


@pytest.fixture()
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as opened:
        yield opened


def reserve(ledger: Ledger, board: str, key: str, when: dt.datetime, kind: str = "overdue"):
    record, _ = ledger.reserve_outbound(
        cycle="c",
        board=board,
        kind=kind,  # type: ignore[arg-type]
        plan_key=key,
        to=["a@ekeby.se"],
        subject="s",
        message_id=f"<{board}-{key}@test>",
        now=when,
    )
    return record


def test_local_date_is_swedish() -> None:
    assert local_date(dt.datetime(2027, 3, 30, 22, 30, tzinfo=UTC)) == dt.date(2027, 3, 31)
    assert local_date(dt.datetime(2027, 1, 10, 22, 30, tzinfo=UTC)) == dt.date(2027, 1, 10)


def test_sent_and_reserved_plan_messages(ledger: Ledger) -> None:
    t = dt.datetime(2027, 2, 3, 7, 0, tzinfo=UTC)
    invitation = reserve(ledger, "kfn", "invitation", t, kind="invitation")
    ledger.mark_sent(invitation.message_id, t + dt.timedelta(days=1))
    reserve(ledger, "kfn", "before-14", t + dt.timedelta(days=42), kind="reminder_before")
    reserve(ledger, "bun", "invitation", t, kind="invitation")
    digest = "a" * 64
    ledger.record_inbound(digest)
    ledger.reserve_outbound(
        cycle="c",
        board="kfn",
        kind="receipt",
        plan_key="",
        to=["a@ekeby.se"],
        subject="Kvitto",
        message_id="<receipt@test>",
        inbound_sha=digest,
    )
    outbound = ledger.outbound_for("c")

    facts = board_facts("kfn", outbound, [])
    assert facts.sent == {"invitation": dt.date(2027, 2, 4), "before-14": dt.date(2027, 3, 17)}
    assert facts.invited and not facts.has_valid_submission and facts.last_rejection is None
    only_sent = board_facts("kfn", outbound, [], include_reserved=False)
    assert only_sent.sent == {"invitation": dt.date(2027, 2, 4)}
    assert not board_facts("ks", outbound, []).invited


def test_plan_messages_count_on_the_day_they_were_planned_for(ledger: Ledger) -> None:
    wall_clock = dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # e.g. a run with --today
    record, _ = ledger.reserve_outbound(
        cycle="c",
        board="kfn",
        kind="reminder_before",
        plan_key="before-14",
        to=["a@ekeby.se"],
        subject="s",
        message_id="<kfn-before-14@test>",
        due_date=dt.date(2027, 3, 17),
        now=wall_clock,
    )
    assert board_facts("kfn", ledger.outbound_for("c"), []).sent == {
        "before-14": dt.date(2027, 3, 17)
    }
    ledger.mark_sent(record.message_id, wall_clock + dt.timedelta(days=1))
    assert board_facts("kfn", ledger.outbound_for("c"), []).sent == {
        "before-14": dt.date(2027, 3, 17)
    }


def test_submissions_and_rejections(ledger: Ledger) -> None:
    shas = [str(n) * 64 for n in range(1, 5)]
    times = [dt.datetime(2027, 3, d, 9, 0, tzinfo=UTC) for d in (10, 12, 20, 25)]
    for digest, when in zip(shas, times, strict=True):
        ledger.record_inbound(digest, received_at=when)
    bad = ParsedTemplate(file="f", problems=[ERROR])
    ledger.add_submission(
        cycle="c", board="kfn", inbound_sha=shas[0], filename="f", parsed=bad, received_at=times[0]
    )
    ledger.set_inbound_outcome(shas[1], "rejected", board="kfn", cycle="c")
    ledger.set_inbound_outcome(shas[2], "rejected", board="bun", cycle="c")
    facts = board_facts("kfn", [], ledger.submissions("c"), ledger.inbound("c"))
    assert facts.last_rejection == dt.date(2027, 3, 12)
    assert not facts.has_valid_submission

    ledger.add_submission(
        cycle="c", board="kfn", inbound_sha=shas[3], filename="f", parsed=ParsedTemplate(file="f")
    )
    assert board_facts("kfn", [], ledger.submissions("c"), ledger.inbound("c")).has_valid_submission
