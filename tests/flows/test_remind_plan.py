"""The remind flow's pure parts: which ledger records the plan sees, today's tasks, and the
message for a task; then test mode and a dry run through the flow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.ledger import Ledger, OutboundRecord
from flows.mail.maildir import MaildirMailbox
from flows.mail.mime import parse_envelope
from flows.remind import Task, plan_message, records_for_mode, todays_tasks
from flows.schedule import BoardFacts
from tests.flows.scenario import CYCLE, INVITE_DAY, config
from tests.flows.spring import flow_runtime

UTC = dt.UTC


def _record(plan_key: str, *, sent: bool = True, board: str = "socialnamnden") -> OutboundRecord:
    moment = dt.datetime(2026, 11, 22, 10, tzinfo=UTC)
    return OutboundRecord(
        id=1,
        key=f"plan|{CYCLE}|{board}|{plan_key}",
        cycle=CYCLE,
        board=board,
        kind="invitation" if plan_key.endswith("invitation") else "reminder_before",
        plan_key=plan_key,
        due_date=dt.date(2027, 3, 17),
        inbound_sha=None,
        to=("a@b.se",),
        cc=(),
        subject="s",
        message_id=f"<{plan_key}@x>",
        reserved_at=moment,
        sent_at=moment if sent else None,
        attempts=1,
        last_error=None,
    )


def test_real_and_test_sends_are_kept_apart() -> None:
    records = [_record("invitation"), _record("test:t@x.se:invitation"), _record("before-14")]
    assert [r.plan_key for r in records_for_mode(records, None)] == ["invitation", "before-14"]
    assert [r.plan_key for r in records_for_mode(records, "T@x.se")] == ["invitation"]


def test_unsent_reservation_comes_first_and_replaces_what_is_due() -> None:
    cfg = config()
    cycle = cfg.cycle(CYCLE)
    facts = {b.id: BoardFacts() for b in cfg.boards_in(cycle)}
    facts["socialnamnden"] = BoardFacts(sent={"invitation": INVITE_DAY})
    facts["kommunstyrelsen"] = BoardFacts(
        sent={"invitation": INVITE_DAY}, has_valid_submission=True
    )
    pending = _record("before-14", sent=False)
    tasks = todays_tasks(cfg, cycle, dt.date(2027, 3, 17), [pending], facts)
    by_board = {t.board.id: t for t in tasks}
    assert by_board["socialnamnden"].plan_key == "before-14"
    assert by_board["socialnamnden"].day == dt.date(2027, 3, 17)
    assert "kommunstyrelsen" not in by_board  # answered: nothing more
    # the others were never invited: the invitation comes first
    assert {t.plan_key for b, t in by_board.items() if b != "socialnamnden"} == {"invitation"}


def test_plan_message_is_stable_and_test_mode_differs() -> None:
    cfg = config()
    cycle = cfg.cycle(CYCLE)
    task = Task(cfg.board("socialnamnden"), "invitation", "invitation", INVITE_DAY, False)
    one = plan_message(cfg, cycle, task, template=b"PK", problems=(), test_address=None)
    two = plan_message(cfg, cycle, task, template=b"PK", problems=(), test_address=None)
    assert one.message == two.message
    test = plan_message(cfg, cycle, task, template=b"PK", problems=(), test_address="t@x.se")
    assert test.message.message_id != one.message.message_id
    assert test.message.to == ("t@x.se",) and test.plan_key.startswith("test:t@x.se:")
    assert one.message.attachments[0].filename.endswith("Socialnämnden.docx")


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("flows")
def test_dry_run_sends_and_records_nothing_then_test_mode_redirects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.prefect_flows import remind_flow

    data = tmp_path / "var"
    with flow_runtime(data):
        summary = remind_flow(cycle=CYCLE, today=INVITE_DAY, dry_run=True)
    assert summary["dry_run"] and summary["due"] == 14 and summary["sent"] == 0
    assert "socialnamnden: invitation till linnea.strand@ekeby.example" in capsys.readouterr().out
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        assert ledger.outbound_for(CYCLE) == []
    assert (
        not (data / "mail" / "sent").exists() or not MaildirMailbox(data / "mail").sent_messages()
    )

    with flow_runtime(data, {"FOLLOWUP_TEST_MODE_ADDRESS": "test@ekeby.example"}):
        summary = remind_flow(cycle=CYCLE, today=INVITE_DAY)
        again = remind_flow(cycle=CYCLE, today=INVITE_DAY)
    assert summary["sent"] == 14 and again["sent"] == 0
    sent = MaildirMailbox(data / "mail").sent_messages()
    assert len(sent) == 14
    for raw in sent:
        envelope = parse_envelope(raw)
        assert envelope.to == ("test@ekeby.example",)
        assert envelope.subject.startswith("[TEST] Uppföljning av Hbtqia+-strategin 2026")
        assert "Testläge: meddelandet skulle ha skickats till" in envelope.text
    # the real invitations still go out afterwards
    with flow_runtime(data):
        real = remind_flow(cycle=CYCLE, today=INVITE_DAY)
    assert real["sent"] == 14
