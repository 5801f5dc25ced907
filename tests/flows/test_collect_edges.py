"""Collect's edge cases on the Maildir: a message delivered twice, a message archived by a run
that then crashed, mail from our own address, and a board answering twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.archive import Archive
from flows.ledger import Ledger
from flows.mail.maildir import MaildirMailbox
from flows.mail.mime import parse_envelope
from tests.flows.scenario import CYCLE, DOCX, INVITE_DAY, MAILBOX, Answers, config, mail
from tests.flows.spring import flow_runtime

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]


def test_duplicates_crashed_runs_and_own_mail(answers: Answers, tmp_path: Path) -> None:
    from flows.prefect_flows import collect_flow

    cfg = config()
    board = cfg.board("ekeby-hamn")
    data = tmp_path / "var"
    box = MaildirMailbox(data / "mail")
    answer = mail(
        sender=board.primary.email,
        subject="Vår uppföljning",
        body="Hej",
        day=INVITE_DAY,
        serial=1,
        attachments=[("hamn.docx", answers.filled[board.id], DOCX)],
    )
    box.deliver(answer)
    box.deliver(answer)  # the same message twice (a client that sent it again)
    box.deliver(mail(sender=MAILBOX, subject="Eko", body="Eget", day=INVITE_DAY, serial=2))

    url = f"sqlite:///{data / 'ledger.sqlite'}"
    # A run that archived and recorded a message, then crashed before processing it.
    crashed = mail(
        sender=board.secretary.email,
        subject="Rättad version",
        body="Hej igen",
        day=INVITE_DAY,
        serial=3,
        attachments=[("hamn v2.docx", answers.filled[board.id], DOCX)],
    )
    sha = Archive(data / "archive").store(crashed)
    with Ledger.open(url) as ledger:
        ledger.record_inbound(sha, sender=board.secretary.email, subject="Rättad version")

    with flow_runtime(data):
        first = collect_flow(cycle=CYCLE)
        second = collect_flow(cycle=CYCLE)

    assert first["outcomes"] == {"submitted": 2, "ignored": 1}
    assert second["fetched"] == 0 and second["processed"] == 0
    sent = [parse_envelope(raw) for raw in box.sent_messages()]
    assert sorted(e.to[0] for e in sent) == sorted([board.primary.email, board.secretary.email])
    assert all(e.subject.startswith("Kvittens") for e in sent)
    assert not list((data / "mail" / "inbox" / "new").iterdir())
    with Ledger.open(url) as ledger:
        versions = [(s.version, s.sender, s.valid) for s in ledger.submissions(CYCLE, board.id)]
        assert versions == [(1, board.secretary.email, True), (2, board.primary.email, True)]
        assert [r.outcome for r in ledger.inbound()].count("pending") == 0
        assert len(ledger.inbound()) == 3  # the duplicate is one message (same content)
