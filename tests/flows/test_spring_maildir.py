"""End to end on the local Maildir: invitations, the boards' answers of every kind, receipts and
rejections in sent/, the status, and reminders only to those who have not answered."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from flows.ledger import Ledger
from flows.mail.mime import extract_attachments, parse_envelope
from flows.model import Config
from flows.references import reference_code
from flows.status import derive_status
from tests.flows.scenario import (
    AUTO_REPLY,
    CYCLE,
    FORWARDED,
    LAST_YEAR,
    LATE,
    LATE_DAY,
    LIBREOFFICE,
    NO_ATTACHMENT,
    ON_TIME,
    PDF,
    STRANGER,
    UNKNOWN_SENDER,
    config,
    ledger_snapshot,
)
from tests.flows.spring import SpringRecord

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.xdist_group("flows"),
    # A hung mail connection must fail the test, not stall the suite.
    pytest.mark.timeout(420),
]


VERSION_NOTICE = "En ny version av ert svar har tagits emot"


def _version_notices(cfg: Config, sent: list[bytes]) -> list[tuple[str, int]]:
    """(board, version) of every version notice, checking it went to all the board's contacts."""
    found = []
    for raw in sent:
        envelope = parse_envelope(raw)
        if not envelope.subject.startswith(VERSION_NOTICE):
            continue
        (board,) = [b for b in cfg.boards.values() if set(envelope.to) == b.all_emails]
        version = int(envelope.text.split("(version ", 1)[1].split(",", 1)[0])
        found.append((board.id, version))
    return found


def _by_recipient(sent: list[bytes]) -> dict[str, list[str]]:
    """Subjects per recipient, without the version notices (checked on their own)."""
    found: dict[str, list[str]] = {}
    for raw in sent:
        envelope = parse_envelope(raw)
        if envelope.subject.startswith(VERSION_NOTICE):
            continue
        for address in envelope.to:
            found.setdefault(address, []).append(envelope.subject)
    return found


def _boards_addressed(cfg: Config, sent: list[bytes]) -> set[str]:
    to = {a for raw in sent for a in parse_envelope(raw).to}
    return {b.id for b in cfg.boards.values() if b.primary.email in to}


