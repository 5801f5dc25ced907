"""The real pause → resume path: a flow run waits for the coordinator's form in Prefect, a test
address first gets a preview, then the real go-ahead is recorded in the ledger once."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from pathlib import Path
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run
from prefect.input.run_input import keyset_from_paused_state
from prefect.runtime import flow_run as current_run

from flows.approval import GoAhead, first_wave_go_ahead
from flows.ledger import Ledger
from flows.mail.maildir import MaildirMailbox
from flows.mail.port import OutboundMessage
from flows.model import Cycle
from flows.outbox import Planned, reserve, send_reserved
from flows.settings import Settings

pytestmark = pytest.mark.usefixtures("prefect_harness")

CYCLE = Cycle(
    id="hbtqia-2026",
    code="HBT26",
    strategy="hbtqia",
    year=2026,
    deadline=dt.date(2027, 3, 31),
    council_meeting=dt.date(2027, 5, 24),
    require_approval=True,
)
BOARDS = {"kultur": "elin.forsberg@ekeby.example", "social": "linnea.strand@ekeby.example"}


def _wave() -> list[Planned]:
    return [
        Planned(
            OutboundMessage(
                message_id=f"<invitation.{board}@ekeby.example>",
                to=(address,),
                subject=f"Uppföljning av hbtqia-strategin – {board}",
                text="Hej! Bifogat finns mallen.",
            ),
            "invitation",
            f"invitation:{board}",
            CYCLE.id,
            board,
            dt.date(2027, 2, 3),
        )
        for board, address in BOARDS.items()
    ]


def _wait_paused(run_id: UUID, after: float, timeout: float = 60) -> str:
    """Wait until the run is paused at a new pause; return the form's description."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(run_id)
            state = run.state
            if (
                state is not None
                and state.is_paused()
                and state.timestamp.timestamp() > after
                and state.state_details.run_input_keyset
            ):
                keyset = keyset_from_paused_state(state)
                try:
                    description = client.read_flow_run_input(run_id, keyset["description"])
                except Exception:  # the form is saved just after the state changes
                    time.sleep(0.2)
                    continue
                return str(description)
            time.sleep(0.2)
    raise TimeoutError("the flow run never paused for approval")


def test_first_wave_waits_for_the_form_then_is_approved_once(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, preapproved_by=None)
    mailbox = MaildirMailbox(tmp_path / "mail", address="uppfoljning@ekeby.example")
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    run_ids: queue.Queue[UUID] = queue.Queue()
    outcome: list[GoAhead] = []

    @flow(name="approval-under-test")
    def asks() -> None:
        run_ids.put(UUID(str(current_run.id)))
        outcome.append(
            first_wave_go_ahead(ledger, mailbox, CYCLE, _wave(), settings=settings, poll_seconds=1)
        )

    worker = threading.Thread(target=asks)
    started = time.time() - 1
    worker.start()
    try:
        run_id = run_ids.get(timeout=60)
        form = _wait_paused(run_id, started)
        assert "elin.forsberg@ekeby.example" in form and "2 meddelanden" in form

        # First answer: a test address alone (the box not ticked) means "send me the test
        # first". The run pauses again with the same form.
        asked_again_after = time.time()
        resume_flow_run(
            run_id,
            run_input={
                "approve": False,
                "approved_by": "Eva Lund",
                "test_mode_address": "eva.lund@ekeby.example",
            },
        )
        _wait_paused(run_id, asked_again_after)
        previews = list((tmp_path / "mail" / "sent" / "cur").iterdir()) + list(
            (tmp_path / "mail" / "sent" / "new").iterdir()
        )
        assert len(previews) == 2
        for preview in previews:
            raw = preview.read_bytes()
            assert b"To: eva.lund@ekeby.example" in raw and b"[TEST]" in raw
        assert [a.test_mode_address for a in ledger.approvals(CYCLE.id)] == [
            "eva.lund@ekeby.example"
        ]

        resume_flow_run(
            run_id, run_input={"approve": True, "approved_by": "Eva Lund", "test_mode_address": ""}
        )
        worker.join(timeout=60)
        assert not worker.is_alive()
    finally:
        worker.join(timeout=1)

    assert len(outcome) == 1 and outcome[0].send
    approvals = ledger.approvals(CYCLE.id)
    assert [(a.approved_by, a.test_mode_address) for a in approvals] == [
        ("Eva Lund", "eva.lund@ekeby.example"),
        ("Eva Lund", None),
    ]
    # Asked once: the next run goes ahead on the recorded approval, without pausing.
    again = first_wave_go_ahead(ledger, mailbox, CYCLE, _wave(), settings=settings)
    assert again.send and again.approval == approvals[1]
    # The test sends never count as the real invitations, and do not take their Message-IDs:
    # the real wave still goes out to the boards.
    real = [r for r in ledger.outbound_for(CYCLE.id) if not r.plan_key.startswith("test:")]
    assert real == []
    for planned in _wave():
        _record, message = reserve(ledger, planned)
        assert send_reserved(ledger, mailbox, message)
    sent = [
        p.read_bytes()
        for sub in ("new", "cur")
        for p in (tmp_path / "mail" / "sent" / sub).iterdir()
    ]
    assert len(sent) == 4
    for address in BOARDS.values():
        assert sum(f"To: {address}".encode() in raw for raw in sent) == 1
    ledger.close()


def test_without_a_server_to_answer_from_nothing_is_sent(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, preapproved_by=None)
    mailbox = MaildirMailbox(tmp_path / "mail")
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as ledger:
        go = first_wave_go_ahead(ledger, mailbox, CYCLE, _wave(), settings=settings)
        assert not go.send and "FOLLOWUP_PREAPPROVED_BY" in go.reason
        assert ledger.approvals(CYCLE.id) == []

        pre = Settings(data=tmp_path, preapproved_by="Demo")
        go = first_wave_go_ahead(ledger, mailbox, CYCLE, _wave(), settings=pre)
        assert go.send and go.approval is not None and go.approval.approved_by == "Demo"
