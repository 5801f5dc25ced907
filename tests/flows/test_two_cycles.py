"""Two cycles open at once on one Maildir (issue 12): remind serves both, a board in both gets
two clearly different invitations, collect files each answer under its own cycle, an answer for
last year's cycle gets a clear reply, and status lists both. Plain functions of one runtime, the
same the Prefect flows wrap; the boards' answers are their real templates filled in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from flows.collect import collect
from flows.demo.answers import demo_answer, fill_template
from flows.documents.template import build_template
from flows.mail.maildir import MaildirMailbox
from flows.model import Config
from flows.references import reference_code
from flows.remind import remind
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from flows.status import format_json_all, read_statuses
from tests.conftest import CONFIG_DIR
from tests.flows.scenario import DOCX, mail

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]

DAY = dt.date(2027, 2, 15)  # hbtqia-2026 opened 3 February, jamstalldhet-2026 on 12 February
BOTH = "kultur-och-fritidsnamnden"
COMPANY = "ekeby-energi"


@pytest.fixture()
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(config=CONFIG_DIR, data=tmp_path / "var", preapproved_by="Sara Lindqvist")
    with Runtime.from_settings(settings, clock=FixedClock(DAY)) as rt:
        yield rt


def _subject(message: EmailMessage) -> str:
    return str(message["Subject"])


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _sent(runtime: Runtime) -> list[EmailMessage]:
    return [
        message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
        for raw in MaildirMailbox(runtime.mail_dir).sent_messages()
    ]


def _answer(config: Config, cycle_id: str, board_id: str, serial: int, subject: str) -> bytes:
    cycle, board = config.cycle(cycle_id), config.board(board_id)
    filled = fill_template(
        build_template(config, cycle, board), demo_answer(config, cycle, board, seed=serial)
    )
    return mail(
        sender=board.primary.email,
        subject=f"SV: {subject}",
        body="Hej! Här kommer vår uppföljning.",
        day=DAY,
        serial=serial,
        attachments=[(f"Uppföljning {cycle.code}.docx", filled, DOCX)],
    )


def test_two_cycles_share_one_mailbox(runtime: Runtime) -> None:
    config = runtime.config
    hbtqia, jam = config.cycle("hbtqia-2026"), config.cycle("jamstalldhet-2026")

    summary = remind(runtime)
    assert [s["cycle"] for s in summary["cycles"]] == [hbtqia.id, jam.id]
    assert summary["sent"] == len(config.boards_in(hbtqia)) + len(config.boards_in(jam))
    assert remind(runtime)["sent"] == 0  # the same day again sends nothing twice

    board = config.board(BOTH)
    to_board = [m for m in _sent(runtime) if board.primary.email in str(m["To"])]
    subjects = sorted(_subject(m) for m in to_board)
    assert len(subjects) == 2
    hbtqia_subject = next(s for s in subjects if "Hbtqia+-strategin" in s)
    jam_subject = next(s for s in subjects if "Jämställdhetsstrategin" in s)
    assert f"[{reference_code(hbtqia, board)}]" in hbtqia_subject
    assert f"[{reference_code(jam, board)}]" in jam_subject
    assert reference_code(hbtqia, board) != reference_code(jam, board)
    company = config.board(COMPANY)
    company_text = next(
        m
        for m in _sent(runtime)
        if company.primary.email in str(m["To"]) and "Jämställd" in _subject(m)
    )
    body = _text(company_text)
    assert "Vi ber Ekeby Energi AB:s styrelse att redovisa" in body
    assert "styrelsens beslut" in body and "Målområde" not in _subject(company_text)

    inbox = MaildirMailbox(runtime.mail_dir)
    inbox.deliver(_answer(config, hbtqia.id, BOTH, 1, hbtqia_subject))
    inbox.deliver(_answer(config, jam.id, BOTH, 2, jam_subject))
    inbox.deliver(_answer(config, jam.id, COMPANY, 3, "Jämställdhet"))
    # last spring's template is an answer to this spring's cycle of the same strategy, rejected
    # with a reply saying so (a closed cycle of another strategy: tests/unit/intake)
    inbox.deliver(_answer(config, "hbtqia-2025", "socialnamnden", 4, "Uppföljning 2025"))

    collected = collect(runtime)
    assert collected.outcomes == {"submitted": 3, "rejected": 1}
    ledger = runtime.ledger
    assert {s.board for s in ledger.submissions(hbtqia.id) if s.valid} == {BOTH}
    assert {s.board for s in ledger.submissions(jam.id) if s.valid} == {BOTH, COMPANY}
    assert ledger.submissions("hbtqia-2025") == []
    assert ledger.quarantined(open_only=True) == []

    replies = _sent(runtime)
    receipts = [_subject(m) for m in replies if _subject(m).startswith("Kvittens")]
    assert sorted(receipts) == sorted(
        [
            f"Kvittens: Kultur- och fritidsnämndens uppföljning av Hbtqia+-strategin 2026 är "
            f"mottagen [{reference_code(hbtqia, board)}]",
            f"Kvittens: Kultur- och fritidsnämndens uppföljning av Jämställdhetsstrategin 2026 är "
            f"mottagen [{reference_code(jam, board)}]",
            f"Kvittens: Ekeby Energi AB:s uppföljning av Jämställdhetsstrategin 2026 är "
            f"mottagen [{reference_code(jam, company)}]",
        ]
    )
    closed = next(m for m in replies if _subject(m).startswith("Åtgärd behövs"))
    text = _text(closed)
    assert "Mallen är förra årets mall" in text

    reports = read_statuses(runtime)
    assert [r.cycle for r in reports] == [hbtqia.id, jam.id]
    states = {r.cycle: {b.id: b.state for b in r.boards} for r in reports}
    assert states[hbtqia.id][BOTH] == "submitted" and states[jam.id][COMPANY] == "submitted"
    assert states[jam.id]["kommunstyrelsen"] == "invited"
    assert '"cycle": "jamstalldhet-2026"' in format_json_all(reports)