def check_spring(cfg: Config, record: SpringRecord, ledger_url: str) -> None:
    """The assertions shared by every transport."""
    cycle = cfg.cycle(CYCLE)
    everyone = {b.id for b in cfg.boards_in(cycle)}

    # 1. every board is invited once, with its own template and reference code
    invitations = record.sent_in("invitations")
    assert len(invitations) == len(everyone)
    for raw in invitations:
        envelope = parse_envelope(raw)
        (board,) = [b for b in cfg.boards.values() if b.primary.email in envelope.to]
        assert envelope.subject.endswith(f"[{reference_code(cycle, board)}]")
        files = extract_attachments(raw)
        assert [f.filename for f in files] == [
            f"Uppföljning Hbtqia+-strategin 2026 – {board.name}.docx"
        ]
        assert files[0].data.startswith(b"PK")

    # 2. the answers: receipts, rejections, one no-attachment reply, a notice, no auto-reply loop
    replies = _by_recipient(record.sent_in("first answers"))
    b = cfg.board
    assert [s.split(":")[0] for s in replies[b(ON_TIME).primary.email]] == ["Kvittens"]
    assert [s.split(":")[0] for s in replies[b(LIBREOFFICE).secretary.email]] == ["Kvittens"]
    assert [s.split(":")[0] for s in replies[b(FORWARDED).primary.email]] == ["Kvittens"]
    assert [s.split(":")[0] for s in replies[b(PDF).primary.email]] == ["Åtgärd behövs"]
    assert [s.split(":")[0] for s in replies[b(LAST_YEAR).primary.email]] == ["Åtgärd behövs"]
    assert len(replies[b(NO_ATTACHMENT).primary.email]) == 1  # two messages, one reply
    assert replies[b(NO_ATTACHMENT).primary.email][0].startswith("Ingen mall bifogad")
    coordinator = replies[cfg.municipality.coordinator.email]
    assert len(coordinator) == 1 and STRANGER in coordinator[0]
    assert STRANGER not in replies
    assert b(AUTO_REPLY).primary.email not in replies
    assert sum(len(v) for v in replies.values()) == 7

    # every stored version is announced once to all of its board's contacts
    assert sorted(_version_notices(cfg, record.sent_in("first answers"))) == sorted(
        [(ON_TIME, 1), (LIBREOFFICE, 1), (FORWARDED, 1), (PDF, 1), (LAST_YEAR, 1)]
    )
    assert sorted(_version_notices(cfg, record.sent_in("late answers"))) == [
        (ON_TIME, 2),
        (LATE, 1),
    ]
    texts = {
        parse_envelope(r).to[0]: parse_envelope(r).text
        for r in record.sent_in("first answers")
        if not parse_envelope(r).subject.startswith(VERSION_NOTICE)
    }
    assert "PDF" in texts[b(PDF).primary.email]
    assert "förra årets mall" in texts[b(LAST_YEAR).primary.email]
    receipt = texts[b(ON_TIME).primary.email]
    assert "Strategiområde 1" in receipt and "1.1 " in receipt

    # 3. reminders only to those without a valid answer; resubmit requests to the rejected
    answered = {ON_TIME, LIBREOFFICE, FORWARDED}
    reminded = record.sent_in("reminders")
    assert _boards_addressed(cfg, reminded) == everyone - answered
    assert len(reminded) == len(everyone - answered)

    # 4. a second version and a late answer
    late = _by_recipient(record.sent_in("late answers"))
    assert [s.split(":")[0] for s in late[b(ON_TIME).secretary.email]] == ["Kvittens"]
    assert [s.split(":")[0] for s in late[b(LATE).primary.email]] == ["Kvittens"]
    version_text = next(
        parse_envelope(r).text
        for r in record.sent_in("late answers")
        if b(ON_TIME).secretary.email in parse_envelope(r).to
        and not parse_envelope(r).subject.startswith(VERSION_NOTICE)
    )
    assert "version 2" in version_text

    # 5. overdue: everyone else, the escalation contact in copy
    overdue = record.sent_in("overdue")
    assert _boards_addressed(cfg, overdue) == everyone - answered - {LATE}
    for raw in overdue:
        envelope = parse_envelope(raw)
        (board,) = [x for x in cfg.boards.values() if x.primary.email in envelope.to]
        assert board.escalation.email in raw.decode("utf-8", "replace")

    # the ledger agrees
    snapshot = ledger_snapshot(ledger_url)
    outcomes = Counter(i[2] for i in snapshot["inbound"])
    assert outcomes == Counter(submitted=5, rejected=2, quarantined=1, no_attachment=2, ignored=1)
    versions = {(s[0], s[1], s[5]) for s in snapshot["submissions"]}
    assert (ON_TIME, 1, True) in versions and (ON_TIME, 2, True) in versions
    assert (PDF, 1, False) in versions and (LAST_YEAR, 1, False) in versions
    assert len(snapshot["quarantine"]) == 1
    assert snapshot["unsent"] == 0 and snapshot["pending"] == 0
    assert UNKNOWN_SENDER not in {s[0] for s in snapshot["submissions"]}

    # and so does the status
    with Ledger.open(ledger_url) as ledger:
        report = derive_status(
            cfg,
            cycle,
            outbound=ledger.outbound_for(cycle.id),
            submissions=ledger.submissions(cycle.id),
            inbound=ledger.inbound(cycle.id),
            open_quarantine=len(ledger.quarantined()),
            today=LATE_DAY,
        )
    states = {board.id: board.state for board in report.boards}
    assert {k for k, v in states.items() if v == "submitted"} == answered | {LATE}
    assert {k for k, v in states.items() if v == "rejected"} == {PDF, LAST_YEAR}
    assert {k for k, v in states.items() if v == "overdue"} == everyone - answered - {
        LATE,
        PDF,
        LAST_YEAR,
    }
    by_id = {board.id: board for board in report.boards}
    assert by_id[ON_TIME].submissions == 2
    assert by_id[NO_ATTACHMENT].last_reminder is not None  # the real day it was sent
    assert by_id[ON_TIME].last_reminder is None
    assert report.quarantine == 1


def test_spring_on_maildir(maildir_spring: tuple[SpringRecord, Path]) -> None:
    record, data = maildir_spring
    check_spring(config(), record, f"sqlite:///{data / 'ledger.sqlite'}")
