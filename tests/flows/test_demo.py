"""`followup demo` end to end, as `make demo` runs it: a subprocess on the embedded defaults."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from flows.config import load_config
from flows.demo.script import cast
from flows.documents.libreoffice import soffice_path
from flows.ledger import REMINDER_KINDS, Ledger
from flows.report.pdf import available as pdf_export_available
from flows.schedule import LOCAL_TZ
from tests.conftest import CONFIG_DIR

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

FOLLOWUP = str(Path(sys.executable).with_name("followup"))


def _run_demo(tmp_path: Path) -> tuple[Path, str, float]:
    base = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    env.update(FOLLOWUP_DATA=str(base), FOLLOWUP_CONFIG=str(CONFIG_DIR))
    started = time.monotonic()
    completed = subprocess.run(
        [FOLLOWUP, "demo"], env=env, capture_output=True, text=True, timeout=380, check=False
    )
    elapsed = time.monotonic() - started
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    print(completed.stdout)
    return base / "demo", completed.stdout, elapsed


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LOCAL_TZ).date() if moment else None


def test_a_whole_simulated_spring(tmp_path: Path) -> None:
    """One run (it takes a while), checked three ways."""
    demo = _run_demo(tmp_path)
    _check_story_status_and_outputs(*demo)
    _check_reminders_only_to_boards_that_had_not_answered(demo[0])
    _check_mail_in_the_local_maildir(demo[0])
    print(f"demo took {demo[2]:.1f} s")


def _check_story_status_and_outputs(data: Path, output: str, _elapsed: float) -> None:
    hbt, jam = "Hbtqia+-strategin: ", "Jämställdhetsstrategin: "
    assert f"3 februari 2027  {hbt}Inbjudan med personlig Word-mall till 14 nämnder." in output
    assert f"12 februari 2027  {jam}Inbjudan med personlig Word-mall till 9 nämnder." in output
    assert "skickade en PDF i stället för Word-filen: svaret kunde inte användas" in output
    if soffice_path() is not None:
        assert "skickade mallen ifylld i LibreOffice: svaret godkändes" in output
        assert f"{hbt}Sammanställningen klar: 13 av 14 nämnder har redovisat" in output
        assert f"{jam}Sammanställningen klar: 8 av 9 nämnder har redovisat" in output
        assert "14 nämnder: 13 inlämnade, 1 försenad" in output
        assert "9 nämnder: 8 inlämnade, 1 försenad" in output
    else:  # a laptop without LibreOffice: that board is left out, said once
        assert output.count("Obs: LibreOffice är inte installerat") == 1
        assert f"{hbt}Sammanställningen klar: 12 av 14 nämnder har redovisat" in output
        assert "14 nämnder: 12 inlämnade, 2 försenade" in output
    assert "Andel kvinnor bland chefer: medelvärde " in output
    # both strategies through the one mailbox, each compiled on its own
    for cycle in ("hbtqia-2026", "jamstalldhet-2026"):
        docx = data / "output" / f"uppfoljning-{cycle}.docx"
        assert str(docx) in output
        assert (data / "output" / f"uppfoljning-{cycle}.xlsx").is_file()
    body = (
        zipfile.ZipFile(data / "output" / "uppfoljning-hbtqia-2026.docx")
        .read("word/document.xml")
        .decode()
    )
    assert "Kultur- och fritidsnämnden" in body
    jam_body = (
        zipfile.ZipFile(data / "output" / "uppfoljning-jamstalldhet-2026.docx")
        .read("word/document.xml")
        .decode()
    )
    assert "Målområde 1. Jämställd makt och inflytande" in jam_body
    assert (data / "output" / "uppfoljning-hbtqia-2026.pdf").is_file() == pdf_export_available()
    assert (data / "output" / "uppfoljning-hbtqia-2026-arbetslista.docx").is_file()
    assert "Tidigare år 2024:" in output and "Tidigare år 2025:" in output
    # the earlier years give the year comparison and, in the period's last year, the look back
    assert "Status 2026 jämfört med 2025" in body and "Tillbakablick över strategiperioden" in body
    assert "@" not in body and "@" not in jam_body
    assert "total" in output and "Klart på" in output


def _check_reminders_only_to_boards_that_had_not_answered(data: Path) -> None:
    config = load_config(CONFIG_DIR)
    cycle = config.cycle("hbtqia-2026")
    script = cast(config.boards_in(cycle), cycle)
    libreoffice_board = next(d.board for d in script.deliveries if d.form == "libreoffice")
    # without LibreOffice the demo leaves that board out: it stays silent
    silent = set(script.silent) | ({libreoffice_board} if soffice_path() is None else set())
    with Ledger.open(f"sqlite:///{data / 'ledger.sqlite'}", migrate=False) as ledger:
        outbound = ledger.outbound_for(cycle.id)
        invited = {r.board for r in outbound if r.kind == "invitation" and r.sent}
        assert invited == {b.id for b in config.boards_in(cycle)}
        for board in config.boards_in(cycle):
            valid = [s for s in ledger.submissions(cycle.id, board.id) if s.valid]
            days = [d for s in valid if (d := _local_day(s.received_at)) is not None]
            answered = min(days, default=None)
            reminders = [
                r for r in outbound if r.board == board.id and r.kind in REMINDER_KINDS and r.sent
            ]
            for reminder in reminders:
                assert reminder.due_date is not None
                assert answered is None or reminder.due_date <= answered, (board.id, reminder)
            if board.id in silent:
                assert answered is None
                escalations = [r for r in reminders if r.kind == "escalation"]
                assert escalations and all(board.escalation.email in r.cc for r in escalations)
            else:
                assert answered is not None, board.id

        pdf_board = next(d.board for d in script.deliveries if d.form == "pdf")
        outcomes = sorted(i.outcome for i in ledger.inbound(cycle.id) if i.board == pdf_board)
        assert outcomes == ["rejected", "submitted"]
        assert any(r.kind == "resubmit_request" for r in outbound if r.board == pdf_board)
        if libreoffice_board not in silent:
            assert [s.valid for s in ledger.submissions(cycle.id, libreoffice_board)] == [True]
        receipts = [r for r in outbound if r.kind == "receipt" and r.sent]
        assert len(receipts) == len(config.boards_in(cycle)) - len(silent)
        assert [a.approved_by for a in ledger.approvals(cycle.id)] == [
            "Kommunledningskontoret (demo)"
        ]


def _check_mail_in_the_local_maildir(data: Path) -> None:
    sent = [p for sub in ("new", "cur") for p in (data / "mail" / "sent" / sub).iterdir()]
    # 14 invitations, reminders, a rejection, a resubmit request and 13 receipts.
    assert len(sent) > 14 + 13
    assert not list((data / "mail" / "inbox" / "new").iterdir())
