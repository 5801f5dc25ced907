"""Each board's state, derived from ledger records and a day."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.config import load_config
from flows.model import Config
from flows.status import derive_status

from .records import outbound, rejected_inbound, sha, submission

D = dt.date
BEFORE = D(2027, 3, 20)
AFTER = D(2027, 4, 10)


@pytest.fixture(scope="module")
def config() -> Config:
    from tests.conftest import CONFIG_DIR

    return load_config(CONFIG_DIR)


def states(config: Config, today: dt.date, **records: object) -> dict[str, str]:
    report = derive_status(
        config,
        config.cycle("hbtqia-2026"),
        outbound=records.get("outbound", []),  # type: ignore[arg-type]
        submissions=records.get("submissions", []),  # type: ignore[arg-type]
        inbound=records.get("inbound", []),  # type: ignore[arg-type]
        open_quarantine=0,
        today=today,
    )
    return {b.id: b.state for b in report.boards}


def test_everyone_starts_not_invited(config: Config) -> None:
    result = states(config, BEFORE)
    assert len(result) == 14
    assert set(result.values()) == {"not_invited"}


def test_invited_reminded_overdue(config: Config) -> None:
    records = [
        outbound("kommunstyrelsen", "invitation", "invitation", D(2027, 2, 3)),
        outbound("socialnamnden", "invitation", "invitation", D(2027, 2, 3)),
        outbound("socialnamnden", "before-14", "reminder_before", D(2027, 3, 17)),
        # reserved, never sent: the board was not contacted
        outbound("miljonamnden", "invitation", "invitation", None),
    ]
    before = states(config, BEFORE, outbound=records)
    assert before["kommunstyrelsen"] == "invited"
    assert before["socialnamnden"] == "reminded"
    assert before["miljonamnden"] == "not_invited"
    after = states(config, AFTER, outbound=records)
    assert after["kommunstyrelsen"] == "overdue"
    assert after["socialnamnden"] == "overdue"
    assert after["miljonamnden"] == "not_invited"
    on_deadline = states(config, D(2027, 3, 31), outbound=records)
    assert on_deadline["kommunstyrelsen"] == "invited"


def test_submitted_and_rejected(config: Config) -> None:
    sent = [
        outbound(b, "invitation", "invitation", D(2027, 2, 3))
        for b in ("kommunstyrelsen", "socialnamnden", "omsorgsnamnden", "ekebyhem")
    ]
    subs = [
        submission("kommunstyrelsen", 1, D(2027, 3, 1), valid=False, errors=2),
        submission("kommunstyrelsen", 2, D(2027, 3, 5), valid=True, warnings=1),
        submission("socialnamnden", 1, D(2027, 3, 2), valid=True),
        submission("socialnamnden", 2, D(2027, 3, 9), valid=False, errors=1),
        submission("omsorgsnamnden", 1, D(2027, 3, 2), valid=False, errors=3),
    ]
    result = states(
        config,
        AFTER,
        outbound=sent,
        submissions=subs,
        inbound=[rejected_inbound("ekebyhem", D(2027, 3, 3))],
    )
    assert result["kommunstyrelsen"] == "submitted"
    assert result["socialnamnden"] == "submitted"  # an earlier valid version still counts
    assert result["omsorgsnamnden"] == "rejected"
    assert result["ekebyhem"] == "rejected"
    # submitted without an invitation (a board that answered early) is still submitted
    early = states(config, BEFORE, submissions=[submission("miljonamnden", 1, BEFORE, valid=True)])
    assert early["miljonamnden"] == "submitted"


def test_counts_last_reminder_problems_and_contacts(config: Config) -> None:
    receipt_sha = sha("receipt")
    records = [
        outbound("socialnamnden", "invitation", "invitation", D(2027, 2, 3)),
        outbound("socialnamnden", "before-14", "reminder_before", D(2027, 3, 17)),
        outbound("socialnamnden", "deadline", "deadline", D(2027, 3, 31)),
        outbound("socialnamnden", "overdue-1", "escalation", None),  # not sent yet
        outbound("socialnamnden", "", "rejection", D(2027, 4, 2), inbound_sha=receipt_sha),
        outbound("socialnamnden", "test:t@ekeby.example:overdue-2", "escalation", D(2027, 4, 9)),
    ]
    subs = [
        submission("socialnamnden", 1, D(2027, 4, 1), valid=False, errors=2, warnings=1),
        submission("socialnamnden", 2, D(2027, 4, 5), valid=False, errors=1, warnings=3),
    ]
    report = derive_status(
        config,
        config.cycle("hbtqia-2026"),
        outbound=records,
        submissions=list(reversed(subs)),
        inbound=[],
        open_quarantine=2,
        today=AFTER,
    )
    board = next(b for b in report.boards if b.id == "socialnamnden")
    assert board.state == "rejected"
    assert board.submissions == 2
    assert board.problems == 4  # the latest version's errors and warnings
    assert board.last_reminder == D(2027, 3, 31)  # test-mode sends and replies do not count
    social = config.board("socialnamnden")
    assert board.contacts == (social.primary.email, social.secretary.email)
    assert report.quarantine == 2
    pdf_only = derive_status(
        config,
        config.cycle("hbtqia-2026"),
        outbound=[],
        submissions=[],
        inbound=[rejected_inbound("ekebyhem", D(2027, 3, 3))],
        open_quarantine=0,
        today=AFTER,
    )
    assert next(b for b in pdf_only.boards if b.id == "ekebyhem").problems == 1
